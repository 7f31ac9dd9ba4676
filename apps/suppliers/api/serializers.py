"""Input and output shapes of the supplier and carrier API. Field validation only; writes go through services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.countries import country_code_normalize, validate_country_code
from apps.suppliers.models import (
    CARRIER_PROFILE_FIELDS,
    PROFILE_FIELDS,
    AssetOwner,
    CalendarException,
    CalendarExceptionKind,
    Carrier,
    OpeningHours,
    RateCard,
    Resource,
)
from apps.suppliers.quality import FORMULA
from apps.suppliers.selectors import asset_owner_quality

STATUS_FIELDS = [
    "id",
    "status",
    "onboarded",
    "eligible",
    "stripe_account_id",
    "charges_enabled",
    "payouts_enabled",
    "details_submitted",
    "requirements_due",
]


class QualitySerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True, help_text="0–100; null until an outcome is recorded.")
    pass_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    passes = serializers.IntegerField()
    fails = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    window_days = serializers.IntegerField()
    formula = serializers.CharField(default=FORMULA)


class _ParticipantSerializer(serializers.ModelSerializer):
    onboarded = serializers.BooleanField(read_only=True)
    eligible = serializers.BooleanField(read_only=True)
    requirements_due = serializers.ListField(child=serializers.CharField(), read_only=True)
    # Declared so that "nl" is normalised before the model's validator (upper case only) sees it.
    country = serializers.CharField(max_length=2, required=False)

    def validate_country(self, value: str) -> str:
        value = country_code_normalize(value)
        validate_country_code(value)  # DRF turns Django's ValidationError into a field error
        return value


class AssetOwnerSerializer(_ParticipantSerializer):
    quality = serializers.SerializerMethodField()

    class Meta:
        model = AssetOwner
        fields = [*STATUS_FIELDS, *PROFILE_FIELDS, "quality"]
        read_only_fields = STATUS_FIELDS

    @extend_schema_field(QualitySerializer)
    def get_quality(self, obj: AssetOwner) -> dict:
        return QualitySerializer(asset_owner_quality(asset_owner=obj)).data


class CarrierSerializer(_ParticipantSerializer):
    class Meta:
        model = Carrier
        fields = [*STATUS_FIELDS, *PROFILE_FIELDS, *CARRIER_PROFILE_FIELDS]
        read_only_fields = STATUS_FIELDS


class RateCardSerializer(serializers.ModelSerializer):
    class Meta:
        model = RateCard
        fields = ["currency", "base_fee_minor", "per_km_minor", "per_kg_minor", "max_weight_kg", "updated_at"]
        read_only_fields = ["currency", "updated_at"]


class ResourceSerializer(serializers.ModelSerializer):
    materials = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, help_text="Empty means any material."
    )

    class Meta:
        model = Resource
        fields = [
            "id",
            "name",
            "process",
            "capacity",
            "max_length_mm",
            "max_width_mm",
            "max_height_mm",
            "materials",
            "tolerance_mm",
            "currency",
            "setup_cost_minor",
            "cost_per_minute_minor",
            "minimum_charge_minor",
            "speed_factor",
            "status",
            "updated_at",
        ]
        read_only_fields = ["id", "currency", "updated_at"]


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
        "example": "08:00",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A local wall-clock time (HH:MM[:SS]) in the network's time zone. JSON Schema's `time` format is RFC 3339's
    full-time, which requires a UTC offset: that is not what opening hours are, so the schema says so plainly."""


class OpeningHoursSerializer(serializers.ModelSerializer):
    opens = WallClockTimeField()
    closes = WallClockTimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        model = OpeningHours
        fields = ["id", "weekday", "opens", "closes"]
        read_only_fields = ["id"]


class CalendarExceptionSerializer(serializers.ModelSerializer):
    # Optional with the model's default; the service takes it explicitly, so it is always in validated_data.
    kind = serializers.ChoiceField(
        choices=CalendarExceptionKind.choices, default=CalendarExceptionKind.CLOSED
    )

    class Meta:
        model = CalendarException
        fields = ["id", "kind", "starts_at", "ends_at", "reason"]
        read_only_fields = ["id"]


class ClosedIntervalSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
