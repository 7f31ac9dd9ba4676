"""Writes on designers: applying. Staff decisions, suspension and the Stripe Connect state are the participant
services of apps/suppliers/services/participants.py, which serve every kind of participant."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from apps.accounts.roles import Role
from apps.designers.models import Designer
from apps.suppliers.services import participant_register

SLUG_MAX = Designer._meta.get_field("slug").max_length


def designer_slug_free(name: str) -> str:
    """A slug for the public page made of `name`, numbered when another designer has it ("ada-2")."""
    base = (slugify(name) or "designer")[: SLUG_MAX - 4].strip("-") or "designer"
    taken = set(Designer.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def designer_apply(
    *,
    name: str,
    contact_name: str,
    contact_email: str,
    password: str,
    street: str,
    postal_code: str,
    city: str,
    country: str,
    latitude: Decimal,
    longitude: Decimal,
    phone: str = "",
    bio: str = "",
) -> Designer:
    """A designer applies to the network: the designer (status applied, its public page's slug made from its
    name) and its first login (role owner), inactive until its e-mail is confirmed.

    Raises ValidationError (per field) for invalid data or an e-mail address already in use; nothing is written."""
    designer = Designer(
        name=name,
        slug=designer_slug_free(name),
        bio=bio,
        contact_name=contact_name,
        contact_email=contact_email,
        phone=phone,
        street=street,
        postal_code=postal_code,
        city=city,
        country=country,
        latitude=latitude,
        longitude=longitude,
    )
    return participant_register(participant=designer, password=password, role=Role.DESIGNER_MEMBER)
