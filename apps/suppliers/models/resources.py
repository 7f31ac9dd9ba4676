"""Resources (machines and work cells) of asset owners and their calendars."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from apps.processes.validators import process_code_validate
from apps.suppliers.models.participants import AssetOwner
from apps.suppliers.status import ResourceStatus
from apps.suppliers.validators import AT_LEAST_ONE, NOT_NEGATIVE, SPEED_FACTOR, TOLERANCE


class Resource(models.Model):
    """A machine or work cell of one asset owner: what it can do, how big, how fast and at what cost.

    Cost of a job: max(minimum charge, setup + cost per minute × processing minutes), where processing minutes
    are the reference minutes divided by `speed_factor` (apps/suppliers/costing.py). Amounts are minor units of
    `currency` (the network's currency).
    """

    asset_owner = models.ForeignKey(AssetOwner, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=120)
    process = models.CharField(
        max_length=40,
        validators=[process_code_validate],
        help_text="The code of one of the network's processes (apps.processes).",
    )
    capacity = models.PositiveSmallIntegerField(
        default=1, validators=AT_LEAST_ONE, help_text="Jobs it can run at the same time (parallel units)."
    )
    max_length_mm = models.PositiveIntegerField("max length (mm)", validators=AT_LEAST_ONE)
    max_width_mm = models.PositiveIntegerField("max width (mm)", validators=AT_LEAST_ONE)
    max_height_mm = models.PositiveIntegerField("max height (mm)", validators=AT_LEAST_ONE)
    materials = ArrayField(
        models.CharField(max_length=50),
        default=list,
        blank=True,
        help_text="Materials it can work, e.g. oak, steel, PLA. Empty means any material.",
    )
    tolerance_mm = models.DecimalField(
        "tolerance (mm)", max_digits=6, decimal_places=3, default=0.1, validators=TOLERANCE
    )
    currency = models.CharField(max_length=3)
    setup_cost_minor = models.BigIntegerField("setup cost (minor units)", default=0, validators=NOT_NEGATIVE)
    cost_per_minute_minor = models.BigIntegerField(
        "cost per minute (minor units)", default=0, validators=NOT_NEGATIVE
    )
    minimum_charge_minor = models.BigIntegerField(
        "minimum charge (minor units)", default=0, validators=NOT_NEGATIVE
    )
    speed_factor = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=SPEED_FACTOR,
        help_text="1.2 = 20 % faster than reference.",
    )
    status = models.CharField(max_length=4, choices=ResourceStatus.choices, default=ResourceStatus.UP)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["asset_owner", "name", "id"]
        indexes = [models.Index(fields=["process", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="resource_capacity_positive"),
            models.CheckConstraint(
                condition=Q(max_length_mm__gte=1, max_width_mm__gte=1, max_height_mm__gte=1),
                name="resource_dimensions_positive",
            ),
            models.CheckConstraint(condition=Q(tolerance_mm__gt=0), name="resource_tolerance_positive"),
            models.CheckConstraint(
                condition=Q(
                    setup_cost_minor__gte=0, cost_per_minute_minor__gte=0, minimum_charge_minor__gte=0
                ),
                name="resource_costs_not_negative",
            ),
            models.CheckConstraint(condition=Q(speed_factor__gt=0), name="resource_speed_factor_positive"),
            models.CheckConstraint(
                condition=Q(status__in=ResourceStatus.values), name="resource_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.process})"


class OpeningHours(models.Model):
    """One weekly opening interval of a resource in the network's time zone. Several per day are allowed.

    `closes` 00:00 means midnight at the end of the day (so 22:00–00:00 is a late shift and 00:00–00:00 a
    whole day); an interval never crosses midnight: a night shift is two intervals.
    """

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    opens = models.TimeField()
    closes = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["resource", "weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")) | Q(closes="00:00:00"),
                name="opening_hours_not_inverted",
                violation_error_message="Closes before it opens (00:00 means midnight at the end of the day).",
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class CalendarExceptionKind(models.TextChoices):
    CLOSED = "closed", "Closed (maintenance, holiday)"
    OPEN = "open", "Extra opening"


class CalendarException(models.Model):
    """A dated change to a resource's weekly hours: closed (maintenance, holiday) or extra open. [starts, ends)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="calendar_exceptions")
    kind = models.CharField(
        max_length=6, choices=CalendarExceptionKind.choices, default=CalendarExceptionKind.CLOSED
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["resource", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="calendar_exception_not_inverted",
                violation_error_message="Ends before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CalendarExceptionKind.values), name="calendar_exception_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"
