"""The demo network's designer: one approved studio, onboarded at Stripe like the demo suppliers, who owns one demo
product and has a portal login. Idempotent; run inside the demo tenant's schema after the catalog (apps/demo/seed.py)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from apps.accounts.models import User
from apps.catalog.models import ProductTemplate
from apps.demo.suppliers import ConnectOnboard, participant_demo_approve, participant_demo_onboard
from apps.designers.models import Designer
from apps.suppliers.services import participant_member_add
from apps.suppliers.status import MemberRole

DESIGNER_LOGIN = "designer@demo.localhost"
DESIGNER_SLUG = "studio-lotte"
DESIGNED_PRODUCT = "phone-stand"  # a demo product the studio designed (the others are the network's own)


@transaction.atomic
def designers_demo_seed(*, connect_onboard: ConnectOnboard | None = None) -> Designer:
    designer = Designer.objects.filter(slug=DESIGNER_SLUG).first()
    if designer is None:
        designer = Designer(
            name="Studio Lotte",
            slug=DESIGNER_SLUG,
            bio="Lotte Mulder designs small, sturdy things for desks and shelves, made to measure in the Netherlands.",
            contact_name="Lotte Mulder",
            contact_email=DESIGNER_LOGIN,
            street="Biltstraat 120",
            postal_code="3572 BJ",
            city="Utrecht",
            country="NL",
            latitude=Decimal("52.093200"),
            longitude=Decimal("5.130300"),
        )
        designer.full_clean()
        designer.save()
    participant_demo_approve(designer)
    participant_demo_onboard(designer, connect_onboard)
    user = User.objects.filter(email=DESIGNER_LOGIN).first()
    if user is not None:
        participant_member_add(participant=designer, user=user, role=MemberRole.OWNER)
    ProductTemplate.objects.filter(slug=DESIGNED_PRODUCT, designer__isnull=True).update(designer=designer)
    return designer
