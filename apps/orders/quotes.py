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
    royalty_minor: int = 0  # the designer's royalty included in total_minor


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    """One lead-time option of a quote: a distinct feasible plan with its price, day and what makes it sooner.
    `line_totals` follow the quote's lines; `lots` is how its long batches are shared out (the commit splits
    them alike)."""

    kind: str  # "fastest", "balanced", "cheapest"
    label: str
    total_minor: int
    delivery_date: date
    lots: int
    faster_because: str
    line_totals: tuple[int, ...]
    line_royalties: tuple[int, ...] = ()  # the designers' royalties included in line_totals

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "total_minor": self.total_minor,
            "delivery_date": self.delivery_date.isoformat(),
            "lots": self.lots,
            "faster_because": self.faster_because,
            "line_totals": list(self.line_totals),
            "line_royalties": list(self.line_royalties),
        }

    @classmethod
    def from_json(cls, data: dict) -> DeliveryOption:
        return cls(
            kind=data["kind"],
            label=data["label"],
            total_minor=int(data["total_minor"]),
            delivery_date=date.fromisoformat(data["delivery_date"]),
            lots=int(data["lots"]),
            faster_because=data.get("faster_because", ""),
            line_totals=tuple(int(t) for t in data["line_totals"]),
            line_royalties=tuple(int(r) for r in data.get("line_royalties", ())),
        )


@dataclass(frozen=True, slots=True)
class OrderQuote:
    """The sum of the line quotes: total price and the latest line's delivery date; with the lead-time
    options it was chosen from (fastest first) and which one it is."""

    currency: str
    total_minor: int
    delivery_date: date
    lines: tuple[LineQuote, ...]
    options: tuple[DeliveryOption, ...] = ()
    option: str = ""
    lots: int = 1

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

    @property
    def chosen(self) -> DeliveryOption | None:
        return next((o for o in self.options if o.kind == self.option), None)

    def choose(self, kind: str) -> OrderQuote | None:
        """This quote as the option `kind` prices it (None when no such option is offered)."""
        option = next((o for o in self.options if o.kind == kind), None)
        if option is None:
            return None
        royalties = option.line_royalties or (0,) * len(self.lines)
        lines = tuple(
            LineQuote(
                design_version_id=line.design_version_id,
                quantity=line.quantity,
                total_minor=total,
                delivery_date=option.delivery_date,
                royalty_minor=royalty,
            )
            for line, total, royalty in zip(self.lines, option.line_totals, royalties, strict=True)
        )
        return OrderQuote(
            currency=self.currency,
            total_minor=option.total_minor,
            delivery_date=option.delivery_date,
            lines=lines,
            options=self.options,
            option=option.kind,
            lots=option.lots,
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
                "royalty_minor": line.royalty_minor,
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
