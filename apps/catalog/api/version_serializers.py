"""Serializers of product versions for the designer and staff review endpoints."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.definitions import template_definition
from apps.catalog.fixed_parts import template_issues
from apps.catalog.models import ProductTemplate
from apps.catalog.versions import DECISIONS, NOTES_MAX

DEFINITION_HELP = (
    "The product as plain data: name, slug, category, description, currency, margin_percent, "
    "transport_buffer_days, price_break_quantities, preview_kind, and the lists parameters (key, label, kind, "
    "required, help_text, unit, min, max, step, default, max_length, options), derived (key, formula), "
    "constraints (expression, message) and steps (key, name, process, predecessors, condition, material, "
    "quantity, duration, length, width, height, cost_drivers, material_drivers)."
)


class IssueSerializer(serializers.Serializer):
    section = serializers.CharField()
    index = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class TemplateVersionSerializer(serializers.ModelSerializer):
    designer = serializers.SerializerMethodField()

    class Meta:
        model = ProductTemplate
        fields = [
            "id",
            "slug",
            "name",
            "family",
            "version",
            "status",
            "designer",
            "submission_note",
            "review_notes",
            "submitted_at",
            "reviewed_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_designer(self, template: ProductTemplate) -> str | None:
        return template.designer.name if template.designer_id else None


class TemplateVersionDetailSerializer(TemplateVersionSerializer):
    definition = serializers.SerializerMethodField(help_text=DEFINITION_HELP)
    issues = serializers.SerializerMethodField(help_text="The template's checks; submit needs none.")

    class Meta(TemplateVersionSerializer.Meta):
        fields = [*TemplateVersionSerializer.Meta.fields, "definition", "issues"]
        read_only_fields = fields

    @extend_schema_field(serializers.JSONField())
    def get_definition(self, template: ProductTemplate) -> dict:
        return template_definition(template)

    @extend_schema_field(IssueSerializer(many=True))
    def get_issues(self, template: ProductTemplate) -> list[dict]:
        return [IssueSerializer(issue).data for issue in template_issues(template)]


class ChangeSerializer(serializers.Serializer):
    section = serializers.CharField()
    key = serializers.CharField()
    kind = serializers.CharField()
    field = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class ReviewDetailSerializer(serializers.Serializer):
    version = TemplateVersionDetailSerializer()
    published = TemplateVersionSerializer(
        allow_null=True, help_text="The family's published version, if any."
    )
    changes = ChangeSerializer(many=True, help_text="What this version changes against the published one.")


class DefinitionSerializer(serializers.Serializer):
    definition = serializers.JSONField(help_text=DEFINITION_HELP)


class SubmitSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTES_MAX)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DECISIONS)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=NOTES_MAX)
