"""Shapes of the catalog API. Serializers only describe and check shapes; validation of configurations and
all writes happen in apps.catalog.validation and apps.catalog.services."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.fixed_parts import fixed_part_options
from apps.catalog.json_schema import parameters_json_schema
from apps.catalog.models import Design, DesignVersion, ProductTemplate
from apps.catalog.selectors import template_spec_for


class TemplateDesignerSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


CONFIGURABLE, PART = "configurable", "part"


class TemplateListSerializer(serializers.ModelSerializer):
    image = serializers.ImageField(read_only=True, use_url=True)
    url = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField(
        help_text=(
            '"configurable": a product configured by its parameters; "part": a designer\'s CAD part, fixed, of '
            "which customers choose the options (process, material, colour, …) the designer offers. Both take "
            "their values as `parameters_schema` (the detail) describes them."
        )
    )
    designer = TemplateDesignerSerializer(
        read_only=True, allow_null=True, help_text="Who designed the product; null for the network's own."
    )

    class Meta:
        model = ProductTemplate
        fields = ["slug", "name", "category", "description", "currency", "image", "url", "designer", "kind"]

    @extend_schema_field(serializers.ChoiceField(choices=[CONFIGURABLE, PART]))
    def get_kind(self, template: ProductTemplate) -> str:
        return PART if template.is_cad_product else CONFIGURABLE

    def get_url(self, template: ProductTemplate) -> str:
        return reverse("catalog_api:template-detail", args=[template.slug])


class TemplateDetailSerializer(TemplateListSerializer):
    parameters_schema = serializers.SerializerMethodField()
    defaults = serializers.SerializerMethodField()
    routing = serializers.SerializerMethodField()

    class Meta(TemplateListSerializer.Meta):
        fields = [*TemplateListSerializer.Meta.fields, "parameters_schema", "defaults", "routing"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_parameters_schema(self, template: ProductTemplate) -> dict:
        """JSON Schema of the values; a CAD part's options within the designer's choice (each option's allowed
        values, and under "x-choices" which go together)."""
        if template.is_cad_product:
            return fixed_part_options().schema(template=template)
        return parameters_json_schema(template_spec_for(template))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_defaults(self, template: ProductTemplate) -> dict:
        if template.is_cad_product:
            return fixed_part_options().defaults(template=template) or {}
        return template_spec_for(template).defaults()

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "key": {"type": "string"},
                    "name": {"type": "string"},
                    "process": {"type": "string"},
                    "predecessors": {"type": "array", "items": {"type": "string"}},
                    "conditional": {"type": "boolean"},
                },
            },
        }
    )
    def get_routing(self, template: ProductTemplate) -> list[dict]:
        return [
            {
                "key": step.key,
                "name": step.name,
                "process": step.process.code,
                "predecessors": list(step.predecessors),
                "conditional": bool(step.condition),
            }
            for step in template_spec_for(template).steps
        ]


class ConfigurationSerializer(serializers.Serializer):
    """A template (by slug) and values for its parameters, e.g. {"width": 1800, "top_material": "oak"}."""

    template = serializers.SlugField(max_length=80)
    values = serializers.DictField(child=serializers.JSONField(allow_null=True), allow_empty=True)


class DesignCreateSerializer(ConfigurationSerializer):
    name = serializers.CharField(max_length=100)


class DesignUpdateSerializer(serializers.Serializer):
    """Either or both: a new name, new values (saved as a new version when they differ from the current one)."""

    name = serializers.CharField(max_length=100, required=False)
    values = serializers.DictField(
        child=serializers.JSONField(allow_null=True), allow_empty=True, required=False
    )


class OperationSerializer(serializers.Serializer):
    step_key = serializers.CharField()
    name = serializers.CharField()
    process = serializers.CharField()
    material = serializers.CharField(allow_blank=True)
    dimensions_mm = serializers.ListField(child=serializers.FloatField(), min_length=3, max_length=3)
    quantity = serializers.IntegerField()
    duration_minutes = serializers.FloatField()
    cost_drivers = serializers.DictField(child=serializers.FloatField())
    predecessors = serializers.ListField(child=serializers.CharField())
    material_cost = serializers.FloatField(
        default=0.0,
        help_text="The part of cost_drivers that is bought-in material (0 for versions saved before).",
    )


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    values = serializers.DictField(child=serializers.JSONField())
    operations = OperationSerializer(many=True)


class DesignVersionSerializer(serializers.ModelSerializer):
    operations = OperationSerializer(many=True, read_only=True)

    class Meta:
        model = DesignVersion
        fields = ["id", "number", "values", "operations", "created_at"]


class DesignVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = DesignVersion
        fields = ["id", "number", "created_at"]


class DesignSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    current_version = DesignVersionSerializer(read_only=True)
    share_url = serializers.SerializerMethodField()

    class Meta:
        model = Design
        fields = [
            "id",
            "name",
            "template",
            "current_version",
            "share_token",
            "share_url",
            "created_at",
            "updated_at",
        ]

    def get_share_url(self, design: Design) -> str | None:
        # The page lives in the storefront; it is named, not imported (the catalog sits below the storefront).
        try:
            path = reverse("storefront:design_shared", args=[design.share_token])
        except NoReverseMatch:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DesignDetailSerializer(DesignSerializer):
    versions = DesignVersionSummarySerializer(many=True, read_only=True)

    class Meta(DesignSerializer.Meta):
        fields = [*DesignSerializer.Meta.fields, "versions"]
