"""POST /api/v1/quotes/: a price and delivery date for a design or a raw configuration.

Anonymous callers may quote raw configurations (template + values), exactly as the public configurator does (a
designer's CAD part's values are its options, quoted as its page quotes them, with the designer's royalty);
quoting a saved design needs the signed-in owner (another customer's design is a 404). A design the network
cannot make is refused (409, `code` "unmakeable", the reasons per step and machine), never priced. Quotes are
rate-limited per customer or client address (apps/storefront/throttles.py): over the limit, 429 with Retry-After.
"""

from dataclasses import asdict

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.api.views import template_for_input
from apps.catalog.selectors import design_get_for_owner
from apps.matching.makeable import DesignUnmakeable
from apps.matching.quoting import (
    SOURCE_INFEASIBLE,
    MatchingQuote,
    price_breaks,
    quote_configuration,
    quote_context,
)
from apps.storefront.api.serializers import QuoteRequestSerializer, QuoteSerializer
from apps.storefront.part_ordering import cad_product_quote_parameters
from apps.storefront.part_quoting import part_quote
from apps.storefront.throttles import QuoteRateThrottle
from apps.uploads.products import cad_product_configuration


class QuoteCreateApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [QuoteRateThrottle]

    @extend_schema(
        summary="Quote a design or a configuration",
        request=QuoteRequestSerializer,
        responses={
            200: QuoteSerializer,
            400: OpenApiResponse(
                description='Field errors, e.g. {"values": {"width": ["Must be at most 2400 mm."]}}.'
            ),
            401: OpenApiResponse(description="Quoting a saved design needs a signed-in customer."),
            404: OpenApiResponse(description="No such design among mine."),
            409: OpenApiResponse(
                description=(
                    'The network cannot make this design as configured: {"detail": …, "code": "unmakeable", '
                    '"reasons": [{"code", "steps", "step_keys", "change", "message", "machines": [{"company", '
                    '"machine", "kind", "detail"}]}]}; `change` says what to change (size, material, quantity, '
                    "date, address, later), each machine's `kind` why it cannot take the step (too_small, "
                    "wrong_material, closed, busy, …)."
                )
            ),
            429: OpenApiResponse(
                description="Too many quotes from this client; Retry-After says when to retry."
            ),
        },
    )
    def post(self, request):
        serializer = QuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = None
        if "design" in data:
            if not request.user.is_authenticated:
                raise NotAuthenticated("Sign in to quote a saved design.")
            design = design_get_for_owner(owner=request.user, design_id=data["design"])
            template, values, version = design.template, design.current_version.values, design.current_version
        else:
            template, values = template_for_input(data["template"]), data["values"]
        delivery = data["address"]["point"] if "address" in data else None
        if version is not None and template.has_fixed_part:
            # An uploaded part's design has no routing to compile: its saved operations are quoted.
            quote, breaks = part_quote(
                template=template,
                operations=version.operations,
                values=values,
                tenant=request.tenant,
                destination=delivery,
                parameters={"design_version": str(version.pk)},
            )
            return Response(QuoteSerializer(quote_json(quote, breaks, version)).data)
        if template.is_cad_product:
            # A designer's CAD part: its options checked and compiled, then quoted as its page quotes them.
            configuration = cad_product_configuration(template=template, values=values)
            quote, breaks = part_quote(
                template=template,
                operations=configuration.operations,
                values=configuration.values,
                tenant=request.tenant,
                destination=delivery,
                parameters={**cad_product_quote_parameters(template), "options": configuration.values},
            )
            return Response(QuoteSerializer(quote_json(quote, breaks)).data)
        context = quote_context(tenant=request.tenant, destination=delivery)  # the quote's and its breaks'
        quote = quote_configuration(
            template=template, values=values, tenant=request.tenant, destination=delivery, context=context
        )
        if quote.source == SOURCE_INFEASIBLE:
            raise DesignUnmakeable(quote.reasons)
        breaks = (
            price_breaks(
                template=template, values=values, tenant=request.tenant, destination=delivery, context=context
            )
            if quote.feasible
            else ()
        )
        return Response(QuoteSerializer(quote_json(quote, breaks, version)).data)


def quote_json(quote: MatchingQuote, breaks, version=None) -> dict:
    """A quote with its price breaks as the quotes APIs answer it (QuoteSerializer's input)."""
    return {
        "price_minor": quote.price_minor,
        "currency": quote.currency,
        "price": quote.price.format(),
        "delivery_date": quote.delivery_date,
        "lead_time_days": quote.lead_time_days,
        "asset_owner_count": quote.asset_owner_count,
        "breakdown": [asdict(step) for step in quote.breakdown],
        "margin_minor": quote.margin_minor,
        "royalty_minor": quote.royalty_minor,
        "source": quote.source,
        "source_label": quote.source_label,
        "expires_at": quote.expires_at,
        "design_version": version.pk if version else None,
        "values": quote.values,
        "destination": {"latitude": quote.destination[0], "longitude": quote.destination[1]}
        if quote.destination
        else None,
        "options": [asdict(option) for option in quote.options],
        "price_breaks": [asdict(row) for row in breaks],
    }
