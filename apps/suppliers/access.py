"""Access helpers: the requesting user's company and the objects inside it, or Http404.

"Not yours" and "does not exist" look the same. Every portal page and API view resolves its objects here.

The membership (the member's row with its company's) is read on every portal request, never kept: a member
removed from a company, or a company whose portal closed, loses access on the very next request. It is one
statement written once per process from the models' metadata (the ORM's compile of the joined queryset cost
~1 ms of CPU per request, far more than PostgreSQL spends answering it), and a page may read one more SQL
expression of the member's company in the same statement (`along`: its body's fingerprint), so that a page
whose body is kept costs one statement for both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Model
from django.http import Http404

from apps.accounts.access import is_signed_in, may_read_money
from apps.core.prepared import fetchone_prepared
from apps.suppliers.models import AssetOwner, AssetOwnerMember, CarrierMember, Certification, Resource
from apps.suppliers.status import PORTAL_OPEN

# The company's id in a membership statement: what an `along` expression names its company by.
COMPANY_ID_SQL = "company.id"


@dataclass(frozen=True)
class Along:
    """An SQL expression read in the membership's statement: `sql(company_id_sql)` names the member's company by
    the SQL it is given; its %(name)s parameters are `params` (none named `portal_*`)."""

    sql: Callable[[str], str]
    params: dict


@dataclass(frozen=True)
class _Statement:
    sql: str
    member_attnames: tuple[str, ...]
    company_attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple], ...]  # (column index, the ORM's converters of that column)


def _converters(fields, alias: str, offset: int) -> list[tuple[int, tuple]]:
    """What the ORM would apply to each raw column (a JSON field's decoding…): the backend's and the field's."""
    found = []
    for index, field in enumerate(fields):
        column = field.get_col(alias)
        converters = (*connection.ops.get_db_converters(column), *column.get_db_converters(connection))
        if converters:
            found.append((offset + index, tuple((converter, column) for converter in converters)))
    return found


@cache
def _membership_statement(member_model: type[Model], company_field: str, along_sql: str) -> _Statement:
    """The member's row and its company's, of a company whose portal is open, and `along_sql` (or NULL):
    written once per process. The tables are unqualified, so it reads the request's network, as the ORM would."""
    quote = connection.ops.quote_name
    link = member_model._meta.get_field(company_field)
    company_model = link.related_model
    member_fields = member_model._meta.concrete_fields
    company_fields = company_model._meta.concrete_fields
    columns = ", ".join(
        [f"member.{quote(field.column)}" for field in member_fields]
        + [f"company.{quote(field.column)}" for field in company_fields]
    )
    user_column = quote(member_model._meta.get_field("user").column)
    sql = (
        f"SELECT {columns}, ({along_sql or 'NULL'}) "  # noqa: S608 - quoted names from the models; values are parameters
        f"FROM {quote(member_model._meta.db_table)} AS member "
        f"JOIN {quote(company_model._meta.db_table)} AS company ON company.{quote(company_model._meta.pk.column)} "
        f"= member.{quote(link.column)} "
        f"WHERE member.{user_column} = %(portal_user)s AND company.{quote('status')} = ANY(%(portal_open)s) "
        f"ORDER BY member.{quote(member_model._meta.pk.column)} LIMIT 1"
    )
    converters = _converters(member_fields, "member", 0) + _converters(
        company_fields, "company", len(member_fields)
    )
    return _Statement(
        sql=sql,
        member_attnames=tuple(field.attname for field in member_fields),
        company_attnames=tuple(field.attname for field in company_fields),
        converters=tuple(converters),
    )


def _membership_read(member_model: type[Model], company_field: str, *, user, along: Along | None):
    """(the member with its company attached, the `along` value), or (None, None)."""
    statement = _membership_statement(
        member_model, company_field, along.sql(COMPANY_ID_SQL) if along is not None else ""
    )
    params = {"portal_user": user.pk, "portal_open": sorted(PORTAL_OPEN), **(along.params if along else {})}
    row = fetchone_prepared(statement.sql, params)
    if row is None:
        return None, None
    values = list(row)
    for index, converters in statement.converters:
        for converter, column in converters:
            values[index] = converter(values[index], column, connection)
    members = len(statement.member_attnames)
    company_model = member_model._meta.get_field(company_field).related_model
    member = member_model.from_db(connection.alias, statement.member_attnames, values[:members])
    company = company_model.from_db(
        connection.alias,
        statement.company_attnames,
        values[members : members + len(statement.company_attnames)],
    )
    setattr(member, company_field, company)
    return member, values[-1]


def asset_owner_membership_with(*, user, along: Along | None) -> tuple[AssetOwnerMember, object]:
    """The user's membership of an asset owner whose portal is open (not rejected), with its asset owner, and
    `along` read in the same statement; else Http404."""
    if not is_signed_in(user):
        raise Http404("No supplier here.")
    member, value = _membership_read(AssetOwnerMember, "asset_owner", user=user, along=along)
    if member is None:
        raise Http404("No supplier here.")
    return member, value


def asset_owner_membership_get(*, user) -> AssetOwnerMember:
    """The user's membership of an asset owner whose portal is open (not rejected); else Http404."""
    return asset_owner_membership_with(user=user, along=None)[0]


def carrier_membership_with(*, user, along: Along | None) -> tuple[CarrierMember, object]:
    """The user's membership of a carrier whose portal is open, with its carrier, and `along`; else Http404."""
    if not is_signed_in(user):
        raise Http404("No carrier here.")
    member, value = _membership_read(CarrierMember, "carrier", user=user, along=along)
    if member is None:
        raise Http404("No carrier here.")
    return member, value


def carrier_membership_get(*, user) -> CarrierMember:
    return carrier_membership_with(user=user, along=None)[0]


def _get(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def resource_get(*, asset_owner: AssetOwner, resource_id) -> Resource:
    return _get(Resource.objects.select_related("asset_owner"), pk=resource_id, asset_owner=asset_owner)


def certificate_file_readable(user, name: str) -> bool:
    """Whether `user` may fetch the certificate stored as `name`: a member of its company, or staff and finance.

    Registered with the media view (apps.core.media) for the certificates folder."""
    if may_read_money(user):
        return True
    return (
        is_signed_in(user)
        and Certification.objects.filter(file=name, asset_owner__members__user=user).exists()
    )
