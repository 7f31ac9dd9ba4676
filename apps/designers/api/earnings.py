"""A designer's sales and earnings over the API: the same reads and scope as the earnings pages.

GET /api/v1/designer/sales/?period=month|week&start=YYYY-MM-DD&end=YYYY-MM-DD — sales per product and period;
400 with field errors for a bad period or dates.
GET /api/v1/designer/earnings/ — per currency: expected, pending, transferred, paid out; the latest transfers.
GET /api/v1/designer/statements/<order_id>/ — the designer's statement of one order (own lines only); 404 for an
order that is not the designer's (or missing). Anyone who is not a member of an open designer gets 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.designers.access import designer_membership_get
from apps.designers.earnings_filters import PERIOD_CHOICES, SalesFilterForm
from apps.payouts.designer_earnings import designer_sales, designer_statement_for_order
from apps.payouts.selectors import participant_money_summary, transfer_list_for_participant

TRANSFERS_LISTED = 50
NOT_YOURS = OpenApiResponse(description="Not a designer's member, or not one of your orders.")


class DesignerSalesRowSerializer(serializers.Serializer):
    period = serializers.DateTimeField(help_text="Start of the month or week (by the payment date).")
    template_id = serializers.IntegerField()
    product = serializers.CharField()
    currency = serializers.CharField(help_text="ISO 4217 code.")
    orders = serializers.IntegerField()
    units = serializers.IntegerField()
    sales_minor = serializers.IntegerField(help_text="What customers paid for the lines, royalty included.")
    royalty_minor = serializers.IntegerField(help_text="Your royalties on these lines, in minor units.")


class DesignerMoneySerializer(serializers.Serializer):
    currency = serializers.CharField()
    expected_minor = serializers.IntegerField(help_text="Royalties of orders not completed yet.")
    pending_minor = serializers.IntegerField(help_text="Released, being transferred.")
    transferred_minor = serializers.IntegerField(help_text="In your Stripe balance, net of reversals.")
    paid_out_minor = serializers.IntegerField()
    in_transit_minor = serializers.IntegerField()


class DesignerTransferSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    order = serializers.CharField(source="order.reference")
    order_line = serializers.IntegerField(source="order_line_id")
    amount_minor = serializers.IntegerField()
    amount_reversed_minor = serializers.IntegerField()
    currency = serializers.CharField()
    status = serializers.CharField()
    stripe_transfer_id = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)


class DesignerEarningsSerializer(serializers.Serializer):
    money = DesignerMoneySerializer(many=True)
    transfers = DesignerTransferSerializer(many=True)


class DesignerStatementPartSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(source="order_line_id")
    label = serializers.CharField()
    royalty_minor = serializers.IntegerField(source="cost_minor")
    adjustment_minor = serializers.IntegerField()
    amount_minor = serializers.IntegerField()


class DesignerStatementSerializer(serializers.Serializer):
    order = serializers.CharField(source="order.reference")
    currency = serializers.CharField()
    policy_version = serializers.IntegerField(source="split.policy.version")
    revision = serializers.IntegerField(source="split.revision")
    amount_minor = serializers.IntegerField()
    parts = DesignerStatementPartSerializer(many=True, source="parts.all")
    lines = serializers.ListField(child=serializers.CharField())
    computed_at = serializers.DateTimeField()


class _DesignerApi(APIView):
    def designer(self):
        return designer_membership_get(user=self.request.user).designer  # Http404 → 404


class DesignerSalesApi(_DesignerApi):
    @extend_schema(
        tags=["designer earnings"],
        summary="Your sales per product and period",
        parameters=[
            OpenApiParameter("period", str, enum=[value for value, _ in PERIOD_CHOICES], required=False),
            OpenApiParameter("start", str, description="YYYY-MM-DD, first day included.", required=False),
            OpenApiParameter("end", str, description="YYYY-MM-DD, last day included.", required=False),
        ],
        responses={
            200: DesignerSalesRowSerializer(many=True),
            400: OpenApiResponse(description="Field errors."),
            404: NOT_YOURS,
        },
    )
    def get(self, request):
        designer = self.designer()
        form = SalesFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
        rows = designer_sales(designer=designer, **form.range())
        return Response(DesignerSalesRowSerializer(rows, many=True).data)


class DesignerEarningsApi(_DesignerApi):
    @extend_schema(
        tags=["designer earnings"],
        summary="Your royalties: where the money is, and the latest transfers",
        responses={200: DesignerEarningsSerializer, 404: NOT_YOURS},
    )
    def get(self, request):
        designer = self.designer()
        summary = participant_money_summary(designer=designer)
        transfers = transfer_list_for_participant(designer=designer)[:TRANSFERS_LISTED]
        return Response(
            DesignerEarningsSerializer(
                {"money": [summary[currency] for currency in sorted(summary)], "transfers": list(transfers)}
            ).data
        )


class DesignerStatementApi(_DesignerApi):
    @extend_schema(
        tags=["designer earnings"],
        summary="Your statement of one order (your lines only)",
        responses={200: DesignerStatementSerializer, 404: NOT_YOURS},
    )
    def get(self, request, order_id: int):
        statement = designer_statement_for_order(designer=self.designer(), order_id=order_id)
        if statement is None:
            raise NotFound("No statement of yours for this order.")
        return Response(DesignerStatementSerializer(statement).data)
