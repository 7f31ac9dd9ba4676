"""The customer's cart: lines, shipping address, wished-for date and the last quote shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.catalog.models import DesignVersion
from apps.core.coordinates import LATITUDE_VALIDATORS, LONGITUDE_VALIDATORS, coordinate_error
from apps.core.countries import country_code_normalize, validate_country_code
from apps.core.gazetteer import place_locate, place_unknown_message
from apps.orders import ports
from apps.orders.models import Cart, CartLine, Place
from apps.orders.quotes import OrderQuote, QuoteRequestLine, quote_fingerprint
from apps.orders.selectors import order_settings_get

MAX_QUANTITY = 100
MAX_LINES = 20


def cart_get_or_create(*, customer) -> Cart:
    cart, _ = Cart.objects.get_or_create(customer=customer)
    return cart


def cart_locked(*, customer) -> Cart:
    """The customer's cart row, locked for the rest of the transaction (serialises checkouts of one cart)."""
    cart_get_or_create(customer=customer)
    return Cart.objects.select_for_update().get(customer=customer)


def _quantity(quantity) -> int:
    try:
        value = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": "Enter a whole number."}) from None
    if not 1 <= value <= MAX_QUANTITY:
        raise ValidationError({"quantity": f"Order between 1 and {MAX_QUANTITY} of a design."})
    return value


def _quote_clear(cart: Cart) -> None:
    Cart.objects.filter(pk=cart.pk).update(
        quote_total_minor=None,
        quote_delivery_date=None,
        quote_expires_at=None,
        quote_fingerprint="",
        quote_lines=[],
    )


@transaction.atomic
def cart_line_add(*, customer, design_version: DesignVersion, quantity: int = 1) -> CartLine:
    """Adds a design version (the caller checked the customer may order it); adds up with an existing line.

    A design nobody in the network can make is refused (the design check's Conflict, with the reasons).
    """
    quantity = _quantity(quantity)
    ports.design_check(design_version=design_version)
    cart = cart_locked(customer=customer)
    line = cart.lines.filter(design_version=design_version).first()
    if line is None:
        if cart.lines.count() >= MAX_LINES:
            raise ValidationError({"design_version": f"A cart holds at most {MAX_LINES} designs."})
        line = CartLine.objects.create(cart=cart, design_version=design_version, quantity=quantity)
    else:
        line.quantity = _quantity(line.quantity + quantity)
        line.save(update_fields=["quantity"])
    _quote_clear(cart)
    return line


@transaction.atomic
def cart_line_set_quantity(*, customer, line_id: int, quantity: int) -> CartLine | None:
    """Sets a line's quantity; 0 removes it. A line of another customer's cart raises CartLine.DoesNotExist."""
    cart = cart_locked(customer=customer)
    line = cart.lines.get(pk=line_id)
    if int(quantity or 0) == 0:
        line.delete()
        _quote_clear(cart)
        return None
    line.quantity = _quantity(quantity)
    line.save(update_fields=["quantity"])
    _quote_clear(cart)
    return line


@dataclass(frozen=True)
class AddressInput:
    """A destination as people type it: street, postcode, town or city, country. The coordinates come from the
    gazetteer (apps.core.gazetteer.place_locate).

    Deprecated, kept for API clients that send them: `place_id` (a demo-region place) or `latitude` and
    `longitude` (used as given, never looked up)."""

    recipient_name: str = ""
    recipient_phone: str = ""
    address_line: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"
    place_id: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def address_resolve(address: AddressInput) -> dict:
    """The address fields to store, with coordinates from the gazetteer (or, deprecated, a picked place or the
    coordinates sent); raises ValidationError keyed by field, e.g. `city` for a place nobody knows."""
    errors = {}
    fields = {
        "recipient_name": address.recipient_name.strip()[:150],
        "recipient_phone": address.recipient_phone.strip()[:40],
        "address_line": address.address_line.strip()[:200],
        "postcode": address.postcode.strip()[:12],
        "city": address.city.strip()[:100],
        "country": country_code_normalize(address.country or "NL"),
        "place": None,
        "latitude": address.latitude,
        "longitude": address.longitude,
    }
    if not address.place_id:
        try:
            validate_country_code(fields["country"])
        except ValidationError as error:
            errors["country"] = error.messages[0]
    if address.place_id:
        place = Place.objects.filter(pk=address.place_id).first()
        if place is None:
            errors["place"] = "Pick a place from the list."
        else:
            fields.update(
                place=place, latitude=place.latitude, longitude=place.longitude, country=place.country
            )
            fields["city"] = fields["city"] or place.name
            fields["postcode"] = fields["postcode"] or place.postcode
    elif address.latitude is not None or address.longitude is not None:
        if address.latitude is None:
            errors["latitude"] = "Send both coordinates, or neither (then the city is looked up)."
        elif message := coordinate_error(Decimal(address.latitude), LATITUDE_VALIDATORS):
            errors["latitude"] = message
        if address.longitude is None:
            errors["longitude"] = "Send both coordinates, or neither (then the city is looked up)."
        elif message := coordinate_error(Decimal(address.longitude), LONGITUDE_VALIDATORS):
            errors["longitude"] = message
        if not fields["city"]:
            errors["city"] = "Which town or city?"
    elif not fields["city"]:
        errors["city"] = "Which town or city?"
    elif "country" not in errors:
        located = place_locate(city=fields["city"], country=fields["country"])
        if located is None:
            errors["city"] = place_unknown_message(fields["city"], fields["country"])
        else:
            fields["latitude"], fields["longitude"] = (Decimal(str(c)) for c in located.point)
    if not fields["recipient_name"]:
        errors["recipient_name"] = "Who receives the parcel?"
    if not fields["address_line"]:
        errors["address_line"] = "Street and house number, please."
    if errors:
        raise ValidationError(errors)
    for key in ("latitude", "longitude"):
        fields[key] = Decimal(str(fields[key])).quantize(Decimal("0.000001"))
    return fields


