"""The authentication backend: Django's model backend behind the failed sign-in throttle.

Every password sign-in goes through `authenticate()` and so through here, whichever form started it: the
network's login page, the network's admin login and the operator admin on the public site. Every signed-in
request loads its user through `get_user()`, with the user's role names in the same statement.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connections

from apps.accounts import throttle


@cache
def _user_with_roles_statement() -> tuple[str, tuple[str, ...]]:
    """The SQL that reads a user's row and role names, and the attribute names of its columns: written once per
    process from the model's metadata. Every signed-in request runs it; building it through the ORM cost more
    CPU (≈0.7 ms: compiling an annotated, grouped queryset) than PostgreSQL spends answering it. The tables are
    unqualified, so it reads the schema the request's network set, as the ORM would."""
    user_model = get_user_model()
    through = user_model.groups.through._meta
    quote = connections[user_model._default_manager.db].ops.quote_name
    fields = user_model._meta.concrete_fields
    if any(hasattr(field, "from_db_value") for field in fields):  # a raw row skips the conversion
        raise TypeError("a column with a from_db_value conversion: read it through the ORM")
    user_table, link_table, group_table = (
        quote(user_model._meta.db_table),
        quote(through.db_table),
        quote(Group._meta.db_table),
    )
    user_link = quote(through.get_field(user_model.groups.field.m2m_field_name()).column)
    group_link = quote(through.get_field(user_model.groups.field.m2m_reverse_field_name()).column)
    columns = ", ".join(f"u.{quote(field.column)}" for field in fields)
    # Quoted names from the models; the user's id is a parameter.
    sql = (
        f"SELECT {columns}, ARRAY(SELECT g.{quote('name')} FROM {link_table} AS link"  # noqa: S608
        f" JOIN {group_table} AS g ON g.{quote('id')} = link.{group_link}"
        f" WHERE link.{user_link} = u.{quote(user_model._meta.pk.column)})"
        f" FROM {user_table} AS u WHERE u.{quote(user_model._meta.pk.column)} = %s"
    )
    return sql, tuple(field.attname for field in fields)


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # No client to attribute the attempt to (a shell, a management command): nothing to throttle.
            return super().authenticate(request, username=username, password=password, **kwargs)
        email = username if username is not None else kwargs.get("email", "")
        remaining = throttle.login_lockout_remaining(request=request, email=email)
        if remaining:
            # The form reads this to say why; PermissionDenied stops authenticate() trying other backends.
            request.login_locked_for = remaining
            raise PermissionDenied("sign-in throttled")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.login_failure_record(request=request, email=email)
            remaining = throttle.login_lockout_remaining(request=request, email=email)
            if remaining:
                request.login_locked_for = remaining
            # Ends authenticate() here: the ModelBackend listed after this one (for sessions only) would check
            # the same password a second time.
            raise PermissionDenied("wrong e-mail or password")
        throttle.login_success_record(request=request, email=email)
        return user

    def get_user(self, user_id):
        """The session's user, with `role_names` read in the same statement: every page's header, portal and
        admin checks ask for the roles, which would otherwise be a second query on every signed-in request.
        Read fresh on every request (a deactivated user, a changed password, a removed role show at once)."""
        user_model = get_user_model()
        database = user_model._default_manager.db
        sql, attnames = _user_with_roles_statement()
        with connections[database].cursor() as cursor:
            cursor.execute(sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        user = user_model.from_db(database, attnames, row[:-1])
        if not self.user_can_authenticate(user):
            return None
        user.__dict__["role_names"] = frozenset(row[-1])
        return user


# What a page that signs a person in without a password (a confirmed e-mail, an accepted invitation) passes to
# `login()`: the session then loads its user through `get_user` above, with the roles in the same statement. (The
# plain ModelBackend, which those pages named before, loads the user and then the roles: one statement more and
# an ORM compile on every request of that session; settings keep it listed so such sessions still resolve.)
SESSION_BACKEND = f"{ThrottledModelBackend.__module__}.{ThrottledModelBackend.__qualname__}"
