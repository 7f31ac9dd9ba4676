"""The designer's CAD products API (/api/v1/designer/cad-products/…): a product made of an uploaded part (upload it
first with POST /api/v1/uploads/, as customers do; the analysis runs the same way), the options the network offers
for it and those the designer narrows them to, and a test quote as customers would get it. Submitting, new
versions and retiring are the templates API's (/api/v1/designer/templates/<id>/submit/ …): a CAD product is one of
the designer's templates.

Another designer's upload or product is a 404 like a missing one; a published version answers 409; options the
part does not have or the network does not offer are a 400 under `options.<option>`; a customer's options outside
the designer's subset a 400 under "options".
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.api.version_serializers import TemplateVersionDetailSerializer
from apps.catalog.models import ProductTemplate
from apps.designers.api.studio import BAD_INPUT, FROZEN, DesignerScoped
from apps.storefront.api.part_quotes import MAX_QUANTITY
from apps.storefront.api.serializers import QuoteSerializer
from apps.storefront.api.views import quote_json
from apps.storefront.part_ordering import cad_product_quote_parameters
from apps.storefront.part_quoting import part_quote
from apps.storefront.throttles import QuoteRateThrottle
from apps.uploads.designs import part_analysis_ready
from apps.uploads.offer import network_offer
from apps.uploads.options import part_choices, part_choices_narrow
from apps.uploads.products import (
    cad_product_compile,
    cad_product_create,
    cad_product_default_options,
    cad_product_update,
    offered_values,
)

DEFINITION_HELP = (
    "name, slug, category, description, royalty_kind, royalty_bp, royalty_minor, and options: option → the "
    'values customers may choose, e.g. {"material": ["pla", "petg"]} (an option left out offers every value); '
    "on a change, upload: another of the designer's uploads."
)


class CadProductCreateSerializer(serializers.Serializer):
    upload = serializers.UUIDField(help_text="The id of an upload of the designer's (POST /api/v1/uploads/).")
    definition = serializers.DictField(required=False, default=dict, help_text=DEFINITION_HELP)


class CadProductChangeSerializer(serializers.Serializer):
    definition = serializers.DictField(help_text=DEFINITION_HELP)


class CadProductOptionsSerializer(serializers.Serializer):
    offered = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Option → every value the network offers for the part now (what may be narrowed).",
    )
    chosen = serializers.JSONField(help_text="The designer's narrowing as stored (option → values).")
    choices = serializers.JSONField(
        help_text="What customers may choose, as GET /api/v1/uploads/<id>/options/."
    )
    defaults = serializers.JSONField(
        allow_null=True, help_text="Customers' first choice; null: nothing offered."
    )


class CadQuoteRequestSerializer(serializers.Serializer):
    options = serializers.DictField(child=serializers.JSONField(allow_null=True))
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)


class CadScoped(DesignerScoped):
    def cad_product(self, template_id) -> ProductTemplate:
        template = self.template(template_id)
        if not template.is_cad_product:
            raise NotFound()
        return template


def _detail(template: ProductTemplate) -> dict:
    return TemplateVersionDetailSerializer(template).data


class DesignerCadProductListApi(CadScoped, APIView):
    @extend_schema(
        summary="Start a product from one of my uploaded parts (a version-1 draft)",
        request=CadProductCreateSerializer,
        responses={
            201: TemplateVersionDetailSerializer,
            400: BAD_INPUT,
            404: OpenApiResponse(description="No such upload among the designer's."),
        },
    )
    def post(self, request):
        serializer = CadProductCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = cad_product_create(
            actor=request.user,
            designer=self.designer,
            upload_id=serializer.validated_data["upload"],
            definition=serializer.validated_data["definition"],
        )
        return Response(_detail(self.template(template.pk)), status=status.HTTP_201_CREATED)


class DesignerCadProductDetailApi(CadScoped, APIView):
    @extend_schema(summary="One of my CAD products' versions", responses=TemplateVersionDetailSerializer)
    def get(self, request, template_id: int):
        return Response(_detail(self.cad_product(template_id)))

    @extend_schema(
        summary="Change a draft CAD product: its fields, its options, its part",
        request=CadProductChangeSerializer,
        responses={200: TemplateVersionDetailSerializer, 400: BAD_INPUT, 409: FROZEN},
    )
    def patch(self, request, template_id: int):
        template = self.cad_product(template_id)
        serializer = CadProductChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cad_product_update(
            actor=request.user,
            designer=self.designer,
            template=template,
            definition=serializer.validated_data["definition"],
        )
        return Response(_detail(self.template(template_id)))


class DesignerCadProductOptionsApi(CadScoped, APIView):
    @extend_schema(
        summary="The options of my CAD product: offered by the network, chosen by me, seen by customers",
        responses={
            200: CadProductOptionsSerializer,
            409: OpenApiResponse(description="The part is not analysed."),
        },
    )
    def get(self, request, template_id: int):
        template = self.cad_product(template_id)
        analysis = part_analysis_ready(template.part_upload)
        offer = network_offer()
        choices = part_choices(analysis.kind, offer)
        body = {
            "offered": {field: sorted(values) for field, values in offered_values(choices).items() if values},
            "chosen": template.part_options,
            "choices": part_choices_narrow(choices, template.part_options),
            "defaults": cad_product_default_options(template=template, offer=offer),
        }
        return Response(CadProductOptionsSerializer(body).data)


class DesignerCadProductQuoteApi(CadScoped, APIView):
    throttle_classes = [QuoteRateThrottle]

    @extend_schema(
        summary="A test quote of my CAD product with a customer's options (royalty included)",
        request=CadQuoteRequestSerializer,
        responses={
            200: QuoteSerializer,
            400: OpenApiResponse(
                description='Options outside the product\'s: {"options": {"colour": ["…"]}}.'
            ),
            409: OpenApiResponse(
                description="The part cannot be made with these options, or is not analysed."
            ),
            429: OpenApiResponse(description="Too many quotes; Retry-After says when to retry."),
        },
    )
    def post(self, request, template_id: int):
        template = self.cad_product(template_id)
        serializer = CadQuoteRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        compiled = cad_product_compile(template=template, options=data["options"])
        quote, breaks = part_quote(
            template=template,
            operations=compiled.operations,
            values=compiled.options,
            tenant=request.tenant,
            quantity=data["quantity"],
            parameters={**cad_product_quote_parameters(template), "options": compiled.options},
        )
        return Response(QuoteSerializer(quote_json(quote, breaks)).data)
