"""Quotes as values: what orders receive from the quoting function (storefront → matching), never computed here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True, slots=True)
class QuoteRequestLine:
    """One design version and how many of it: what a line asks the quoting function."""

    design_version_id: UUID
    quantity: int


@dataclass(frozen=True, slots=True)
class LineQuote:
    design_version_id: UUID
    quantity: int
    total_minor: int
    delivery_date: date


@dataclass(frozen=True, slots=True)
class OrderQuote:
    """The sum of the line quotes: total price and the latest line's delivery date."""

    currency: str
    total_minor: int
    delivery_date: date
    lines: tuple[LineQuote, ...]

    @classmethod
    def from_lines(cls, *, currency: str, lines: Sequence[LineQuote]) -> OrderQuote:
        if not lines:
            raise ValueError("A quote needs at least one line.")
        return cls(
            currency=currency,
            total_minor=sum(line.total_minor for line in lines),
            delivery_date=max(line.delivery_date for line in lines),
            lines=tuple(lines),
        )

    def same_terms(self, *, total_minor: int | None, delivery_date: date | None) -> bool:
        """Whether the customer would pay the same and get it the same day as in the quote they saw."""
        return self.total_minor == total_minor and self.delivery_date == delivery_date

    def as_json(self) -> list[dict]:
        return [
            {
                "design_version_id": str(line.design_version_id),
                "quantity": line.quantity,
                "total_minor": line.total_minor,
                "delivery_date": line.delivery_date.isoformat(),
            }
            for line in self.lines
        ]


def quote_fingerprint(
    *,
    lines: Sequence[QuoteRequestLine],
    latitude: Decimal | float | None,
    longitude: Decimal | float | None,
    requested_date: date | None,
) -> str:
    """What a quote was for: the same fingerprint means the same question, so the same answer still holds."""
    payload = {
        "lines": sorted([str(line.design_version_id), line.quantity] for line in lines),
        "to": [_coordinate(latitude), _coordinate(longitude)],
        "date": requested_date.isoformat() if requested_date else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _coordinate(value: Decimal | float | None) -> str | None:
    return None if value is None else f"{Decimal(str(value)):.6f}"
