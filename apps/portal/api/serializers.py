"""Shapes of the job and leg API. Field parsing only; every write goes through an orders service."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from apps.core.jsonlimits import json_loads_bounded
from apps.core.uploads import IMAGE_HELP, validate_image_upload
from apps.orders.actions import Allowed, legs_allowed, work_items_allowed
from apps.orders.models import PROBLEM_TEXT_MAX, JobProblem, QualityCheck, TransportLeg, WorkItem
from apps.payouts.selectors import StatementView, statement_for_leg, statement_for_work_item
from apps.portal import jobs, legs
from apps.processes.selectors import process_label

PHOTO_HELP = f"{IMAGE_HELP} Send the request as multipart/form-data."


class RequiredBooleanField(serializers.BooleanField):
    """DRF reads a boolean missing from a form-encoded body as False; a quality verdict must be said out loud."""

    default_empty_html = empty


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"oneOf": [{"type": "number"}, {"type": "string"}]},
        "example": {"width_mm": 1801, "flatness": "ok"},
    }
)
class MeasurementsField(serializers.JSONField):
    """Name → number or text. A multipart request (one carrying a photo) sends it as a JSON string."""

    def to_internal_value(self, data):
        if isinstance(data, bytes):
            data = data.decode()
        if isinstance(data, str):
            try:
                data = json_loads_bounded(data) if data.strip() else {}
            except ValueError:
                raise serializers.ValidationError('Send a JSON object, e.g. {"width_mm": 1801}.') from None
        return super().to_internal_value(data)


class StatementSerializer(serializers.Serializer):
    """What the participant receives for this job or leg, for the whole order, and how it was computed."""

    order_reference = serializers.CharField()
    currency = serializers.CharField()
    part_amount_minor = serializers.IntegerField(help_text="Paid for this job or leg.")
    part_cost_minor = serializers.IntegerField(help_text="Its planned cost.")
    amount_minor = serializers.IntegerField(help_text="The participant's total for the order.")
    cost_minor = serializers.IntegerField()
    surplus_share_minor = serializers.IntegerField()
    fee_share_minor = serializers.IntegerField()
    adjustment_minor = serializers.IntegerField()
    lines = serializers.ListField(child=serializers.CharField(), help_text="The computation, in sentences.")
    policy_version = serializers.IntegerField()
    provisional = serializers.BooleanField(help_text="True until Stripe's fee on the payment is known.")


def _statement(view: StatementView | None) -> dict | None:
    return None if view is None else StatementSerializer(view).data


class ResourceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class QualityCheckSerializer(serializers.ModelSerializer):
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = QualityCheck
        fields = ["id", "passed", "measurements", "notes", "has_photo", "created_at"]

    def get_has_photo(self, obj: QualityCheck) -> bool:
        return bool(obj.photo)


class JobProblemSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(source="text", read_only=True)

    class Meta:
        model = JobProblem
        fields = ["id", "reason", "gave_back", "status", "created_at", "resolved_at"]
        read_only_fields = fields


class _AllowedListSerializer(serializers.ListSerializer):
    """Works out what every row of the page may do, and waits for, in one lookup (apps.orders.actions: a fixed
    number of queries for the page) instead of queries per row."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        self.context["allowed"] = self.child.allowed_many(rows)
        return super().to_representation(rows)


class _AllowedFields(serializers.Serializer):
    """`actions` (what the company may do with the row now) and `waiting_for` (what holds up the next step),
    read from the same rule the services enforce."""

    actions = serializers.SerializerMethodField(
        help_text="The actions allowed now (the action endpoints' names)."
    )

    def allowed_many(self, rows) -> dict:
        raise NotImplementedError

    def _allowed(self, obj) -> Allowed:
        cached = self.context.get("allowed", {})
        return cached[obj.pk] if obj.pk in cached else self.allowed_many([obj])[obj.pk]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj) -> list[str]:
        return sorted(_ACTION_PATHS.get(action, action) for action in self._allowed(obj).actions)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_waiting_for(self, obj) -> list[str]:
        return list(self._allowed(obj).waiting_for)


# Action names as the endpoints spell them.
_ACTION_PATHS = {"pick_up": "pick-up", "quality": "quality-check"}


