"""The cart and order API of the signed-in customer. Every object is resolved through the customer's scope;
another customer's order or line is a 404, like a missing one."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.orders import checkout
from apps.orders.access import design_version_orderable_get, order_get_for_customer
from apps.orders.api.serializers import (
    CartAddressSerializer,
    CartLineAddSerializer,
    CartLineQuantitySerializer,
    CartSerializer,
    OrderCancelSerializer,
    OrderCreateSerializer,
    OrderDetailSerializer,
    OrderListSerializer,
    OrderPaySerializer,
    RefundRequestSerializer,
)
from apps.orders.refunding import order_cancel_and_refund
from apps.orders.selectors import cart_lines_for, order_list_for_customer
from apps.orders.services import (
    AddressInput,
    cart_address_set,
    cart_get_or_create,
    cart_line_add,
    cart_line_set_quantity,
    refund_request_create,
)
from apps.orders.services.cart import cart_quote_is_fresh


def _cart_response(request, *, status_code=status.HTTP_200_OK, extra: dict | None = None) -> Response:
    cart = cart_get_or_create(customer=request.user)
    cart.prefetched_lines = list(cart_lines_for(cart))
    data = CartSerializer(cart, context={"quote_fresh": cart_quote_is_fresh(cart)}).data
    return Response({**data, **(extra or {})}, status=status_code)


class CartApi(APIView):
    @extend_schema(summary="My cart", responses=CartSerializer)
    def get(self, request):
        return _cart_response(request)

    @extend_schema(
        summary="Set the shipping address and wished-for date",
        description=(
            "Street, postcode, town or city and country, as people write them: the town is looked up in the "
            "gazetteer (an unknown town is a 400 on `city`). `place`, `latitude` and `longitude` are deprecated "
            "and still honoured (coordinates are then used as sent)."
        ),
        request=CartAddressSerializer,
        responses={200: CartSerializer, 400: OpenApiResponse(description="Field errors.")},
    )
    def put(self, request):
        serializer = CartAddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        address = AddressInput(
            recipient_name=data["recipient_name"],
            recipient_phone=data["recipient_phone"],
            address_line=data["address_line"],
            postcode=data["postcode"],
            city=data["city"],
            country=data["country"],
            place_id=data["place"],
            latitude=data["latitude"],
            longitude=data["longitude"],
        )
        cart_address_set(
            customer=request.user, address=address, requested_delivery_date=data["requested_delivery_date"]
        )
        return _cart_response(request)


class CartLinesApi(APIView):
    @extend_schema(
        summary="Add a design version to my cart",
        request=CartLineAddSerializer,
        responses={
            201: CartSerializer,
            400: OpenApiResponse(description="Field errors."),
            404: None,
            409: OpenApiResponse(
                description=(
                    'The network cannot make this design: {"detail", "code": "unmakeable", "reasons": […]} as '
                    "POST /api/v1/quotes/ answers it. Saved designs stay; they are not sold."
                )
            ),
        },
    )
    def post(self, request):
        serializer = CartLineAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            version = design_version_orderable_get(
                user=request.user, design_version_id=serializer.validated_data["design_version"]
            )
        except Http404:
            raise ValidationError(
                {"design_version": ["No such design version among your designs."]}
            ) from None
        cart_line_add(
            customer=request.user, design_version=version, quantity=serializer.validated_data["quantity"]
        )
        return _cart_response(request, status_code=status.HTTP_201_CREATED)


class CartLineApi(APIView):
    @extend_schema(
        summary="Change a line's quantity (0 removes it)",
        request=CartLineQuantitySerializer,
        responses=CartSerializer,
    )
    def patch(self, request, line_id: int):
        serializer = CartLineQuantitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart_line_set_quantity(
            customer=request.user, line_id=line_id, quantity=serializer.validated_data["quantity"]
        )
        return _cart_response(request)

    @extend_schema(summary="Remove a line", responses={204: None})
    def delete(self, request, line_id: int):
        cart_line_set_quantity(customer=request.user, line_id=line_id, quantity=0)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartQuoteApi(APIView):
    @extend_schema(
        summary="Quote my cart and lock the quote",
        request=None,
        responses={200: CartSerializer, 400: OpenApiResponse(description="Why the cart cannot be quoted.")},
    )
    def post(self, request):
        result = checkout.cart_quote(customer=request.user)
        if result.error:
            raise ValidationError({"non_field_errors": [result.error]})
        return _cart_response(request, extra={"design_changes": result.design_changes})


class OrderListCreateApi(generics.ListAPIView):
    # A generic list view so that the schema documents the paginated envelope and limit/offset.
    serializer_class = OrderListSerializer

    def get_queryset(self):
        return order_list_for_customer(customer=self.request.user)

    @extend_schema(summary="My orders")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Place an order from my cart",
        request=OrderCreateSerializer,
        responses={
            201: OrderDetailSerializer,
            200: OpenApiResponse(
                OrderDetailSerializer, description="This checkout_key already made this order."
            ),
            400: OpenApiResponse(description="Field errors, an empty cart, an outdated checkout_key."),
            409: OpenApiResponse(
                description=(
                    "The quote changed: the body carries the new one; accept it and retry. Or a design in the "
                    'cart can no longer be made (code "unmakeable", with the reasons).'
                )
            ),
        },
    )
    def post(self, request):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        existed = checkout.order_find_by_checkout_key(
            customer=request.user, checkout_key=data["checkout_key"]
        )
        result = checkout.checkout_place(
            customer=request.user,
            checkout_key=data["checkout_key"],
            seen_total_minor=data["expected_total_minor"],
            seen_delivery_date=data["expected_delivery_date"],
            delivery_option=data["delivery_option"],
        )
        if result.changed:
            return Response(
                {
                    "detail": "The quote changed; accept the new total and date and place the order again.",
                    "design_changes": result.design_changes,
                    "quote": {
                        "total_minor": result.quote.total_minor,
                        "currency": result.quote.currency,
                        "delivery_date": result.quote.delivery_date,
                        "option": result.quote.option,
                        "options": [option.as_json() for option in result.quote.options],
                    },
                },
                status=status.HTTP_409_CONFLICT,
            )
        order = order_get_for_customer(user=request.user, order_id=result.order.pk, detail=True)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(OrderDetailSerializer(order).data, status=code)


class OrderDetailApi(APIView):
    @extend_schema(summary="One of my orders, with its plan and events", responses=OrderDetailSerializer)
    def get(self, request, order_id: int):
        order = order_get_for_customer(user=request.user, order_id=order_id, detail=True)
        return Response(OrderDetailSerializer(order).data)


class OrderPayApi(APIView):
    @extend_schema(
        summary="Pay an order (server-side confirm; test payment methods in local mode)",
        request=OrderPaySerializer,
        responses={
            200: OrderDetailSerializer,
            402: OpenApiResponse(
                description="Declined: the order stays awaiting payment; retry with another."
            ),
            409: OpenApiResponse(
                description="The quote expired and changed (the body has the new terms), or the order can no "
                "longer be paid (cancelled, refunded)."
            ),
            503: OpenApiResponse(description="Payments or quoting are unavailable; retry shortly."),
        },
    )
    def post(self, request, order_id: int):
        order = order_get_for_customer(user=request.user, order_id=order_id)
        serializer = OrderPaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = checkout.checkout_pay(
            order=order, payment_method=serializer.validated_data["payment_method"]
        )
        order = order_get_for_customer(user=request.user, order_id=order_id, detail=True)
        body = OrderDetailSerializer(order).data
        if result.status in ("paid", "already_paid"):
            return Response(body)
        codes = {"declined": 402, "requoted": 409, "not_payable": 409, "requires_action": 402}
        body = {**body, "detail": result.message, "result": result.status}
        return Response(body, status=codes.get(result.status, status.HTTP_503_SERVICE_UNAVAILABLE))


class OrderCancelApi(APIView):
    @extend_schema(
        summary="Cancel my order before production starts (a paid order is refunded in full)",
        request=OrderCancelSerializer,
        responses={200: OrderDetailSerializer, 409: OpenApiResponse(description="Production has started.")},
    )
    def post(self, request, order_id: int):
        order = order_get_for_customer(user=request.user, order_id=order_id)
        serializer = OrderCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_cancel_and_refund(
            order_id=order.pk,
            actor=request.user,
            reason=serializer.validated_data["reason"] or "Cancelled by the customer",
            scope=request.user,
        )
        order = order_get_for_customer(user=request.user, order_id=order_id, detail=True)
        return Response(OrderDetailSerializer(order).data)


class OrderRefundRequestApi(APIView):
    @extend_schema(
        summary="Ask for a refund after delivery (within the network's window)",
        request=RefundRequestSerializer,
        responses={
            201: None,
            400: OpenApiResponse(description="Field errors."),
            409: OpenApiResponse(description="Not now."),
        },
    )
    def post(self, request, order_id: int):
        order = order_get_for_customer(user=request.user, order_id=order_id)
        serializer = RefundRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund_request = refund_request_create(
            order_id=order.pk,
            customer=request.user,
            reason=serializer.validated_data["reason"],
            amount_minor=serializer.validated_data.get("amount_minor"),
        )
        return Response(
            {
                "id": refund_request.pk,
                "status": refund_request.status,
                "amount_minor": refund_request.amount_minor,
            },
            status=status.HTTP_201_CREATED,
        )