def requested_date_validate(requested: date | None, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if requested is not None and requested <= today:
        raise ValidationError({"requested_delivery_date": "Pick a date after today."})
    if requested is not None and requested > today + timedelta(days=365):
        raise ValidationError({"requested_delivery_date": "Pick a date within a year."})


@transaction.atomic
def cart_address_set(*, customer, address: AddressInput, requested_delivery_date: date | None) -> Cart:
    fields = address_resolve(address)
    requested_date_validate(requested_delivery_date)
    cart = cart_locked(customer=customer)
    for key, value in fields.items():
        setattr(cart, key, value)
    cart.requested_delivery_date = requested_delivery_date
    cart.save()
    return cart


def cart_request_lines(cart: Cart) -> list[QuoteRequestLine]:
    return [
        QuoteRequestLine(design_version_id=line.design_version_id, quantity=line.quantity)
        for line in cart.lines.all()
    ]


def cart_fingerprint(cart: Cart) -> str:
    return quote_fingerprint(
        lines=cart_request_lines(cart),
        latitude=cart.latitude,
        longitude=cart.longitude,
        requested_date=cart.requested_delivery_date,
    )


@transaction.atomic
def cart_versions_refresh(*, customer) -> list[str]:
    """Moves every line to its design's current version; returns the names of designs that changed.

    Orders pin versions, so a design edited after it was quoted must be quoted again before checkout.
    """
    cart = cart_locked(customer=customer)
    changed = []
    for line in cart.lines.select_related("design_version__design__current_version"):
        design = line.design_version.design
        current = design.current_version
        if current is None or current.pk == line.design_version_id:
            continue
        duplicate = cart.lines.filter(design_version=current).exclude(pk=line.pk).first()
        if duplicate is not None:
            duplicate.quantity = min(MAX_QUANTITY, duplicate.quantity + line.quantity)
            duplicate.save(update_fields=["quantity"])
            line.delete()
        else:
            line.design_version = current
            line.save(update_fields=["design_version"])
        changed.append(design.name)
    if changed:
        _quote_clear(cart)
    return changed


@transaction.atomic
def cart_quote_store(*, customer, quote: OrderQuote, fingerprint: str) -> Cart:
    """Locks a quote on the cart for the network's quote lock time."""
    cart = cart_locked(customer=customer)
    minutes = order_settings_get().quote_lock_minutes
    cart.currency = quote.currency
    cart.quote_total_minor = quote.total_minor
    cart.quote_delivery_date = quote.delivery_date
    cart.quote_expires_at = timezone.now() + timedelta(minutes=minutes)
    cart.quote_fingerprint = fingerprint
    cart.quote_lines = quote.as_json()
    cart.quote_options = [option.as_json() for option in quote.options]
    cart.quote_option = quote.option
    cart.save()
    return cart


def cart_quote_is_fresh(cart: Cart, *, now=None) -> bool:
    """The cart's quote still holds: not expired and for exactly what is in the cart now."""
    now = now or timezone.now()
    return (
        cart.quote_total_minor is not None
        and cart.quote_expires_at is not None
        and cart.quote_expires_at > now
        and cart.quote_fingerprint == cart_fingerprint(cart)
    )
