"""The companies of the network (asset owners and carriers), their portal members and their status history."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.coordinates import LATITUDE_VALIDATORS, LONGITUDE_VALIDATORS
from apps.core.countries import validate_country_code
from apps.suppliers.status import MemberRole, ParticipantKind, ParticipantStatus
from apps.suppliers.validators import AT_LEAST_ONE, NOT_NEGATIVE, POSITIVE_DECIMAL

# What a company may edit about itself (portal page, API, profile service), in display order; carriers add theirs.
PROFILE_FIELDS = (
    "name",
    "contact_name",
    "contact_email",
    "phone",
    "street",
    "postal_code",
    "city",
    "country",
    "latitude",
    "longitude",
)
CARRIER_PROFILE_FIELDS = ("speed_kmh", "handling_hours", "coverage_radius_km")


class Participant(models.Model):
    """What asset owners and carriers share: company, address with coordinates, status and Stripe Connect state.

    `stripe_*` fields mirror the connected account as last read from Stripe (participant_connect_update);
    they are never set from our side.
    """

    kind: str  # a ParticipantKind value, set by each concrete model

    name = models.CharField("company name", max_length=120)
    contact_name = models.CharField(max_length=120)
    contact_email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    street = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    country = models.CharField(
        max_length=2,
        default="NL",
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2 code, e.g. NL.",
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, validators=LATITUDE_VALIDATORS)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, validators=LONGITUDE_VALIDATORS)
    status = models.CharField(
        max_length=10, choices=ParticipantStatus.choices, default=ParticipantStatus.APPLIED, editable=False
    )
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    stripe_account_id = models.CharField(max_length=255, blank=True, editable=False)
    charges_enabled = models.BooleanField(default=False, editable=False)
    payouts_enabled = models.BooleanField(default=False, editable=False)
    details_submitted = models.BooleanField(default=False, editable=False)
    transfers_active = models.BooleanField(
        default=False, editable=False, help_text="The connected account's transfers capability is active."
    )
    requirements_due = models.JSONField(default=list, blank=True, editable=False)
    requirements_past_due = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="What Stripe needed by a deadline that has passed: the account is restricted until it is given.",
    )
    connect_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def onboarded(self) -> bool:
        """Stripe can send this participant money and pay it out: transfers capability active, payouts enabled,
        nothing past due. `onboarded_q` is the same rule in SQL."""
        return self.transfers_active and self.payouts_enabled and not self.requirements_past_due

    @property
    def eligible(self) -> bool:
        """May receive work (or legs) from the matching engine."""
        return self.status == ParticipantStatus.APPROVED and self.onboarded

    @property
    def coordinates(self) -> tuple[float, float]:
        return float(self.latitude), float(self.longitude)


def participant_models() -> list[type[Participant]]:
    """Every concrete participant model: asset owners and carriers here, designers in apps.designers (found
    through the app registry, so this layer need not import the app above it)."""
    return [model for model in apps.get_models() if issubclass(model, Participant)]


def onboarded_q(prefix: str = "") -> Q:
    """`Participant.onboarded` as a filter; `prefix` reaches a participant through a relation ("asset_owner__")."""
    return Q(
        **{
            f"{prefix}transfers_active": True,
            f"{prefix}payouts_enabled": True,
            f"{prefix}requirements_past_due": [],
        }
    )


def participant_constraints(prefix: str) -> list:
    """The checks every concrete participant table carries, named with `prefix`."""
    return [
        models.CheckConstraint(
            condition=Q(latitude__gte=-90, latitude__lte=90), name=f"{prefix}_latitude_range"
        ),
        models.CheckConstraint(
            condition=Q(longitude__gte=-180, longitude__lte=180), name=f"{prefix}_longitude_range"
        ),
        models.CheckConstraint(
            condition=Q(status__in=ParticipantStatus.values), name=f"{prefix}_status_valid"
        ),
        models.UniqueConstraint(
            fields=["stripe_account_id"],
            condition=~Q(stripe_account_id=""),
            name=f"{prefix}_stripe_account_unique",
        ),
    ]


class AssetOwner(Participant):
    """A manufacturing company (supplier) running resources."""

    kind = ParticipantKind.ASSET_OWNER

    class Meta(Participant.Meta):
        constraints = participant_constraints("asset_owner")


class Carrier(Participant):
    """A transport company moving parts between asset owners and to customers, from its base coordinates."""

    kind = ParticipantKind.CARRIER

    speed_kmh = models.PositiveSmallIntegerField(
        "average speed (km/h)",
        default=60,
        validators=AT_LEAST_ONE,
        help_text="Average door-to-door speed including traffic.",
    )
    handling_hours = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=NOT_NEGATIVE,
        help_text="Pick-up plus drop-off time per leg, in hours.",
    )
    coverage_radius_km = models.PositiveIntegerField(
        default=100,
        validators=AT_LEAST_ONE,
        help_text="Serves pick-ups and drop-offs within this distance of its base coordinates.",
    )

    class Meta(Participant.Meta):
        constraints = [
            *participant_constraints("carrier"),
            models.CheckConstraint(condition=Q(speed_kmh__gte=1), name="carrier_speed_positive"),
            models.CheckConstraint(condition=Q(handling_hours__gte=0), name="carrier_handling_not_negative"),
            models.CheckConstraint(condition=Q(coverage_radius_km__gte=1), name="carrier_coverage_positive"),
        ]


class AssetOwnerMember(models.Model):
    """A portal login of an asset owner. A user belongs to at most one asset owner."""

    asset_owner = models.ForeignKey(AssetOwner, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="asset_owner_member"
    )
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.OPERATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset_owner", "user__email"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.asset_owner})"


class CarrierMember(models.Model):
    """A portal login of a carrier. A user belongs to at most one carrier."""

    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carrier_member"
    )
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.OPERATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["carrier", "user__email"]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.carrier})"


class ParticipantStatusChange(models.Model):
    """Audit row of one status transition of an asset owner, a carrier or a designer (exactly one of them).

    Each foreign key is named as the participant's `kind`, so `participant_transition` writes any of them."""

    asset_owner = models.ForeignKey(
        AssetOwner, null=True, blank=True, on_delete=models.CASCADE, related_name="status_changes"
    )
    carrier = models.ForeignKey(
        Carrier, null=True, blank=True, on_delete=models.CASCADE, related_name="status_changes"
    )
    designer = models.ForeignKey(
        "designers.Designer", null=True, blank=True, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=ParticipantStatus.choices)
    to_status = models.CharField(max_length=10, choices=ParticipantStatus.choices)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(asset_owner__isnull=False, carrier__isnull=True, designer__isnull=True)
                | Q(asset_owner__isnull=True, carrier__isnull=False, designer__isnull=True)
                | Q(asset_owner__isnull=True, carrier__isnull=True, designer__isnull=False),
                name="status_change_one_participant",
            )
        ]

    def __str__(self):
        return f"{self.asset_owner or self.carrier or self.designer}: {self.from_status} → {self.to_status}"


