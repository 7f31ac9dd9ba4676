"""The workspaces of a network: who may enter each, where a person lands after signing in, and each one's
navigation — the one registry the header (templates/_header.html) and the sign-in redirect read.

A workspace is a set of pages with one navigation: the storefront, the supplier portal, the carrier portal, the
designer portal, the back office and finance. A page belongs to the workspace whose URL namespace and name prefix it matches (the most
specific one first), so a new page of a workspace gets that workspace's navigation without saying so. Who may
enter a workspace is an `apps.accounts.access` predicate, the same one its pages check (or, for the portals, the
role that is granted and revoked with the membership the portal's pages resolve).

URL names are strings here: reversing them at render time keeps this module below the pages it links to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from apps.accounts.access import (
    is_network_owner,
    is_network_staff,
    is_signed_in,
    may_enter_admin,
    may_enter_carrier_portal,
    may_enter_designer_portal,
    may_enter_supplier_portal,
    may_read_money,
)


def _anyone(user) -> bool:
    return True


def url_of(url_name: str) -> str:
    """`reverse(url_name)` (no arguments), kept per URLconf and script prefix: the header links ~10 pages on every
    page, a reverse costs ~20 µs, and a running site's URLs never change. Paths only, so no network's host is in
    them."""
    return _url_of(url_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@cache
def _url_of(url_name: str, urlconf: str, script_prefix: str) -> str:
    return reverse(url_name, urlconf=urlconf)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str = ""  # "namespace:name" reversed without arguments
    href: str = ""  # a fixed address outside the workspace's URL names (the admin's order list)
    # Pages under this one (a job under Jobs): the item is marked as the current section on them.
    below: tuple[str, ...] = ()
    shown_to: Callable = _anyone  # a predicate of the user; items most people of the workspace see leave it
    owner_of_company_only: bool = False  # the portals' Payouts: only a company's owner sets them up
    shows_cart_count: bool = False

    @property
    def url(self) -> str:
        return self.href or url_of(self.url_name)

    def matches(self, url_name: str) -> str | None:
        """ "page" on its own page, "true" on a page below it, else None (the values of aria-current)."""
        own = self.url_name.split(":", 1)[-1]
        if (
            not own or not url_name
        ):  # an address outside the site's pages (the admin's) is never the current one
            return None
        if url_name == own:
            return "page"
        return "true" if url_name in self.below else None


@dataclass(frozen=True)
class Workspace:
    key: str
    label: str  # in the header's list of workspaces
    landing: str  # URL name of its first page
    may_enter: Callable
    namespace: str = (
        ""  # the URL namespace of its pages; "" for a workspace outside this site's pages (admin)
    )
    name_prefix: str = ""  # its pages' URL names start with it ("carrier_", "finance_")
    not_its_pages: frozenset[str] = frozenset()  # URL names in the namespace that belong to no workspace
    nav: tuple[NavItem, ...] = field(default=())

    @property
    def url(self) -> str:
        return url_of(self.landing) if ":" in self.landing else self.landing

    def holds(self, namespace: str, url_name: str) -> bool:
        return (
            bool(self.namespace)
            and namespace == self.namespace
            and url_name.startswith(self.name_prefix)
            and url_name not in self.not_its_pages
        )


STOREFRONT = Workspace(
    key="storefront",
    label="Shop",
    landing="storefront:home",
    may_enter=_anyone,
    namespace="storefront",
    nav=(
        NavItem("Catalog", "storefront:catalog", below=("configurator",)),
        NavItem("Upload your design", "storefront:part_upload"),
        NavItem(
            "My parts",
            "storefront:part_list",
            below=("part_detail", "part_units", "part_repair", "part_quote"),
            shown_to=is_signed_in,
        ),
        NavItem(
            "My designs",
            "storefront:design_list",
            below=("design_detail", "design_edit"),
            shown_to=is_signed_in,
        ),
        NavItem("Cart", "storefront:cart", shown_to=is_signed_in, shows_cart_count=True),
        NavItem(
            "My orders",
            "storefront:order_list",
            below=("order_detail", "order_pay", "order_refund_request"),
            shown_to=is_signed_in,
        ),
    ),
)
SUPPLIER_PORTAL = Workspace(
    key="supplier",
    label="Supplier portal",
    landing="portal:dashboard",
    may_enter=may_enter_supplier_portal,
    namespace="portal",
    # The apply and invitation pages are for people who are not members yet.
    not_its_pages=frozenset({"apply", "invitation_accept"}),
    nav=(
        NavItem("Dashboard", "portal:dashboard"),
        NavItem("Jobs", "portal:jobs", below=("job", "job_action")),
        NavItem(
            "Resources", "portal:resources", below=("resource_create", "resource_edit", "resource_calendar")
        ),
        NavItem("Company", "portal:profile"),
        NavItem("Certifications", "portal:certifications"),
        NavItem("Earnings", "portal:earnings"),
        NavItem("Team", "portal:members"),
        NavItem("Payouts", "portal:payouts_setup", owner_of_company_only=True),
    ),
)
CARRIER_PORTAL = Workspace(
    key="carrier",
    label="Carrier portal",
    landing="portal:carrier_dashboard",
    may_enter=may_enter_carrier_portal,
    namespace="portal",
    name_prefix="carrier_",
    nav=(
        NavItem("Dashboard", "portal:carrier_dashboard"),
        NavItem("Legs", "portal:carrier_legs", below=("carrier_leg", "carrier_leg_action")),
        NavItem("Rate card", "portal:carrier_rate_card"),
        NavItem("Coverage", "portal:carrier_coverage"),
        NavItem("Earnings", "portal:carrier_earnings"),
        NavItem("Team", "portal:carrier_members"),
        NavItem("Payouts", "portal:carrier_payouts_setup", owner_of_company_only=True),
    ),
)
DESIGNER_PORTAL = Workspace(
    key="designer",
    label="Designer portal",
    landing="designers:home",
    may_enter=may_enter_designer_portal,
    namespace="designers",
    # The public pages (applying, a designer's page) and customers' reviews are nobody's workspace.
    not_its_pages=frozenset({"apply", "designer_page", "review_create"}),
    nav=(
        NavItem("Home", "designers:home"),
        NavItem(
            "Studio",
            "designers:studio",
            below=(
                "studio_new",
                "studio_edit",
                "studio_preview",
                "studio_coverage",
                "studio_submit",
                "studio_new_version",
                "studio_retire",
                "studio_discard",
            ),
        ),
        NavItem("Earnings", "designers:earnings", below=("earnings_statement",)),
        NavItem("Payouts", "designers:payouts_setup", owner_of_company_only=True),
    ),
)
FINANCE = Workspace(
    key="finance",
    label="Finance",
    landing="backoffice:finance_home",
    may_enter=may_read_money,
    namespace="backoffice",
    name_prefix="finance_",
    nav=(
        NavItem("Overview", "backoffice:finance_home", below=("finance_run", "finance_order")),
        NavItem("Statements", "backoffice:finance_statements"),
    ),
)
BACK_OFFICE = Workspace(
    key="backoffice",
    label="Back office",
    landing="backoffice:dashboard",
    may_enter=is_network_staff,
    namespace="backoffice",
    nav=(
        NavItem("Dashboard", "backoffice:dashboard"),
        NavItem("Setup", "backoffice:setup", below=("brand",), shown_to=is_network_owner),
        NavItem("Matching runs", "backoffice:matching_runs", below=("matching_run",)),
        NavItem("Product reviews", "backoffice:template_review_list", below=("template_review",)),
        NavItem("Orders", href="/admin/orders/order/"),
        NavItem("Problems", href="/admin/orders/jobproblem/?status__exact=open"),
        NavItem("Data export", "backoffice:exports", shown_to=is_network_owner),
    ),
)
ADMIN = Workspace(key="admin", label="Admin", landing="/admin/", may_enter=may_enter_admin)

# The order of the header's list; page lookup asks the specific workspaces of a namespace before the general one.
WORKSPACES: tuple[Workspace, ...] = (
    STOREFRONT,
    SUPPLIER_PORTAL,
    CARRIER_PORTAL,
    DESIGNER_PORTAL,
    BACK_OFFICE,
    FINANCE,
    ADMIN,
)
_LOOKUP_ORDER = sorted(WORKSPACES, key=lambda workspace: -len(workspace.name_prefix))


def workspace_of_page(namespace: str, url_name: str) -> Workspace | None:
    """The workspace a page (its URL namespace and name) belongs to, or None (sign-in, account, apply pages)."""
    return next((w for w in _LOOKUP_ORDER if w.holds(namespace, url_name)), None)


def workspaces_for(user) -> list[Workspace]:
    """The workspaces `user` may enter, in the header's order."""
    return [workspace for workspace in WORKSPACES if workspace.may_enter(user)]


def workspace_home(user) -> Workspace:
    """The person's own workspace: the back office for staff and the owner, then finance, the supplier portal,
    the carrier portal, the designer portal, the storefront for everyone else."""
    return next(
        (
            w
            for w in (BACK_OFFICE, FINANCE, SUPPLIER_PORTAL, CARRIER_PORTAL, DESIGNER_PORTAL)
            if w.may_enter(user)
        ),
        STOREFRONT,
    )


def workspace_landing(user) -> str:
    """Where `user` lands after signing in (when no page asked for the sign-in): their home workspace, the owner
    on the back office's start (the setup checklist until the network is set up, then the dashboard)."""
    if is_network_owner(user):
        return reverse("backoffice:start")
    return workspace_home(user).url
