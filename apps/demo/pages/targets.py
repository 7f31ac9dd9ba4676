"""What `bench_pages` requests: each role's main read pages in a copy of the demo network, as the demo's own
people (one signed-in session each), and the framework floor page."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.catalog.selectors import template_list_active
from apps.demo.load.network import LoadNetworkError, load_network_drop, network_clone
from apps.demo.pages.floor import FLOOR_PATH
from apps.demo.seed import DEMO_OWNER, DEMO_USERS
from apps.orders.models import Order, WorkItem
from apps.suppliers import access
from apps.tenants.models import Tenant


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    session: str = ""  # the session cookie's value; empty: anonymous

    def headers(self, host: str) -> dict[str, str]:
        cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session}"} if self.session else {}
        return {"Host": host, **cookie}


FLOOR = Page("floor (bare django-tenants + DRF, 50 rows)", FLOOR_PATH)


@dataclass(frozen=True)
class PagesNetwork:
    tenant: Tenant
    host: str
    pages: list[Page]


def pages_network_create(*, source_slug: str, slug: str) -> PagesNetwork:
    """Clones `source_slug` (the demo network: `seed_demo` first) into `slug` and picks the pages to request."""
    source = Tenant.objects.filter(slug=source_slug).first()
    if source is None:
        raise LoadNetworkError(f"No network {source_slug!r}; seed it first (manage.py seed_demo).")
    load_network_drop(slug=slug)  # a copy left behind by a run that was killed
    tenant = network_clone(source, slug)
    with schema_context(tenant.schema_name):
        pages = _pages()
    return PagesNetwork(tenant=tenant, host=f"{slug}.{settings.PLATFORM_DOMAIN}", pages=pages)


def _person(email: str) -> tuple[User, str]:
    user = User.objects.filter(email=email).first()
    if user is None:
        raise LoadNetworkError(f"The demo network has no {email}; run manage.py seed_demo.")
    client = Client()
    client.force_login(user)
    return user, client.cookies[settings.SESSION_COOKIE_NAME].value


def _pages() -> list[Page]:
    by_role = {login.role: login.email for login in [*DEMO_USERS, DEMO_OWNER]}
    customer, customer_session = _person(by_role["customer"])
    supplier, supplier_session = _person(by_role["supplier_member"])
    _, carrier_session = _person(by_role["carrier_member"])
    _, staff_session = _person(by_role["staff"])
    _, finance_session = _person(by_role["finance"])
    # The customer's order with the most work: the order page's heaviest ordinary case.
    order = (
        Order.objects.filter(customer=customer)
        .annotate(items=Count("work_items"))
        .order_by("-items", "-pk")
        .first()
    )
    company = access.asset_owner_membership_get(user=supplier).asset_owner
    job = WorkItem.objects.filter(asset_owner=company).order_by("-pk").first()
    product = template_list_active().order_by("slug").first()  # the demo's: bookshelf
    if order is None or job is None or product is None:
        raise LoadNetworkError("The demo network has no orders, jobs or products; run manage.py seed_demo.")
    return [
        Page("storefront catalog", "/catalog/"),
        Page("configurator", f"/catalog/{product.slug}/"),  # issue 14: at least 1/3 of the floor
        Page("catalog templates API", "/api/v1/catalog/templates/"),
        Page("customer's order list", "/orders/", customer_session),
        Page("customer's order page", f"/orders/{order.pk}/", customer_session),
        Page("supplier's job list", "/portal/jobs/", supplier_session),
        Page("supplier's job page", f"/portal/jobs/{job.pk}/", supplier_session),
        Page("carrier legs", "/portal/carrier/legs/", carrier_session),
        Page("back-office dashboard", "/backoffice/", staff_session),
        Page("finance order page", f"/backoffice/finance/orders/{order.pk}/", finance_session),
    ]