class RateCard(models.Model):
    """A carrier's prices for one leg: base fee + per km + per kg, up to a maximum weight."""

    carrier = models.OneToOneField(Carrier, on_delete=models.CASCADE, related_name="rate_card")
    currency = models.CharField(max_length=3)
    base_fee_minor = models.BigIntegerField("base fee (minor units)", default=0, validators=NOT_NEGATIVE)
    per_km_minor = models.BigIntegerField("per km (minor units)", default=0, validators=NOT_NEGATIVE)
    per_kg_minor = models.BigIntegerField("per kg (minor units)", default=0, validators=NOT_NEGATIVE)
    max_weight_kg = models.DecimalField(
        max_digits=8, decimal_places=2, default=1000, validators=POSITIVE_DECIMAL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(base_fee_minor__gte=0), name="rate_card_base_fee_not_negative"
            ),
            models.CheckConstraint(condition=Q(per_km_minor__gte=0), name="rate_card_per_km_not_negative"),
            models.CheckConstraint(condition=Q(per_kg_minor__gte=0), name="rate_card_per_kg_not_negative"),
            models.CheckConstraint(condition=Q(max_weight_kg__gt=0), name="rate_card_max_weight_positive"),
        ]

    def __str__(self):
        return f"Rate card of {self.carrier}"
