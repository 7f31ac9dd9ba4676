"""The consumer's cart, checkout, payment and order pages. Views parse input, check access, call one flow or service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.errors import Conflict, form_add_service_error
from apps.core.fragments import (
    CSRF_SLOT,
    csrf_fill,
    fragments_render,
    page_body_cached,
    page_body_key,
)
from apps.core.gazetteer import gazetteer_warm
from apps.core.money import Money
from apps.core.security import STRIPE_JS, csp_extend
from apps.designers.reviews import reviewed_line_ids
from apps.orders import checkout, ports
from apps.orders.access import design_version_orderable_get, order_get_for_customer
from apps.orders.actions import order_allowed, refund_deadline
from apps.orders.gantt import gantt_for_order
from apps.orders.models import CartLine, OrderPayment, RefundRequestStatus
from apps.orders.models.order import order_reference
from apps.orders.quotes import DeliveryOption
from apps.orders.refunding import order_cancel_and_refund
from apps.orders.selectors import (
    cart_lines_for,
    order_active_items,
    order_active_legs,
    order_rows_for_customer,
    order_settings_get,
)
from apps.orders.services import (
    AddressInput,
    CheckoutError,
    cart_address_set,
    cart_get_or_create,
    cart_line_add,
    cart_line_set_quantity,
    refund_request_create,
)
from apps.orders.services.cart import cart_quote_is_fresh
from apps.orders.status import PAYABLE, InvalidTransition, OrderStatus
from apps.storefront.forms_orders import (
    AddressForm,
    CancelForm,
    CardForm,
    CartAddForm,
    CartLineForm,
    PlaceOrderForm,
    RefundRequestForm,
)
from apps.storefront.order_page import order_list_fingerprint, order_page_fingerprint

CART = "storefront/orders/cart.html"
GANTT = "storefront/orders/_gantt.html"
PLAN_TIMES = "storefront/orders/_plan_times.html"
TIMELINE = "storefront/orders/_timeline.html"
ORDER_TABLE = "storefront/orders/_list_table.html"
ORDER_LIST = "storefront/orders/list.html"
ORDER_LIST_BODY = "storefront/orders/_list_body.html"
DETAIL = "storefront/orders/detail.html"
DETAIL_BODY = "storefront/orders/_detail_body.html"
PAY = "storefront/orders/pay.html"


# --- cart and checkout ---------------------------------------------------------------------------------------


def _address_initial(cart) -> dict:
    return {
        "recipient_name": cart.recipient_name or "",
        "recipient_phone": cart.recipient_phone,
        "address_line": cart.address_line,
        "postcode": cart.postcode,
        "city": cart.city,
        "country": cart.country or "NL",
        "requested_delivery_date": cart.requested_delivery_date,
    }


def _cart_context(request, *, address_form=None, place_result=None, quote_error: str = "", design_changes=()):
    """The cart with its quote. A cart whose quote no longer holds for what it contains (a line added, a
    quantity or the address changed, the lock expired) is quoted again here, so the price is always shown:
    to the saved address, or to the network's default delivery point until there is one."""
    cart = cart_get_or_create(customer=request.user)
    lines = list(cart_lines_for(cart))
    fresh = cart_quote_is_fresh(cart)
    if lines and not fresh and place_result is None and not quote_error:
        requoted = checkout.cart_quote(customer=request.user)
        quote_error = requoted.error
        design_changes = list(design_changes) + requoted.design_changes
        cart = requoted.cart if requoted.quote is not None else cart_get_or_create(customer=request.user)
        lines = list(cart_lines_for(cart))
        fresh = cart_quote_is_fresh(cart)
    place_form = None
    if fresh and cart.has_coordinates:
        place_form = PlaceOrderForm(
            initial={
                "checkout_key": cart.checkout_key,
                "seen_total_minor": cart.quote_total_minor,
                "seen_delivery_date": cart.quote_delivery_date,
                "delivery_option": cart.quote_option,
            }
        )
    option_forms = []
    if fresh:
        for data in cart.quote_options or ():
            option = DeliveryOption.from_json(data)
            if option.kind == cart.quote_option:  # the quote's own: the main form places it
                continue
            form = PlaceOrderForm(
                initial={
                    "checkout_key": cart.checkout_key,
                    "seen_total_minor": option.total_minor,
                    "seen_delivery_date": option.delivery_date,
                    "delivery_option": option.kind,
                },
                auto_id=False,  # one form per option on the page: no clashing ids
            )
            option_forms.append((option, form))
    quoted = (
        {(item["design_version_id"], item["quantity"]): item for item in (cart.quote_lines or [])}
        if fresh
        else {}
    )
    rows = [
        {"line": line, "quote": quoted.get((str(line.design_version_id), line.quantity))} for line in lines
    ]
    return {
        "cart": cart,
        "rows": rows,
        "address_form": address_form or AddressForm(initial=_address_initial(cart)),
        "quote_fresh": fresh,
        "place_form": place_form,
        "option_forms": option_forms,
        "place_result": place_result,
        "quote_error": quote_error,
        "design_changes": list(design_changes) or list(getattr(place_result, "design_changes", []) or []),
        "lock_minutes": order_settings_get().quote_lock_minutes,
    }


