"""The network's profit-share policy (versioned, never edited in place), the version each order was sold
under, and the statements that show every participant what it receives and why."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.payouts.profit_share import rule as profit_share


class SplitMethod(models.TextChoices):
    PROPORTIONAL = profit_share.PROPORTIONAL, "In proportion to cost contribution"
    EQUAL = profit_share.EQUAL, "Equally among participants"


class FeeBearer(models.TextChoices):
    PLATFORM = profit_share.FEE_PLATFORM, "The platform"
    PARTICIPANTS = profit_share.FEE_PARTICIPANTS, "The participants, pro rata"


class RefundMode(models.TextChoices):
    PRO_RATA = profit_share.REFUND_PRO_RATA, "Platform and participants pro rata to their shares"
    PLATFORM_FIRST = (
        profit_share.REFUND_PLATFORM_FIRST,
        "The platform's share first, then participants pro rata",
    )


class RefundFeeBearer(models.TextChoices):
    PLATFORM = profit_share.REFUND_FEE_PLATFORM, "The platform"
    PRO_RATA = (
        profit_share.REFUND_FEE_PRO_RATA,
        "Whoever gives the refund back (platform and participants), in proportion",
    )
    PARTICIPANTS = (
        profit_share.REFUND_FEE_PARTICIPANTS,
        "The participants who give the refund back, in proportion",
    )


class ProfitSharePolicy(models.Model):
    """One version of the policy. Staff "edit" it by publishing a new version; the newest one applies to
    orders sold from then on, and every order keeps the version it was sold under (OrderPolicyPin)."""

    version = models.PositiveIntegerField(unique=True)
    method = models.CharField(max_length=16, choices=SplitMethod.choices, default=SplitMethod.PROPORTIONAL)
    platform_surplus_bp = models.PositiveIntegerField(
        "platform share of the surplus (basis points)",
        default=2_000,
        help_text="In hundredths of a percent: 2000 = 20 %.",
    )
    min_platform_fee_minor = models.BigIntegerField(
        "minimum platform fee (minor units)", default=0, help_text="In the network's currency."
    )
    fee_bearer = models.CharField(max_length=16, choices=FeeBearer.choices, default=FeeBearer.PLATFORM)
    refund_mode = models.CharField(max_length=16, choices=RefundMode.choices, default=RefundMode.PRO_RATA)
    refund_fee_bearer = models.CharField(
        "Stripe's fee on refunds borne by",
        max_length=16,
        choices=RefundFeeBearer.choices,
        default=RefundFeeBearer.PLATFORM,
        help_text=(
            "Stripe keeps its whole fee when a payment is refunded. The fee on the refunded part is borne by the "
            "platform, or added to what those who give the refund back return (never more than a participant "
            "still holds; the rest stays with the platform)."
        ),
    )
    designer_royalty_max_bp = models.PositiveIntegerField(
        "designers' royalty at most (basis points of the price)",
        default=2_000,
        help_text="A percentage royalty is at most this share of the network's price: 2000 = 20 %.",
    )
    designer_royalty_max_minor = models.BigIntegerField(
        "designers' fixed royalty at most (minor units per unit)",
        default=10_000,
        help_text="In the network's currency.",
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "profit-share policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(platform_surplus_bp__gte=0, platform_surplus_bp__lte=10_000),
                name="policy_bp_range",
            ),
            models.CheckConstraint(
                condition=Q(min_platform_fee_minor__gte=0), name="policy_min_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(designer_royalty_max_bp__lte=10_000, designer_royalty_max_minor__gte=0),
                name="policy_royalty_bounds_range",
            ),
        ]

    def __str__(self):
        return f"Profit-share policy v{self.version}"

    def as_policy(self) -> profit_share.Policy:
        return profit_share.Policy(
            method=self.method,
            platform_surplus_bp=self.platform_surplus_bp,
            min_platform_fee_minor=self.min_platform_fee_minor,
            fee_bearer=self.fee_bearer,
            refund_mode=self.refund_mode,
            refund_fee_bearer=self.refund_fee_bearer,
            version=self.version,
        )


class OrderPolicyPin(models.Model):
    """The policy version an order was sold under; written once, never changed."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="policy_pin")
    policy = models.ForeignKey(ProfitSharePolicy, on_delete=models.PROTECT, related_name="pins")
    pinned_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Order {self.order_id} under v{self.policy.version}"


