"""API shapes of carts and orders. Input serializers only parse and validate shapes; services decide."""

from datetime import datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.orders.actions import order_allowed
from apps.orders.models import (
    Cart,
    CartLine,
    Order,
    OrderEvent,
    OrderLine,
    TransportLeg,
    WorkItem,
)


class CartLineSerializer(serializers.ModelSerializer):
    design_version = serializers.UUIDField(source="design_version_id")
    design = serializers.IntegerField(source="design_version.design_id")
    design_name = serializers.CharField(source="design_version.design.name")
    version_number = serializers.IntegerField(source="design_version.number")

    class Meta:
        model = CartLine
        fields = ["id", "design_version", "design", "design_name", "version_number", "quantity"]


class CartSerializer(serializers.ModelSerializer):
    lines = CartLineSerializer(many=True, source="prefetched_lines")
    quote = serializers.SerializerMethodField()

    class Meta:
        model = Cart
        fields = [
            "checkout_key",
            "lines",
            "recipient_name",
            "recipient_phone",
            "address_line",
            "postcode",
            "city",
            "country",
            "place",
            "latitude",
            "longitude",
            "requested_delivery_date",
            "quote",
        ]

    def get_quote(self, cart) -> dict | None:
        if not self.context.get("quote_fresh"):
            return None
        return {
            "total_minor": cart.quote_total_minor,
            "currency": cart.currency,
            "delivery_date": cart.quote_delivery_date,
            "expires_at": cart.quote_expires_at,
            "lines": cart.quote_lines,
            "option": cart.quote_option,
            "options": cart.quote_options,
        }


class CartAddressSerializer(serializers.Serializer):
    recipient_name = serializers.CharField(max_length=150)
    recipient_phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="For the driver of the last leg.",
    )
    address_line = serializers.CharField(max_length=200)
    postcode = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    city = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Town or city; looked up."
    )
    country = serializers.CharField(
        max_length=8, required=False, default="NL", help_text="ISO 3166-1 alpha-2 code, e.g. NL."
    )
    place = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Deprecated: send city and country."
    )
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        allow_null=True,
        default=None,
        help_text="Deprecated (advanced): coordinates used as sent instead of looking the city up.",
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        required=False,
        allow_null=True,
        default=None,
        help_text="Deprecated (advanced): see latitude.",
    )
    requested_delivery_date = serializers.DateField(required=False, allow_null=True, default=None)


class CartLineAddSerializer(serializers.Serializer):
    design_version = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=100, default=1)


class CartLineQuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=0, max_value=100)


class OrderCreateSerializer(serializers.Serializer):
    checkout_key = serializers.UUIDField(
        help_text="The cart's checkout_key: the same key twice makes one order."
    )
    expected_total_minor = serializers.IntegerField(
        min_value=0, help_text="The total of the quote you accept."
    )
    expected_delivery_date = serializers.DateField(help_text="The delivery date of the quote you accept.")
    delivery_option = serializers.ChoiceField(
        choices=["fastest", "balanced", "cheapest"],
        required=False,
        default="",
        help_text="The lead-time option you accept (one of the cart quote's `options`); default: the quote's own.",
    )


class OrderPaySerializer(serializers.Serializer):
    payment_method = serializers.RegexField(
        r"^pm_[A-Za-z0-9_]+$",
        max_length=100,
        help_text="A payment method id, e.g. pm_card_visa in test mode.",
    )


class OrderCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RefundRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    amount_minor = serializers.IntegerField(min_value=1, required=False)


class OrderLineSerializer(serializers.ModelSerializer):
    design_version = serializers.UUIDField(source="design_version_id")

    class Meta:
        model = OrderLine
        fields = ["position", "design_version", "description", "quantity", "unit_price_minor", "total_minor"]


class OrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = OrderEvent
        fields = ["kind", "from_status", "to_status", "actor", "reason", "created_at"]

    def get_actor(self, event) -> str:
        if event.actor_id:
            return event.actor.get_short_name()
        return event.actor_label


class WorkItemSerializer(serializers.ModelSerializer):
    asset_owner = serializers.CharField(source="asset_owner.name", default=None)

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "name",
            "process",
            "status",
            "asset_owner",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
        ]


class TransportLegSerializer(serializers.ModelSerializer):
    carrier = serializers.CharField(source="carrier.name", default=None)
    from_asset_owner = serializers.CharField(source="from_asset_owner.name", default=None)
    to_asset_owner = serializers.CharField(source="to_asset_owner.name", default=None)

    class Meta:
        model = TransportLeg
        fields = [
            "id",
            "status",
            "carrier",
            "from_asset_owner",
            "to_asset_owner",
            "is_last_mile",
            "planned_departure",
            "planned_arrival",
            "picked_up_at",
            "delivered_at",
        ]


class OrderListSerializer(serializers.ModelSerializer):
    eta = serializers.SerializerMethodField(
        help_text="Expected arrival at the customer while the order is on its way; null once delivered "
        "(see delivered_at) or before it is planned."
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "reference",
            "status",
            "currency",
            "total_minor",
            "refunded_minor",
            "promised_delivery_date",
            "eta",
            "delivered_at",
            "is_late",
            "created_at",
        ]

    def get_eta(self, order) -> datetime | None:
        return None if order.delivered_at else order.eta


class OrderDetailSerializer(OrderListSerializer):
    lines = OrderLineSerializer(many=True)
    events = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text="What the customer may do now: pay, cancel, request_refund (the same rule the services apply)."
    )

    class Meta(OrderListSerializer.Meta):
        fields = [
            *OrderListSerializer.Meta.fields,
            "requested_delivery_date",
            "delivery_option",
            "delivery_option_label",
            "delivery_option_note",
            "quote_expires_at",
            "recipient_name",
            "recipient_phone",
            "address_line",
            "postcode",
            "city",
            "country",
            "latitude",
            "longitude",
            "payment_error",
            "lines",
            "plan",
            "events",
            "payment",
            "actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, order) -> list[str]:
        return sorted(order_allowed(order).actions)

    def get_events(self, order) -> list[dict]:
        visible = [event for event in order.events.all() if event.customer_visible]
        return OrderEventSerializer(visible, many=True).data

    def get_plan(self, order) -> dict:
        from apps.orders.selectors import order_active_items, order_active_legs

        return {
            "work_items": WorkItemSerializer(order_active_items(order), many=True).data,
            "transport_legs": TransportLegSerializer(order_active_legs(order), many=True).data,
        }

    def get_payment(self, order) -> dict | None:
        current = [p for p in order.payments.all() if p.quote_revision == order.quote_revision]
        if not current:
            return None
        return {
            "payment_intent": current[0].payment_intent_id,
            "client_secret": current[0].client_secret,
            "status": current[0].status,
        }
