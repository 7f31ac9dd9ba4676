"""Writes on carriers' rate cards."""

from __future__ import annotations

from django.db import transaction

from apps.suppliers.models import Carrier, RateCard
from apps.suppliers.selectors import network_settings

RATE_CARD_FIELDS = frozenset({"base_fee_minor", "per_km_minor", "per_kg_minor", "max_weight_kg"})


@transaction.atomic
def rate_card_update(*, carrier: Carrier, **fields) -> RateCard:
    """Sets the carrier's rate card (created on first use, in the network's currency). Validates everything
    first; on a ValidationError nothing is saved."""
    unknown = set(fields) - RATE_CARD_FIELDS
    if unknown:
        raise TypeError(f"Not rate card fields: {', '.join(sorted(unknown))}")
    card = RateCard.objects.select_for_update().filter(carrier=carrier).first()
    if card is None:
        card = RateCard(carrier=carrier, currency=network_settings().currency)
    for name, value in fields.items():
        setattr(card, name, value)
    card.full_clean()
    card.save()
    return card
