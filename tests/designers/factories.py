"""Builders for designers. They write to whatever schema the connection is set to."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.catalog.models import Design, DesignVersion, ProductTemplate
from apps.designers.models import Designer
from apps.designers.services import designer_slug_free
from apps.orders.models import Order, OrderLine
from apps.orders.status import OrderStatus
from apps.suppliers.services import participant_member_add
from apps.suppliers.status import MemberRole, ParticipantStatus
from tests.conftest import PASSWORD
from tests.suppliers.factories import _company_fields, _promote, _seq


def make_designer(
    name: str = "Studio", *, status: str = ParticipantStatus.APPROVED, onboarded: bool = False, bio: str = ""
) -> Designer:
    fields = _company_fields(name)
    designer = Designer(**fields, slug=designer_slug_free(fields["name"]), bio=bio)
    designer.full_clean()
    designer.save()
    return _promote(designer, status, onboarded)


def make_designer_member(designer: Designer, *, role: str = MemberRole.OWNER, email: str | None = None):
    """A portal login of `designer` (in the connection's current schema)."""
    user = user_create(
        email=email or f"designer{next(_seq)}@example.test", password=PASSWORD, role=Role.DESIGNER_MEMBER
    )
    participant_member_add(participant=designer, user=user, role=role)
    return user


def make_designer_template(
    designer: Designer | None, name: str = "Lamp", *, active: bool = True
) -> ProductTemplate:
    """A catalogue product owned by `designer` (no parameters: enough for listing, reviews and ownership)."""
    n = next(_seq)
    return ProductTemplate.objects.create(
        name=f"{name} {n}",
        slug=f"{slugify(name)}-{n}-{uuid.uuid4().hex[:6]}",
        category="Lighting",
        description=f"A {name.lower()}.",
        designer=designer,
        active=active,
    )


def make_ordered_line(customer, template: ProductTemplate, *, delivered: bool = True) -> OrderLine:
    """A line of `customer`'s order for a design of `template`, delivered (or only paid)."""
    design = Design.objects.create(
        owner=customer, template=template, name="Mine", share_token=uuid.uuid4().hex
    )
    version = DesignVersion.objects.create(design=design, number=1, values={}, operations=[])
    now = timezone.now()
    order = Order.objects.create(
        customer=customer,
        status=OrderStatus.DELIVERED if delivered else OrderStatus.PAID,
        checkout_key=uuid.uuid4(),
        currency="EUR",
        total_minor=5000,
        promised_delivery_date=now.date() + timedelta(days=10),
        quote_expires_at=now + timedelta(minutes=15),
        paid_at=now,
        delivered_at=now if delivered else None,
    )
    return OrderLine.objects.create(
        order=order,
        position=1,
        design_version=version,
        description=template.name,
        quantity=1,
        unit_price_minor=5000,
        total_minor=5000,
    )
