"""A new network's first steps, read from what the network really holds: the owner's setup checklist."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from apps.catalog.selectors import template_list_active
from apps.orders.models import Order
from apps.payouts.models import StripeMode
from apps.payouts.stripe_client import stripe_settings_get
from apps.suppliers.models import AssetOwner, Carrier
from apps.suppliers.status import ParticipantStatus
from apps.tenants.models import DEFAULT_ACCENT_COLOR, Tenant


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    done: bool
    what: str  # what the step is, or what was done
    url: str
    action: str  # the link's text


def network_setup_steps(*, tenant: Tenant) -> list[SetupStep]:
    """The checklist in the order a network is best set up; each step is done when the network's data says so."""
    stripe = stripe_settings_get()
    stripe_ready = stripe.mode == StripeMode.STRIPE and bool(stripe.secret_key_encrypted)
    apply_url = reverse("portal:apply")
    suppliers = AssetOwner.objects.filter(status=ParticipantStatus.APPROVED).count()
    carriers = Carrier.objects.filter(status=ParticipantStatus.APPROVED).count()
    templates = template_list_active().count()  # the storefront's own rule: published, not parts
    orders = Order.objects.count()
    return [
        SetupStep(
            "brand",
            "Your brand",
            tenant.accent_color.lower() != DEFAULT_ACCENT_COLOR,
            "Your network's name and the colour of its pages and buttons.",
            reverse("backoffice:brand"),
            "Choose name and colour",
        ),
        SetupStep(
            "currency",
            "Your currency",
            bool(tenant.currency),
            f"Prices, payments and payouts are in {tenant.currency}, chosen when the network was created.",
            reverse("backoffice:brand"),
            "See the network's settings",
        ),
        SetupStep(
            "stripe",
            "Your Stripe keys",
            stripe_ready,
            "Payments use your own Stripe account: paste its keys and webhook secrets."
            if not stripe_ready
            else "Payments go to your Stripe account.",
            reverse("admin:payouts_stripesettings_changelist"),
            "Stripe settings",
        ),
        SetupStep(
            "template",
            "Your first product",
            templates > 0,
            f"{templates} product template{'s' if templates != 1 else ''} in the storefront."
            if templates
            else "A product template customers configure: its parameters, price and the steps that make it.",
            reverse("admin:catalog_producttemplate_changelist"),
            "Product templates",
        ),
        SetupStep(
            "suppliers",
            "Your first workshops",
            suppliers > 0,
            f"{suppliers} approved workshop{'s' if suppliers != 1 else ''}."
            if suppliers
            else f"Send workshops the application page ({apply_url}); approve them in the admin.",
            reverse("admin:suppliers_assetowner_changelist"),
            "Workshops",
        ),
        SetupStep(
            "carriers",
            "Your first carriers",
            carriers > 0,
            f"{carriers} approved carrier{'s' if carriers != 1 else ''}."
            if carriers
            else f"Carriers apply on the same page ({apply_url}); approve them in the admin.",
            reverse("admin:suppliers_carrier_changelist"),
            "Carriers",
        ),
        SetupStep(
            "order",
            "A test order",
            orders > 0,
            "Order something yourself: it is planned, made and delivered like a customer's."
            if not orders
            else f"{orders} order{'s' if orders != 1 else ''} placed.",
            reverse("storefront:catalog"),
            "Open the catalog",
        ),
    ]