def _cart_page(request, *, status: int = 200, **context):
    """The cart page, or only its `cart` partial for htmx (a quantity or the address changed in place). htmx
    swaps 200 responses only: its fragment carries the inline errors with a 200."""
    if request.htmx:
        return render(request, f"{CART}#cart", _cart_context(request, **context))
    return render(request, CART, _cart_context(request, **context), status=status)


def _cart_changed(request):
    """After a change: htmx gets the re-quoted cart in place, a plain form post the page (post/redirect/get)."""
    return _cart_page(request) if request.htmx else redirect("storefront:cart")


@login_required
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def cart_view(request):
    gazetteer_warm()  # the page asks for an address: have the town look-up ready when it is saved
    return _cart_page(request)


@login_required
@require_POST
def cart_add(request):
    form = CartAddForm(request.POST)
    if not form.is_valid():
        raise Http404("No such design.")
    version = design_version_orderable_get(
        user=request.user, design_version_id=form.cleaned_data["design_version"]
    )
    try:
        cart_line_add(
            customer=request.user, design_version=version, quantity=form.cleaned_data["quantity"] or 1
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except Conflict as error:  # nobody in the network can make it: saved, never ordered
        messages.error(request, f"{version.design.name} cannot be added to your cart. {error}")
        return redirect("storefront:design_detail", design_id=version.design_id)
    else:
        messages.success(request, f"{version.design.name} is in your cart.")
    return redirect("storefront:cart")


@login_required
@require_POST
def cart_line_update(request, line_id: int):
    form = CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a quantity between 0 and 100.")
        return _cart_changed(request)
    try:
        cart_line_set_quantity(customer=request.user, line_id=line_id, quantity=form.cleaned_data["quantity"])
    except CartLine.DoesNotExist:
        raise Http404("No such line.") from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _cart_changed(request)


def _address_input(data: dict) -> AddressInput:
    return AddressInput(
        recipient_name=data.get("recipient_name") or "",
        recipient_phone=data.get("recipient_phone") or "",
        address_line=data.get("address_line") or "",
        postcode=data.get("postcode") or "",
        city=data.get("city") or "",
        country=data.get("country") or "NL",
    )


@login_required
@require_POST
def cart_address(request):
    form = AddressForm(request.POST)
    if form.is_valid():
        try:
            cart_address_set(
                customer=request.user,
                address=_address_input(form.cleaned_data),
                requested_delivery_date=form.cleaned_data.get("requested_delivery_date"),
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Shipping details saved.")
            return _cart_changed(request)
    return _cart_page(request, address_form=form, status=400)


@login_required
@require_POST
def cart_quote(request):
    result = checkout.cart_quote(customer=request.user)
    if result.error:
        return render(request, CART, _cart_context(request, quote_error=result.error), status=400)
    if result.design_changes:
        messages.warning(
            request, f"Re-quoted: {', '.join(result.design_changes)} changed since it was added to your cart."
        )
    return redirect("storefront:cart")


@login_required
@require_POST
def checkout_place(request):
    form = PlaceOrderForm(request.POST)
    if not form.is_valid():
        return render(request, CART, _cart_context(request, quote_error="Get a quote first."), status=400)
    try:
        result = checkout.checkout_place(
            customer=request.user,
            checkout_key=form.cleaned_data["checkout_key"],
            seen_total_minor=form.cleaned_data["seen_total_minor"],
            seen_delivery_date=form.cleaned_data["seen_delivery_date"],
            delivery_option=form.cleaned_data["delivery_option"],
        )
    except (CheckoutError, ports.QuoteUnavailable) as error:
        return render(request, CART, _cart_context(request, quote_error=str(error)), status=400)
    except Conflict as error:
        return render(request, CART, _cart_context(request, quote_error=str(error)), status=409)
    if result.changed:
        return render(request, CART, _cart_context(request, place_result=result), status=409)
    return redirect("storefront:order_pay", order_id=result.order.pk)


# --- payment -------------------------------------------------------------------------------------------------


def _pay_context(request, order, *, form=None, result=None) -> dict:
    gateway = ports.payments()
    mode = gateway.mode()
    payment = OrderPayment.objects.filter(order=order, quote_revision=order.quote_revision).first()
    return {
        "order": order,
        "lines": list(order.lines.all()),
        "form": form or CardForm(),
        "result": result,
        "mode": mode,
        "publishable_key": gateway.publishable_key() if mode == "stripe" else "",
        "client_secret": payment.client_secret if payment else "",
        "return_url": request.build_absolute_uri(reverse("storefront:order_detail", args=[order.pk])),
        "quote_expired": order.quote_expires_at <= timezone.now(),
    }


@login_required
@require_http_methods(["GET", "POST"])
@csp_extend(**STRIPE_JS)  # the Payment Element (real Stripe keys) loads from js.stripe.com; only this page
def order_pay(request, order_id: int):
    order = order_get_for_customer(user=request.user, order_id=order_id)
    if order.status not in PAYABLE:
        return redirect("storefront:order_detail", order_id=order.pk)
    if request.method == "GET":
        order = checkout.order_payment_ensure(order=order)
        return render(request, PAY, _pay_context(request, order))
    form = CardForm(request.POST)
    if not form.is_valid():
        return render(request, PAY, _pay_context(request, order, form=form), status=400)
    payment_method = checkout.payment_method_for_card(form.cleaned_data["card_number"])
    if payment_method is None:
        form.add_error(
            "card_number", "Use a test card: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined."
        )
        return render(request, PAY, _pay_context(request, order, form=form), status=400)
    result = checkout.checkout_pay(order=order, payment_method=payment_method)
    if result.status in ("paid", "already_paid"):
        # A fact that stays true: the order page says live what happens next (planning, planned...).
        messages.success(request, "Thank you: your payment went through.")
        return redirect("storefront:order_detail", order_id=order.pk)
    status = {"declined": 402, "requoted": 409, "not_payable": 409}.get(result.status, 503)
    return render(request, PAY, _pay_context(request, result.order, result=result), status=status)


# --- orders --------------------------------------------------------------------------------------------------


def _order_list_body_key(request, fingerprint: str) -> str:
    return page_body_key(
        "orders",
        templates=(ORDER_LIST_BODY, ORDER_TABLE),
        content=(request.user.pk, fingerprint, request.tenant.time_zone),  # is_late: the network's day
    )


@login_required
@require_http_methods(["GET"])
def order_list(request):
    """The customer's orders. A repeat view is one statement (the fingerprint of the customer's orders and their
    lines) and one cache read (order_page.py)."""

    def draw() -> tuple[str, None]:
        orders = list(order_rows_for_customer(customer=request.user))
        return render_to_string(ORDER_LIST_BODY, {"orders": orders}), None  # nothing on it moves with time

    body = page_body_cached(
        key_of=lambda fingerprint: _order_list_body_key(request, fingerprint),
        fingerprint=order_list_fingerprint(customer=request.user),
        read_fingerprint=lambda: order_list_fingerprint(customer=request.user),
        draw=draw,
        now=timezone.now(),
    )
    return render(request, ORDER_LIST, {"body": body})


# While an order is paid and being planned its page asks every second, so the plan shows within about a
# second of the matching run's end; afterwards changes come at the pace of workshops and carriers.
POLL_PLANNING_SECONDS, POLL_SECONDS, POLL_SETTLED_SECONDS = 1, 15, 60
_SETTLED = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.REFUNDED})


