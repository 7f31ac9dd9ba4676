"""Admin for the money side: the profit-share policy (publishing a version is the only way to change it) and
read-only views of the ledger, transfers, refunds, disputes, payouts and reconciliation runs. Who sees and acts
is the role table's (apps.accounts.access)."""

from django.contrib import admin, messages

from apps.payouts.models import (
    ConnectedPayout,
    CustomerRefund,
    Dispute,
    JournalEntry,
    LedgerAccount,
    PayoutHold,
    Posting,
    ProfitSharePolicy,
    ReconciliationRun,
    Reversal,
    Transfer,
    TransferStatus,
)
from apps.payouts.profit_share.policies import profit_share_policy_publish
from apps.payouts.transfers.participant_transfers import transfer_retry_now


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProfitSharePolicy)
class ProfitSharePolicyAdmin(admin.ModelAdmin):
    """Staff publish a new version; existing versions never change (orders pinned to them keep their terms)."""

    list_display = [
        "version",
        "method",
        "platform_surplus_bp",
        "min_platform_fee_minor",
        "fee_bearer",
        "refund_mode",
        "refund_fee_bearer",
        "created_at",
        "created_by",
    ]
    fields = [
        "method",
        "platform_surplus_bp",
        "min_platform_fee_minor",
        "fee_bearer",
        "refund_mode",
        "refund_fee_bearer",
        "designer_royalty_max_bp",
        "designer_royalty_max_minor",
        "note",
    ]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = profit_share_policy_publish(
            method=obj.method,
            platform_surplus_bp=obj.platform_surplus_bp,
            min_platform_fee_minor=obj.min_platform_fee_minor,
            fee_bearer=obj.fee_bearer,
            refund_mode=obj.refund_mode,
            refund_fee_bearer=obj.refund_fee_bearer,
            designer_royalty_max_bp=obj.designer_royalty_max_bp,
            designer_royalty_max_minor=obj.designer_royalty_max_minor,
            note=obj.note,
            actor=request.user,
        )
        obj.pk, obj.version = published.pk, published.version


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    can_delete = False
    readonly_fields = ["account", "amount_minor", "currency"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "effective_at", "kind", "order", "stripe_object_id", "key", "memo"]
    list_filter = ["kind"]
    search_fields = ["stripe_object_id", "balance_transaction_id", "key", "memo"]
    inlines = [PostingInline]


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "currency", "order", "asset_owner", "carrier", "designer"]
    list_filter = ["kind", "currency"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "order",
        "asset_owner",
        "carrier",
        "designer",
        "amount_minor",
        "currency",
        "status",
        "attempts",
        "last_error",
        "last_error_code",
        "failure_advice",
        "stripe_transfer_id",
    ]
    list_filter = ["status", "last_error_code"]
    search_fields = ["stripe_transfer_id", "idempotency_key"]
    actions = ["retry_now"]

    def has_retry_permission(self, request) -> bool:
        # The change form stays read-only; retrying is the one change a person makes to a transfer.
        return request.user.has_perm("payouts.change_transfer")

    @admin.action(description="Retry the selected pending or failed transfers now", permissions=["retry"])
    def retry_now(self, request, queryset):
        count = 0
        for transfer in queryset.filter(status__in=[TransferStatus.PENDING, TransferStatus.FAILED]):
            transfer_retry_now(transfer_id=transfer.pk)
            count += 1
        messages.success(request, f"{count} transfer(s) queued for another attempt.")


@admin.register(Reversal)
class ReversalAdmin(ReadOnlyAdmin):
    """`unrecoverable`: a refund share Stripe would not reverse (the participant's balance was paid out), owed by
    the participant and taken from their next funds before their next payout."""

    list_display = [
        "pk",
        "transfer",
        "participant",
        "amount_minor",
        "currency",
        "status",
        "attempts",
        "last_error",
        "last_error_code",
        "failure_advice",
        "external",
        "stripe_reversal_id",
    ]
    list_filter = ["status", "external", "last_error_code"]
    list_select_related = ["transfer__asset_owner", "transfer__carrier", "transfer__designer"]

    @admin.display(description="Participant")
    def participant(self, obj):
        return obj.transfer.participant


@admin.register(PayoutHold)
class PayoutHoldAdmin(admin.ModelAdmin):
    """The one row of the network's payout hold (participants are paid out by the platform after it)."""

    list_display = ["__str__", "hold_days", "updated_at"]
    fields = ["hold_days"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PayoutHold.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


@admin.register(CustomerRefund)
class CustomerRefundAdmin(ReadOnlyAdmin):
    list_display = ["stripe_refund_id", "order", "amount_minor", "currency", "allocated_at"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["stripe_dispute_id", "order", "amount_minor", "fee_minor", "currency", "status", "reason"]
    list_filter = ["status"]


@admin.register(ConnectedPayout)
class ConnectedPayoutAdmin(ReadOnlyAdmin):
    list_display = [
        "stripe_payout_id",
        "stripe_account",
        "asset_owner",
        "carrier",
        "designer",
        "amount_minor",
        "currency",
        "status",
        "requested_at",
        "failure_message",
    ]
    list_filter = ["status"]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "started_at",
        "trigger",
        "status",
        "fetched",
        "matched",
        "missing_in_ledger",
        "missing_at_stripe",
        "amount_mismatch",
        "in_flight",
    ]
    list_filter = ["status"]
