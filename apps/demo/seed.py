"""The demo network `make run` prints logins for. Idempotent: a second run changes nothing."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.demo.catalog import catalog_demo_seed
from apps.demo.designers import designers_demo_seed
from apps.demo.orders import orders_demo_seed
from apps.demo.payouts import connect_demo_onboard
from apps.demo.rates import rates_demo_seed
from apps.demo.suppliers import suppliers_demo_seed
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create

DEMO_SLUG = "demo"
DEMO_PASSWORD = "cloudfactory-demo"  # noqa: S105 - printed by make run on purpose
OPERATOR_EMAIL = "operator@cloudfactory.localhost"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str = ""  # a person's name, as the header shows it (not the role's)


DEMO_USERS = [
    DemoLogin(Role.CUSTOMER, "customer@demo.localhost", "Mila Jansen"),
    DemoLogin(Role.SUPPLIER_MEMBER, "supplier@demo.localhost", "Sanne de Vries"),
    DemoLogin(Role.CARRIER_MEMBER, "carrier@demo.localhost", "Daan Bakker"),
    DemoLogin(Role.DESIGNER_MEMBER, "designer@demo.localhost", "Lotte Mulder"),
    DemoLogin(Role.FINANCE, "finance@demo.localhost", "Noor Visser"),
]
DEMO_OWNER = DemoLogin(Role.STAFF, "staff@demo.localhost", "Eva Smit")


def demo_operator_ensure() -> None:
    """The SaaS operator's superuser in the public schema."""
    if not User.objects.filter(email=OPERATOR_EMAIL).exists():
        User.objects.create_superuser(email=OPERATOR_EMAIL, password=DEMO_PASSWORD, full_name="SaaS operator")


@transaction.atomic
def demo_seed() -> Tenant:
    demo_operator_ensure()
    tenant = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if tenant is None:
        tenant = tenant_create(
            name="Demo Factory",
            subdomain=DEMO_SLUG,
            currency="EUR",
            admin_email=DEMO_OWNER.email,
            admin_password=DEMO_PASSWORD,
            admin_name=DEMO_OWNER.name,
        )
    with schema_context(tenant.schema_name):
        for login in DEMO_USERS:
            if not User.objects.filter(email=login.email).exists():
                user_create(email=login.email, password=DEMO_PASSWORD, role=login.role, full_name=login.name)
        # Demo people seeded before they had names were called by their role ("Owner", "Finance"): named now.
        for login in [*DEMO_USERS, DEMO_OWNER]:
            User.objects.filter(email=login.email, full_name__in=[login.role.label, "Owner", ""]).update(
                full_name=login.name
            )
        # demo-seed: catalog
        catalog_demo_seed()
        # demo-seed: suppliers
        suppliers_demo_seed(connect_onboard=connect_demo_onboard)
        # demo-seed: designers
        designers_demo_seed(connect_onboard=connect_demo_onboard)
        # demo-seed: process rates (uploaded parts)
        rates_demo_seed()
        # demo-seed: orders
        orders_demo_seed()
    return tenant


def demo_logins() -> list[tuple[str, str, str]]:
    """(who, url, e-mail) rows to print; every demo login shares DEMO_PASSWORD."""
    port = settings.PLATFORM_PORT
    demo = f"http://{DEMO_SLUG}.{settings.PLATFORM_DOMAIN}:{port}"
    rows = [("SaaS operator", f"http://{settings.PLATFORM_DOMAIN}:{port}/admin/", OPERATOR_EMAIL)]
    rows.append(("Network owner (staff)", f"{demo}/admin/", DEMO_OWNER.email))
    rows += [(login.role.label, f"{demo}/accounts/login/", login.email) for login in DEMO_USERS]
    return rows
