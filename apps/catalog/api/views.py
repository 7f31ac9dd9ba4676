"""Catalog API: templates (public), designs (the signed-in customer's own) and validation without saving.

A designer's CAD part (kind "part") takes its options as values, e.g. {"process": "fdm_printing", "material":
"pla", …}: they are checked, compiled and saved by the same services as its storefront page (fixed_parts.py).

Bad configurations answer 400 with errors keyed by parameter under "values", e.g.
{"values": {"width": ["Must be at most 2400 mm."]}}; problems no single parameter explains are under
"values" → "non_field_errors". Another customer's design is a 404, exactly like a missing one.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.api.serializers import (
    ConfigurationSerializer,
    DesignCreateSerializer,
    DesignDetailSerializer,
    DesignSerializer,
    DesignUpdateSerializer,
    TemplateDetailSerializer,
    TemplateListSerializer,
    ValidationResultSerializer,
)
from apps.catalog.fixed_parts import fixed_part_options
from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import (
    design_get_for_owner,
    design_list_for_owner,
    template_get_active,
    template_list_active,
    template_spec_for,
)
from apps.catalog.services import design_create, design_update
from apps.catalog.validation import configuration_validate

ERROR_RESPONSE = OpenApiResponse(
    description='Field errors, e.g. {"values": {"width": ["Must be at most 2400 mm."]}} or {"name": ["…"]}.'
)


def template_for_input(slug: str) -> ProductTemplate:
    """A template named in a request body: unknown or inactive is a 400 on the `template` field."""
    try:
        return template_get_active(slug=slug)
    except Http404:
        raise ValidationError({"template": [f"No active template {slug!r}."]}) from None


@extend_schema_view(
    get=extend_schema(
        summary="List the catalog's templates",
        parameters=[
            OpenApiParameter("category", str, description="Only this category."),
            OpenApiParameter("q", str, description="Search in name, description and category."),
            OpenApiParameter(
                "designer", str, description="Only this designer's products (the designer's slug)."
            ),
        ],
    )
)
class TemplateListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = TemplateListSerializer

    def get_queryset(self):
        params = self.request.query_params
        return template_list_active(
            category=params.get("category", ""),
            query=params.get("q", "")[:100],
            designer=params.get("designer", "")[:80],
        )


@extend_schema_view(get=extend_schema(summary="A template with its parameters as JSON Schema"))
class TemplateDetailApi(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = TemplateDetailSerializer
    lookup_field = "slug"

    def get_object(self):
        return template_get_active(slug=self.kwargs["slug"])


class DesignListCreateApi(generics.ListAPIView):
    """The signed-in customer's designs; POST creates one (version 1)."""

    permission_classes = [IsAuthenticated]
    serializer_class = DesignSerializer

    def get_queryset(self):
        return design_list_for_owner(owner=self.request.user)

    @extend_schema(summary="List my designs")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a design",
        request=DesignCreateSerializer,
        responses={201: DesignDetailSerializer, 400: ERROR_RESPONSE},
    )
    def post(self, request):
        data = _valid(DesignCreateSerializer, request.data)
        template = template_for_input(data["template"])
        if template.is_cad_product:
            version = fixed_part_options().design_save(
                actor=request.user, template=template, values=data["values"], name=data["name"], new=True
            )
            design = design_get_for_owner(owner=request.user, design_id=version.design_id)
        else:
            design = design_create(
                owner=request.user, template=template, name=data["name"], values=data["values"]
            )
        return Response(
            DesignDetailSerializer(design, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class DesignDetailApi(APIView):
    """One of my designs. PUT/PATCH with new values saves a new version; earlier versions never change."""

    permission_classes = [IsAuthenticated]

    def _design(self, request, design_id: int):
        return design_get_for_owner(owner=request.user, design_id=design_id)

    @extend_schema(summary="Retrieve one of my designs", responses={200: DesignDetailSerializer, 404: None})
    def get(self, request, design_id: int):
        return Response(
            DesignDetailSerializer(self._design(request, design_id), context={"request": request}).data
        )

    @extend_schema(
        summary="Rename and/or save new values as a new version",
        request=DesignUpdateSerializer,
        responses={200: DesignDetailSerializer, 400: ERROR_RESPONSE, 404: None},
    )
    def patch(self, request, design_id: int):
        design = self._design(request, design_id)
        data = _valid(DesignUpdateSerializer, request.data)
        values = data.get("values")
        if design.template.is_cad_product and values is not None:
            # a designer's CAD product: its options are checked and compiled as its page does
            fixed_part_options().design_save(
                actor=request.user, template=design.template, values=values, design=design
            )
            values = None  # saved
        design_update(design=design, name=data.get("name"), values=values)
        design = self._design(request, design_id)
        return Response(DesignDetailSerializer(design, context={"request": request}).data)

    @extend_schema(
        summary="Rename and/or save new values as a new version",
        request=DesignUpdateSerializer,
        responses={200: DesignDetailSerializer, 400: ERROR_RESPONSE, 404: None},
    )
    def put(self, request, design_id: int):
        return self.patch(request, design_id)


class DesignValidateApi(APIView):
    """Validates a configuration without saving anything. Open to anonymous visitors, like the configurator."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Validate a configuration without saving",
        request=ConfigurationSerializer,
        responses={200: ValidationResultSerializer, 400: ERROR_RESPONSE},
    )
    def post(self, request):
        data = _valid(ConfigurationSerializer, request.data)
        template = template_for_input(data["template"])
        if template.is_cad_product:
            configuration = fixed_part_options().configuration(template=template, values=data["values"])
        else:
            configuration = configuration_validate(template_spec_for(template), data["values"])
        return Response(
            {
                "valid": True,
                "values": configuration.values,
                "operations": [operation.as_dict() for operation in configuration.operations],
            }
        )


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
