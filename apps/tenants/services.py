"""Provisioning and lifecycle of networks (tenants). Every entry point — sign-up page, commands, admin — calls here."""

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from apps.accounts.roles import Role
from apps.accounts.services import role_permissions_apply, user_create
from apps.core.currencies import chargeable_currencies
from apps.core.timezones import validate_time_zone
from apps.core.transitions import transition
from apps.tenants.cache_keys import network_cache_clear
from apps.tenants.cloning import schema_clone
from apps.tenants.models import Domain, Tenant, TenantStatus
from apps.tenants.subdomains import schema_name_for, validate_subdomain

TEMPLATE_SLUG = "tenant-base"
SUBDOMAIN_TAKEN = "This subdomain is already taken."


def tenant_template_ensure() -> Tenant:
    """Creates the template schema (fully migrated) once. It is a tenant row so migrate_schemas keeps it current."""
    template = Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
    if template is None:
        template = Tenant.objects.create(
            schema_name=settings.TENANT_BASE_SCHEMA,
            name="Tenant template",
            slug=TEMPLATE_SLUG,
            status=TenantStatus.TEMPLATE,
        )
    if not schema_exists(template.schema_name):
        template.create_schema(check_if_exists=True, verbosity=0)
    return template


def _validate_new_network(*, subdomain: str, currency: str, time_zone: str) -> None:
    errors = {}
    try:
        validate_subdomain(subdomain)
    except ValidationError as error:
        errors["subdomain"] = error.messages
    else:
        if Tenant.objects.filter(slug=subdomain).exists() or schema_exists(schema_name_for(subdomain)):
            errors["subdomain"] = [SUBDOMAIN_TAKEN]
    if currency not in chargeable_currencies():
        errors["currency"] = [f"{currency!r} is not a currency Stripe can charge in."]
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        errors["time_zone"] = error.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def tenant_create(
    *,
    name: str,
    subdomain: str,
    currency: str,
    admin_email: str,
    admin_password: str,
    time_zone: str = "Europe/Amsterdam",
    admin_name: str = "",
) -> Tenant:
    """Provisions a network: row, schema cloned from the template, primary domain and the owner's admin user.

    One transaction (PostgreSQL DDL is transactional): a failure at any step leaves no row and no schema.
    """
    _validate_new_network(subdomain=subdomain, currency=currency, time_zone=time_zone)
    tenant_template_ensure()
    with ThreadPoolExecutor(max_workers=1) as hasher:
        # The password hash (PBKDF2, about a third of a second, outside the GIL) is computed while PostgreSQL
        # copies the template schema: a quarter of the sign-up wait.
        password_hash = hasher.submit(make_password, admin_password)
        tenant = _tenant_row_create(name=name, subdomain=subdomain, currency=currency, time_zone=time_zone)
        _schema_clone_from_template(tenant.schema_name)
        Domain.objects.create(
            domain=f"{subdomain}.{settings.PLATFORM_DOMAIN}", tenant=tenant, is_primary=True
        )
        with schema_context(tenant.schema_name):
            # The template's groups already hold them when it was migrated with this code; a network is never
            # born with stale role permissions either way.
            role_permissions_apply()
            user_create(
                email=admin_email,
                password=None,
                password_hash=password_hash.result(),
                role=Role.STAFF,
                is_superuser=True,
                full_name=admin_name.strip()[:150],  # the header shows it (the e-mail when blank)
            )
    return tenant


def _tenant_row_create(*, name: str, subdomain: str, currency: str, time_zone: str) -> Tenant:
    """The network's row. A simultaneous sign-up of the same subdomain passes the check before either row
    exists; the unique index decides, and the loser gets the same field error as if it had come second."""
    try:
        with transaction.atomic():
            return Tenant.objects.create(
                schema_name=schema_name_for(subdomain),
                name=name,
                slug=subdomain,
                currency=currency,
                time_zone=time_zone,
            )
    except IntegrityError:
        raise ValidationError({"subdomain": [SUBDOMAIN_TAKEN]}) from None


