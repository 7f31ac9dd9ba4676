"""Who may do what in a network: the one place admin classes, pages and API views read.

- `ROLE_PERMISSIONS`: each role group's Django model permissions ("app_label.codename"). The network admin reads
  them through Django's own `has_*_permission` checks (and admin actions through their `permissions=`);
  `role_permissions_apply` (accounts.services) writes them onto the role groups after every migrate and when a
  network is provisioned. A model missing from a role's list is one that role cannot open.
- Predicates for pages and API views: `is_signed_in`, `is_network_staff`, `may_read_money` (and the portals'
  `may_enter_supplier_portal`, `may_enter_carrier_portal`, `may_enter_designer_portal`, read by the header's
  workspaces), with the decorators
  `network_staff_required`, `money_reader_required` and, for a page that changes something,
  `permission_required(<a permission of the table>)` (everyone else gets 404, visitors go to sign in).

The table is the truth: a role group's permissions edited by hand in the admin are put back at the next migrate.
A network's owner is a superuser: Django grants a superuser every permission, and every predicate here agrees.
Finance reads everything money touches and changes nothing but its own two money operations: starting a
reconciliation run (`payouts.add_reconciliationrun`) and retrying a stuck transfer (`payouts.change_transfer`).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from apps.accounts.roles import Role


def _view(*models: str) -> tuple[str, ...]:
    """View permissions of "app_label.model" names."""
    return tuple(f"{app}.view_{model}" for app, model in (name.split(".") for name in models))


def _manage(*models: str) -> tuple[str, ...]:
    """Add, change, delete and view permissions of "app_label.model" names."""
    return tuple(
        f"{app}.{action}_{model}"
        for app, model in (name.split(".") for name in models)
        for action in ("add", "change", "delete", "view")
    )


# What an order's page in the admin shows inline, and the money side: what finance reads and staff watch.
_ORDER_RECORDS = _view(
    "orders.order",
    "orders.orderline",
    "orders.orderevent",
    "orders.orderrefund",
    "orders.workitem",
    "orders.qualitycheck",
    "orders.transportleg",
    "orders.refundrequest",
    "orders.jobproblem",
    "outbox.outboxmessage",
    "orders.ordersettings",
    "orders.place",
)
_MONEY_RECORDS = _view(
    "payouts.profitsharepolicy",
    "payouts.journalentry",
    "payouts.posting",
    "payouts.ledgeraccount",
    "payouts.transfer",
    "payouts.reversal",
    "payouts.customerrefund",
    "payouts.dispute",
    "payouts.connectedpayout",
    "payouts.reconciliationrun",
    "payouts.payouthold",
)

ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    # Platform staff: approve and suspend suppliers, curate the catalog, watch and steer matching, handle orders,
    # disputes and refunds. Not: users and groups (a staff member could grant itself anything) and the network's
    # Stripe keys — those stay with the owner.
    Role.STAFF: (
        *_manage(
            "processes.process",
            "processes.processrate",
            "catalog.producttemplate",
            "catalog.parameter",
            "catalog.derivedvalue",
            "catalog.constraint",
            "catalog.routingstep",
        ),
        *_view("catalog.design", "catalog.designversion", "uploads.partupload"),
        *_manage(
            "suppliers.assetowner",
            "suppliers.carrier",
            "suppliers.assetownermember",
            "suppliers.carriermember",
            "suppliers.certification",
            "suppliers.resource",
            "suppliers.openinghours",
            "suppliers.calendarexception",
            "suppliers.ratecard",
        ),
        *_view(
            "suppliers.participantstatuschange", "suppliers.supplieroutcome", "suppliers.memberinvitation"
        ),
        # Designers: approve and reject applications, suspend; customers' reviews are read, never edited.
        *_manage("designers.designer", "designers.designermember"),
        *_view("designers.productreview"),
        *_ORDER_RECORDS,
        # change_order runs the order actions (re-plan, cancel and refund, mark disputed); the order's fields
        # stay read-only. Likewise for refund requests (approve, reject), problems (resolve), outbox (send now).
        "orders.change_order",
        "orders.change_refundrequest",
        "orders.change_jobproblem",
        "outbox.change_outboxmessage",
        "orders.add_ordersettings",
        "orders.change_ordersettings",
        *_manage("orders.place"),
        "matching.add_matchingsettings",
        "matching.change_matchingsettings",
        *_view("matching.matchingsettings", "matching.matchingrun"),
        *_MONEY_RECORDS,
        "payouts.add_profitsharepolicy",  # publishing a new version; versions never change
        "payouts.add_payouthold",  # how long participants' money is held before their payouts
        "payouts.change_payouthold",
        "payouts.add_reconciliationrun",
        "payouts.change_transfer",
        *_view("payouts.webhookevent", "payouts.stripewrite"),
        "payouts.change_webhookevent",  # re-processing a failed Stripe event; the event itself stays read-only
        "accounts.view_user",  # to pick a company's member in the supplier screens
        "accounts.view_apitoken",  # who holds which token, never a secret
        "accounts.change_apitoken",  # revoking one; staff never issue tokens for others
    ),
    Role.FINANCE: (
        *_ORDER_RECORDS,
        *_MONEY_RECORDS,
        "payouts.add_reconciliationrun",
        "payouts.change_transfer",
    ),
    Role.CUSTOMER: (),
    Role.SUPPLIER_MEMBER: (),
    Role.CARRIER_MEMBER: (),
    Role.DESIGNER_MEMBER: (),
}


def is_signed_in(user) -> bool:
    """A signed-in, active user (the admin asks its questions of the anonymous user too)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_network_staff(user) -> bool:
    """Platform staff of this network, or its owner."""
    return is_signed_in(user) and (user.is_superuser or user.has_role(Role.STAFF))


def is_network_owner(user) -> bool:
    """The network's owner (its superuser): the only one who holds its Stripe keys and may export all its data."""
    return is_signed_in(user) and user.is_superuser


def may_read_money(user) -> bool:
    """Finance, platform staff, or the owner: the finance pages, and private files staff look at."""
    return is_signed_in(user) and (
        user.is_superuser or user.has_role(Role.STAFF) or user.has_role(Role.FINANCE)
    )


def may_write_off_debts(user) -> bool:
    """Finance or the owner: giving up on what a participant owes is a money decision, not a staff one."""
    return is_signed_in(user) and (user.is_superuser or user.has_role(Role.FINANCE))


def may_enter_supplier_portal(user) -> bool:
    """A member of an asset owner: the role is granted and revoked with the membership (suppliers.services)."""
    return is_signed_in(user) and user.has_role(Role.SUPPLIER_MEMBER)


def may_enter_carrier_portal(user) -> bool:
    """A member of a carrier, as for asset owners."""
    return is_signed_in(user) and user.has_role(Role.CARRIER_MEMBER)


def may_enter_designer_portal(user) -> bool:
    """A member of a designer, as for asset owners (the role comes and goes with the membership)."""
    return is_signed_in(user) and user.has_role(Role.DESIGNER_MEMBER)


def may_enter_admin(user) -> bool:
    """The network's Django admin: staff, finance and the owner (Django's own `is_staff` gate)."""
    return is_signed_in(user) and user.is_staff


def _required(predicate):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


network_staff_required = _required(is_network_staff)
network_owner_required = _required(is_network_owner)
debt_writer_required = _required(may_write_off_debts)
money_reader_required = _required(may_read_money)


def permission_required(permission: str):
    """A page that changes something: the user must hold `permission` ("app_label.codename") by role."""
    return _required(lambda user: is_signed_in(user) and user.has_perm(permission))