class ProfitShareSplit(models.Model):
    """One computation of an order's split (a revision). A re-plan makes a new revision; transfers already sent
    keep their amounts. `fingerprint` names the inputs (parts, costs, payment, fee) it was computed from."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="profit_share_splits")
    revision = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    policy = models.ForeignKey(ProfitSharePolicy, on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64)
    currency = models.CharField(max_length=3)
    paid_minor = models.BigIntegerField()
    stripe_fee_minor = models.BigIntegerField()
    fee_known = models.BooleanField(
        default=True, help_text="False while the charge's fee is not yet recorded."
    )
    total_cost_minor = models.BigIntegerField()
    surplus_minor = models.BigIntegerField()
    platform_take_minor = models.BigIntegerField()
    platform_fee_borne_minor = models.BigIntegerField()
    platform_commission_minor = models.BigIntegerField()
    lines = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["order", "revision"], name="split_unique_revision"),
            models.UniqueConstraint(fields=["order"], condition=Q(is_current=True), name="split_one_current"),
        ]

    def __str__(self):
        return f"Split r{self.revision} of order {self.order_id}"


class ShareAmounts(models.Model):
    """The five amounts of a share as profit_share.rule computes them, stored alike on a participant's statement
    and on each of its parts."""

    cost_minor = models.BigIntegerField()
    surplus_share_minor = models.BigIntegerField()
    fee_share_minor = models.BigIntegerField()
    adjustment_minor = models.BigIntegerField(default=0)
    amount_minor = models.BigIntegerField()

    AMOUNT_FIELDS = (
        "cost_minor",
        "surplus_share_minor",
        "fee_share_minor",
        "adjustment_minor",
        "amount_minor",
    )

    class Meta:
        abstract = True

    @classmethod
    def amounts_of(cls, share) -> dict[str, int]:
        """The five amounts of a computed share (rule.ParticipantShare or rule.PartShare), as field values."""
        return {name: getattr(share, name) for name in cls.AMOUNT_FIELDS}


class ProfitShareStatement(ShareAmounts):
    """What one participant (asset owner, carrier or designer) receives for one order, and how it was computed."""

    split = models.ForeignKey(ProfitShareSplit, on_delete=models.CASCADE, related_name="statements")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="profit_share_statements"
    )
    asset_owner = models.ForeignKey(
        "suppliers.AssetOwner", on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    carrier = models.ForeignKey(
        "suppliers.Carrier", on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    designer = models.ForeignKey(
        "designers.Designer", on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    currency = models.CharField(max_length=3)
    lines = models.JSONField(default=list, help_text="The computation, in sentences.")
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "id"]
        indexes = [
            models.Index(fields=["asset_owner", "computed_at"]),
            models.Index(fields=["carrier", "computed_at"]),
            models.Index(fields=["designer", "computed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(asset_owner__isnull=False, carrier__isnull=True, designer__isnull=True)
                | Q(asset_owner__isnull=True, carrier__isnull=False, designer__isnull=True)
                | Q(asset_owner__isnull=True, carrier__isnull=True, designer__isnull=False),
                name="statement_one_participant",
            ),
            models.UniqueConstraint(
                fields=["split", "designer"],
                condition=Q(designer__isnull=False),
                name="statement_unique_designer",
            ),
            models.UniqueConstraint(
                fields=["split", "asset_owner"],
                condition=Q(asset_owner__isnull=False),
                name="statement_unique_ao",
            ),
            models.UniqueConstraint(
                fields=["split", "carrier"],
                condition=Q(carrier__isnull=False),
                name="statement_unique_carrier",
            ),
        ]

    def __str__(self):
        participant = self.asset_owner_id or self.carrier_id or self.designer_id
        return f"Statement of {participant} for order {self.order_id}"

    @property
    def participant(self):
        return self.asset_owner or self.carrier or self.designer


class ProfitSharePart(ShareAmounts):
    """One work item's, transport leg's or royalty's (order line's) line of a statement: the amount its transfer
    carries. For a royalty, `cost_minor` is the royalty the customer paid."""

    statement = models.ForeignKey(ProfitShareStatement, on_delete=models.CASCADE, related_name="parts")
    work_item = models.ForeignKey(
        "orders.WorkItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transport_leg = models.ForeignKey(
        "orders.TransportLeg", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=200)

    class Meta:
        ordering = ["statement", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(work_item__isnull=False, transport_leg__isnull=True, order_line__isnull=True)
                | Q(work_item__isnull=True, transport_leg__isnull=False, order_line__isnull=True)
                | Q(work_item__isnull=True, transport_leg__isnull=True, order_line__isnull=False),
                name="part_one_source",
            )
        ]

    def __str__(self):
        return self.label