def _schema_clone_from_template(schema_name: str) -> None:
    """Copies the template schema, tables, data and django_migrations rows included, in a time that does not
    grow with the number of networks (apps/tenants/cloning.py).

    django-tenants' create_schema would follow the copy with a faked migrate_schemas run; the copied
    django_migrations already says exactly what the template has applied, so that run only costs time (about
    half of provisioning). migrate_schemas keeps the template current, and it is a tenant like any other.
    """
    schema_clone(settings.TENANT_BASE_SCHEMA, schema_name)


def tenant_suspend(*, tenant: Tenant) -> None:
    """An active network answers 503 from now on. Raises InvalidTransition for any other (template, suspended)."""
    transition(
        Tenant,
        tenant.pk,
        TenantStatus.ACTIVE,
        TenantStatus.SUSPENDED,
        message=_not_from("suspended", "active"),
    )
    tenant.status = TenantStatus.SUSPENDED


def tenant_activate(*, tenant: Tenant) -> None:
    """A suspended network serves again. Raises InvalidTransition for any other."""
    transition(
        Tenant,
        tenant.pk,
        TenantStatus.SUSPENDED,
        TenantStatus.ACTIVE,
        message=_not_from("re-activated", "suspended"),
    )
    tenant.status = TenantStatus.ACTIVE


_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def tenant_brand_update(*, tenant: Tenant, actor, name: str, accent_color: str) -> Tenant:
    """The owner names the network and picks its accent colour (#rrggbb). Raises ValidationError by field."""
    if not (actor is not None and actor.is_active and actor.is_superuser):
        raise PermissionDenied("Only the network's owner changes its brand.")
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Give the network a name."
    elif len(name) > Tenant._meta.get_field("name").max_length:
        errors["name"] = "At most 100 characters."
    if not _HEX_COLOR.fullmatch(accent_color or ""):
        errors["accent_color"] = "A colour as #rrggbb, e.g. #0a7d5a."
    if errors:
        raise ValidationError(errors)
    Tenant.objects.filter(pk=tenant.pk).update(name=name, accent_color=accent_color.lower())
    tenant.name, tenant.accent_color = name, accent_color.lower()
    return tenant


def _not_from(done: str, needed: str):
    return lambda current: f"This network is {current}; only {needed} networks can be {done}."


@transaction.atomic
def tenant_delete(*, tenant: Tenant, confirm_slug: str) -> None:
    """Drops the network's schema, its domains, uploaded files and cache entries. The caller must type the slug to
    confirm."""
    if confirm_slug != tenant.slug:
        raise ValidationError({"confirm_slug": ["Type the network's subdomain exactly to confirm deletion."]})
    if tenant.is_template or tenant.schema_name == get_public_schema_name():
        raise ValidationError("The template and public schemas cannot be deleted.")
    # The cache keys carry the schema name, which a later network with the same subdomain gets again: clear them
    # before the drop (a cache that cannot be reached refuses the deletion, nothing is lost) and once more after
    # commit (entries the network's last requests wrote meanwhile).
    network_cache_clear(schema_name=tenant.schema_name)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        # Rows written earlier in this transaction have deferred FK checks pending, which block DROP TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    tenant.delete(force_drop=True)
    media = Path(settings.MEDIA_ROOT) / tenant.schema_name
    # A local clean-up once the schema is really gone, not work for another process: no outbox message (and the
    # public schema, where this runs, has none).
    transaction.on_commit(lambda: shutil.rmtree(media, ignore_errors=True))
    transaction.on_commit(lambda: network_cache_clear(schema_name=tenant.schema_name))


def tenant_public_ensure() -> Tenant:
    """The public schema's own row: the SaaS operator's site on the bare platform domain."""
    public, _ = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(), defaults={"name": "Cloud Factory", "slug": "public"}
    )
    for host in (settings.PLATFORM_DOMAIN, "127.0.0.1"):
        Domain.objects.get_or_create(
            domain=host, defaults={"tenant": public, "is_primary": host == settings.PLATFORM_DOMAIN}
        )
    return public