def order_poll_seconds(order) -> int:
    """How often the order page refreshes its live part."""
    if order.status == OrderStatus.PAID:
        return POLL_PLANNING_SECONDS
    return POLL_SETTLED_SECONDS if order.status in _SETTLED else POLL_SECONDS


def _name(company) -> str | None:
    return company.name if company else None


def _plan_fragments(gantt, *, events, items, legs) -> dict:
    """The plan's chart, its table of times and the timeline: each a function of the rows it shows (the chart
    also of the chart's `now`), so each is kept in the cache by those values (apps/core/fragments.py) and all three
    are read in one round trip when the page's body is drawn."""
    plan = (
        tuple(
            (item.pk, item.name, _name(item.asset_owner), item.planned_start, item.planned_end, item.status)
            for item in items
        ),
        tuple(
            (leg.is_last_mile, _name(leg.carrier), leg.planned_departure, leg.planned_arrival, leg.status)
            for leg in legs
        ),
    )
    timeline = tuple((event.created_at, event.to_label, event.reason) for event in events)
    gantt_html, plan_html, timeline_html = fragments_render(
        [
            (GANTT, gantt, {"gantt": gantt}),
            (PLAN_TIMES, plan, {"items": items, "legs": legs}),
            (TIMELINE, timeline, {"events": events}),
        ]
    )
    return {"gantt_html": gantt_html, "plan_times_html": plan_html, "timeline_html": timeline_html}


