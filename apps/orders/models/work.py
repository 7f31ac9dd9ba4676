from django.conf import settings
from django.db import models

from apps.core.uploads import validate_image_upload
from apps.orders.status import LegStatus, WorkItemStatus
from apps.orders.uploads import proof_photo_upload_to, quality_photo_upload_to


class WorkItem(models.Model):
    """One routing step of one order line, planned on one resource of one asset owner.

    The plan fields come from matching (resource, times, cost, offer deadline); the actuals from the supplier.
    `step_key` and `predecessor_keys` are the compiled operation's (apps/catalog/compile.py), per line.
    """

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="work_items")
    line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="work_items")
    step_key = models.CharField(max_length=64)
    name = models.CharField(max_length=150)
    process = models.CharField(max_length=64, blank=True)
    predecessor_keys = models.JSONField(default=list, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, choices=WorkItemStatus.choices, default=WorkItemStatus.PLANNED)
    resource = models.ForeignKey(
        "suppliers.Resource", on_delete=models.PROTECT, null=True, blank=True, related_name="work_items"
    )
    asset_owner = models.ForeignKey(
        "suppliers.AssetOwner", on_delete=models.PROTECT, null=True, blank=True, related_name="work_items"
    )
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    cost_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    offer_deadline = models.DateTimeField(null=True, blank=True)
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    decline_overridden = models.BooleanField(
        default=False,
        help_text=(
            "Staff let the company that declined this job be planned for its step again (on another machine); "
            "without it a re-plan leaves the whole company out of that step."
        ),
    )
    plan_run_id = models.BigIntegerField(null=True, blank=True, help_text="The matching run that planned it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "planned_start", "id"]
        indexes = [
            models.Index(fields=["status", "offer_deadline"]),
            models.Index(fields=["asset_owner", "status"]),
            models.Index(fields=["resource", "planned_start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="work_item_planned_window_ordered",
            ),
            models.CheckConstraint(condition=models.Q(cost_minor__gte=0), name="work_item_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} (order {self.order_id})"


class QualityCheck(models.Model):
    work_item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="quality_checks")
    passed = models.BooleanField()
    measurements = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    photo = models.ImageField(
        upload_to=quality_photo_upload_to, blank=True, validators=[validate_image_upload]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["work_item", "created_at"]

    def __str__(self):
        return f"{'Passed' if self.passed else 'Failed'} check of {self.work_item_id}"


class TransportLeg(models.Model):
    """A part moving from one asset owner to the next, or (last mile) to the customer."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="transport_legs")
    status = models.CharField(max_length=20, choices=LegStatus.choices, default=LegStatus.PLANNED)
    from_asset_owner = models.ForeignKey(
        "suppliers.AssetOwner", on_delete=models.PROTECT, null=True, blank=True, related_name="legs_out"
    )
    to_asset_owner = models.ForeignKey(
        "suppliers.AssetOwner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legs_in",
        help_text="Empty for the last mile: the leg ends at the customer's address.",
    )
    from_work_item = models.ForeignKey(
        WorkItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="legs_out"
    )
    to_work_item = models.ForeignKey(
        WorkItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="legs_in"
    )
    is_last_mile = models.BooleanField(default=False)
    carrier = models.ForeignKey(
        "suppliers.Carrier", on_delete=models.PROTECT, null=True, blank=True, related_name="transport_legs"
    )
    planned_departure = models.DateTimeField(null=True, blank=True)
    planned_arrival = models.DateTimeField(null=True, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cost_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    distance_km = models.DecimalField(max_digits=8, decimal_places=1, default=0)
    weight_kg = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    receiver_name = models.CharField(max_length=150, blank=True)
    proof_photo = models.ImageField(
        upload_to=proof_photo_upload_to, blank=True, validators=[validate_image_upload]
    )
    plan_run_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "planned_departure", "id"]
        indexes = [models.Index(fields=["carrier", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(cost_minor__gte=0), name="leg_cost_not_negative"),
            models.CheckConstraint(
                condition=models.Q(is_last_mile=False) | models.Q(to_asset_owner__isnull=True),
                name="leg_last_mile_ends_at_customer",
            ),
        ]

    def __str__(self):
        return f"Leg {self.pk} of order {self.order_id}"
