"""POST /api/v1/uploads/<id>/quote/: the network's price and dates for an uploaded part with chosen options.

Lives with the storefront's quotes API rather than in apps/uploads/api: quoting needs the matching engine, a layer
above uploads. Takes {"options": {…}, "quantity": n, "address": {…}} (the address as POST /api/v1/quotes/ takes
it, optional) and answers like that API: price, delivery date, lead-time options and the part template's price
breaks. Only the uploader (404 otherwise); options not offered are a 400 under "options"; a part that cannot be
made — the analysis's or the network's findings, or no plan in the network — a 409 with the findings or reasons.
Rate-limited like every quote.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.part_templates import part_template_ensure
from apps.storefront.api.serializers import QuoteAddressSerializer, QuoteSerializer
from apps.storefront.api.views import quote_json
from apps.storefront.part_quoting import part_quote
from apps.storefront.throttles import QuoteRateThrottle
from apps.uploads.access import upload_get_for_owner
from apps.uploads.designs import part_compile

MAX_QUANTITY = 1000


class PartQuoteRequestSerializer(serializers.Serializer):
    options = serializers.DictField(child=serializers.JSONField(allow_null=True))
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)
    address = QuoteAddressSerializer(required=False)


class PartQuoteApi(APIView):
    throttle_classes = [QuoteRateThrottle]

    @extend_schema(
        summary="Quote an uploaded part with its options",
        request=PartQuoteRequestSerializer,
        responses={
            200: QuoteSerializer,
            400: OpenApiResponse(
                description='{"options": {"thickness_mm": ["Steel is cut in: 1 mm, 2 mm."]}}'
            ),
            404: OpenApiResponse(description="No such upload among mine."),
            409: OpenApiResponse(
                description='{"code": "unmakeable", "findings": […]} (the part) or {"code": "unmakeable", '
                '"reasons": […]} (no workshop can take a step), or {"code": "part_not_ready"}.'
            ),
            429: OpenApiResponse(description="Too many quotes; Retry-After says when to retry."),
        },
    )
    def post(self, request, upload_id):
        serializer = PartQuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = upload_get_for_owner(user=request.user, upload_id=upload_id)
        compiled = part_compile(upload=upload, options=data["options"])
        quote, breaks = part_quote(
            template=part_template_ensure(kind=compiled.kind, currency=request.tenant.currency),
            operations=compiled.operations,
            values=compiled.options,
            tenant=request.tenant,
            destination=data["address"]["point"] if "address" in data else None,
            quantity=data["quantity"],
            parameters={"upload": str(upload.pk)},
        )
        return Response(QuoteSerializer(quote_json(quote, breaks)).data)