# The chart's "now" line moves in steps of this many seconds, so a kept order page holds for up to that long.
CHART_NOW_STEP_S = 300


def _chart_now(now: datetime) -> datetime:
    return datetime.fromtimestamp(now.timestamp() // CHART_NOW_STEP_S * CHART_NOW_STEP_S, tz=UTC)


def _detail_context(request, order, *, now: datetime) -> tuple[dict, datetime | None]:
    """The body's context, and the first moment after `now` it may read differently with time alone: the chart's
    "now" line taking its next step while it is on the chart, the refund deadline passing."""
    tz = ZoneInfo(request.tenant.time_zone)
    # The customer-visible events (selectors.order_with_page_detail), newest first.
    events = list(reversed(order.events.all()))
    items, legs = order_active_items(order), order_active_legs(order)
    allowed = order_allowed(order, now=now)
    lines = list(order.lines.all())
    # Delivered lines the customer has not reviewed yet get a "rate and review" link (one review per line).
    reviewed = reviewed_line_ids(lines=lines) if order.delivered_at else set()
    chart_now = _chart_now(now)
    gantt = gantt_for_order(order, now=chart_now, tz=tz)
    changes = []
    if gantt is not None and gantt.end is not None and chart_now <= gantt.end:
        changes.append(chart_now + timedelta(seconds=CHART_NOW_STEP_S))
    deadline = refund_deadline(order) if order.delivered_at else None
    if deadline is not None and now <= deadline:
        changes.append(deadline + timedelta(microseconds=1))  # `now > deadline` closes the refund request
    context = {
        "order": order,
        "lines": lines,
        "reviewable_line_ids": {line.pk for line in lines if line.pk not in reviewed}
        if order.delivered_at
        else set(),
        "events": events,
        "items": items,
        "legs": legs,
        **_plan_fragments(gantt, events=events, items=items, legs=legs),
        "can_cancel": allowed.can("cancel"),
        "can_request_refund": allowed.can("request_refund"),
        "refund_open": any(r.status == RefundRequestStatus.OPEN for r in order.refund_requests.all()),
        # Shown only beside the refund button.
        "refund_deadline": deadline if allowed.can("request_refund") else None,
        "needs_payment": allowed.can("pay"),
        "poll_seconds": order_poll_seconds(order),
        "now": now,
        "tz": tz,
    }
    return context, min(changes, default=None)


def _detail_body_key(request, order_id: int, part: str, fingerprint: str) -> str:
    return page_body_key(
        "order",
        templates=(DETAIL_BODY, GANTT, PLAN_TIMES, TIMELINE),
        content=(request.user.pk, order_id, part, fingerprint, request.tenant.time_zone),
    )


@login_required
@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def order_detail(request, order_id: int):
    """The order page; htmx polls its `live` partial (every second while the order is being planned). A repeat
    view is one statement (the fingerprint of every row the body shows) and one cache read (order_page.py)."""
    now = timezone.now()
    part = "live" if request.htmx else "page"
    fingerprint = order_page_fingerprint(customer=request.user, order_id=order_id)
    if fingerprint is None:
        raise Http404("No such order.")

    def draw() -> tuple[str, datetime | None]:
        order = order_get_for_customer(user=request.user, order_id=order_id, page=True)
        context, valid_until = _detail_context(request, order, now=now)
        template = f"{DETAIL_BODY}#live" if part == "live" else DETAIL_BODY
        return render_to_string(template, {**context, "csrf_token": CSRF_SLOT}), valid_until

    body = page_body_cached(
        key_of=lambda fingerprint: _detail_body_key(request, order_id, part, fingerprint),
        fingerprint=fingerprint,
        read_fingerprint=lambda: order_page_fingerprint(customer=request.user, order_id=order_id),
        draw=draw,
        now=now,
    )
    body = csrf_fill(body, request)
    if request.htmx:
        return HttpResponse(body)
    return render(request, DETAIL, {"reference": order_reference(order_id), "body": body})


@login_required
@require_POST
def order_cancel(request, order_id: int):
    order = order_get_for_customer(user=request.user, order_id=order_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    try:
        order_cancel_and_refund(
            order_id=order.pk,
            actor=request.user,
            reason=reason or "Cancelled by the customer",
            scope=request.user,
        )
    except InvalidTransition as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Your order is cancelled." + (" The payment is refunded in full." if order.charge_id else ""),
        )
    return redirect("storefront:order_detail", order_id=order.pk)


@login_required
@require_http_methods(["GET", "POST"])
def order_refund_request(request, order_id: int):
    order = order_get_for_customer(user=request.user, order_id=order_id)
    form = RefundRequestForm(request.POST or None, currency=order.currency)
    if request.method == "POST" and form.is_valid():
        try:
            refund_request_create(
                order_id=order.pk,
                customer=request.user,
                reason=form.cleaned_data["reason"],
                amount_minor=form.cleaned_data["amount"],
            )
        except (InvalidTransition, ValidationError) as error:
            form_add_service_error(form, error, field_map={"amount_minor": "amount"})
        else:
            messages.success(request, "Thank you. Our team will look at your refund request.")
            return redirect("storefront:order_detail", order_id=order.pk)
    left = Money(order.total_minor - order.refunded_minor, order.currency)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "storefront/orders/refund_request.html",
        {"order": order, "form": form, "left": left},
        status=status,
    )