class JobSerializer(_AllowedFields, serializers.ModelSerializer):
    order_reference = serializers.CharField(source="order.reference", read_only=True)
    delivery_city = serializers.CharField(source="order.city", read_only=True)
    process_label = serializers.SerializerMethodField()
    material = serializers.SerializerMethodField()
    dimensions_mm = serializers.SerializerMethodField()
    resource = ResourceRefSerializer(read_only=True, allow_null=True)
    waiting_for = serializers.SerializerMethodField(
        help_text="What an accepted (or failed) job still waits for before it may start; empty when it may."
    )

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "status",
            "order_reference",
            "delivery_city",
            "name",
            "step_key",
            "process",
            "process_label",
            "material",
            "dimensions_mm",
            "quantity",
            "resource",
            "planned_start",
            "planned_end",
            "offer_deadline",
            "actual_start",
            "actual_end",
            "decline_reason",
            "cost_minor",
            "currency",
            "actions",
            "waiting_for",
        ]
        read_only_fields = fields
        list_serializer_class = _AllowedListSerializer

    def allowed_many(self, rows) -> dict:
        return work_items_allowed(rows)

    def get_process_label(self, obj: WorkItem) -> str:
        name = getattr(obj, "process_name", None)  # annotated by jobs.job_rows
        return name if name is not None else process_label(obj.process)

    def get_material(self, obj: WorkItem) -> str:
        return jobs.job_spec(obj).material

    @extend_schema_field(serializers.ListField(child=serializers.FloatField(), allow_null=True))
    def get_dimensions_mm(self, obj: WorkItem) -> list[float] | None:
        dimensions = jobs.job_spec(obj).dimensions_mm
        return list(dimensions) if dimensions else None


class JobDetailSerializer(JobSerializer):
    quality_checks = QualityCheckSerializer(many=True, read_only=True)
    problems = JobProblemSerializer(
        many=True, read_only=True, help_text="Problems the company reported on the job, newest first."
    )
    statement = serializers.SerializerMethodField()

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "quality_checks", "problems", "statement"]
        read_only_fields = fields

    @extend_schema_field(StatementSerializer(allow_null=True))
    def get_statement(self, obj: WorkItem) -> dict | None:
        return _statement(statement_for_work_item(obj))


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why; the network re-plans around it.")


class ProblemSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=PROBLEM_TEXT_MAX, help_text="What the problem is; the network's staff are e-mailed."
    )
    give_back = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Give the job back with the report (declined and re-planned); only before it is started.",
    )


class QualityCheckInputSerializer(serializers.Serializer):
    passed = RequiredBooleanField()
    measurements = MeasurementsField(required=False, default=dict)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    photo = serializers.FileField(required=False, validators=[validate_image_upload], help_text=PHOTO_HELP)


class StopSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The workshop's name, or 'Customer'.")
    city = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)


class LegSerializer(_AllowedFields, serializers.ModelSerializer):
    order_reference = serializers.CharField(source="order.reference", read_only=True)
    origin = serializers.SerializerMethodField()
    destination = serializers.SerializerMethodField()
    parts = serializers.SerializerMethodField()
    has_proof_photo = serializers.SerializerMethodField()
    waiting_for = serializers.SerializerMethodField(
        help_text="What a leg not picked up yet waits for (the job making its parts); empty when it may go."
    )

    class Meta:
        model = TransportLeg
        fields = [
            "id",
            "status",
            "order_reference",
            "is_last_mile",
            "origin",
            "destination",
            "planned_departure",
            "planned_arrival",
            "parts",
            "weight_kg",
            "distance_km",
            "picked_up_at",
            "delivered_at",
            "receiver_name",
            "has_proof_photo",
            "cost_minor",
            "currency",
            "actions",
            "waiting_for",
        ]
        read_only_fields = fields
        list_serializer_class = _AllowedListSerializer

    def allowed_many(self, rows) -> dict:
        return legs_allowed(rows)

    @extend_schema_field(StopSerializer)
    def get_origin(self, obj: TransportLeg) -> dict:
        return StopSerializer(legs.leg_origin(obj)).data

    @extend_schema_field(StopSerializer)
    def get_destination(self, obj: TransportLeg) -> dict:
        return StopSerializer(legs.leg_destination(obj)).data

    def get_parts(self, obj: TransportLeg) -> str:
        return legs.leg_parts(obj)

    def get_has_proof_photo(self, obj: TransportLeg) -> bool:
        return bool(obj.proof_photo)


class LegDetailSerializer(LegSerializer):
    statement = serializers.SerializerMethodField()

    class Meta(LegSerializer.Meta):
        fields = [*LegSerializer.Meta.fields, "statement"]
        read_only_fields = fields

    @extend_schema_field(StatementSerializer(allow_null=True))
    def get_statement(self, obj: TransportLeg) -> dict | None:
        return _statement(statement_for_leg(obj))


class DeliverSerializer(serializers.Serializer):
    receiver_name = serializers.CharField(max_length=150, help_text="Who received the delivery.")
    photo = serializers.FileField(required=False, validators=[validate_image_upload], help_text=PHOTO_HELP)
