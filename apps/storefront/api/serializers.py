from rest_framework import serializers

from apps.core.countries import COUNTRY_CODE_MESSAGE, ISO_3166_ALPHA2, country_code_normalize
from apps.core.gazetteer import place_locate, place_unknown_message


class QuoteAddressSerializer(serializers.Serializer):
    """Where to deliver, as people write it; the town is looked up (apps.core.gazetteer)."""

    postcode = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    country = serializers.CharField(
        max_length=2, required=False, default="NL", help_text="ISO 3166-1 alpha-2."
    )

    def validate(self, attrs):
        country = country_code_normalize(attrs["country"])
        if country not in ISO_3166_ALPHA2:
            raise serializers.ValidationError({"country": [COUNTRY_CODE_MESSAGE]})
        located = place_locate(city=attrs["city"], country=country)
        if located is None:
            raise serializers.ValidationError(
                {"city": [place_unknown_message(attrs["city"].strip(), country)]}
            )
        return {**attrs, "country": country, "point": located.point}


class QuoteRequestSerializer(serializers.Serializer):
    """Either `design` (one of my designs; its current version is quoted) or `template` + `values`; `address`
    (optional) is where it goes, else the middle of the network."""

    design = serializers.IntegerField(required=False, min_value=1)
    template = serializers.SlugField(max_length=80, required=False)
    values = serializers.DictField(
        child=serializers.JSONField(allow_null=True), required=False, allow_empty=True
    )
    address = QuoteAddressSerializer(required=False)

    def validate(self, attrs):
        if "design" in attrs and ("template" in attrs or "values" in attrs):
            raise serializers.ValidationError(
                {"design": ["Send either a design or a template with values, not both."]}
            )
        if "design" not in attrs:
            missing = {
                name: ["This field is required."] for name in ("template", "values") if name not in attrs
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class QuoteStepSerializer(serializers.Serializer):
    step_key = serializers.CharField()
    name = serializers.CharField()
    process = serializers.CharField()
    quantity = serializers.IntegerField()
    duration_minutes = serializers.FloatField()
    cost_minor = serializers.IntegerField()
    drivers_minor = serializers.DictField(child=serializers.IntegerField())


class QuoteOptionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text='"fastest", "balanced" or "cheapest".')
    label = serializers.CharField()
    price_minor = serializers.IntegerField()
    delivery_date = serializers.DateField()
    lead_time_days = serializers.IntegerField()
    faster_because = serializers.CharField(help_text='What makes it sooner, e.g. "uses a second workshop …".')
    asset_owner_count = serializers.IntegerField()
    method = serializers.CharField(help_text="What produced the plan: the greedy dispatcher or CP-SAT.")


class PriceBreakSerializer(serializers.Serializer):
    quantity = serializers.IntegerField()
    unit_price_minor = serializers.IntegerField(
        allow_null=True, help_text="None: the network cannot make that many."
    )
    total_minor = serializers.IntegerField(allow_null=True)
    delivery_date = serializers.DateField(allow_null=True)


class QuoteSerializer(serializers.Serializer):
    price_minor = serializers.IntegerField(help_text="Integer amount in the currency's minor unit.")
    currency = serializers.CharField(help_text="ISO 4217 code.")
    price = serializers.CharField(help_text="Formatted for display, e.g. €973.31.")
    delivery_date = serializers.DateField()
    lead_time_days = serializers.IntegerField(help_text="Working days from today.")
    asset_owner_count = serializers.IntegerField(allow_null=True, help_text="None for a catalogue estimate.")
    breakdown = QuoteStepSerializer(many=True)
    margin_minor = serializers.IntegerField()
    royalty_minor = serializers.IntegerField(
        help_text="The designer's royalty included in price_minor (0 for the network's own products)."
    )
    source = serializers.CharField(help_text='"catalogue_estimate" until the network quotes.')
    source_label = serializers.CharField()
    expires_at = serializers.DateTimeField()
    design_version = serializers.UUIDField(allow_null=True, required=False)
    values = serializers.DictField(child=serializers.JSONField())
    destination = serializers.DictField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="Where it was quoted to: the address's point, or the network's middle without one.",
    )
    options = QuoteOptionSerializer(
        many=True, help_text="Lead-time options, fastest first; the quote's own figures are the cheapest's."
    )
    price_breaks = PriceBreakSerializer(
        many=True, help_text="The network's price for each of the template's quantities (one plan each)."
    )
