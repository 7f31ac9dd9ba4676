"""Payouts models, one module per concern; every model is re-exported here for Django and callers."""

from apps.payouts.models.ledger import AccountKind, EntryKind, JournalEntry, LedgerAccount, Posting
from apps.payouts.models.order_money import (
    ConnectedPayout,
    CustomerRefund,
    Dispute,
    DisputeStatus,
    OrderMoney,
    PayoutHold,
    PayoutStatus,
)
from apps.payouts.models.profit_share import (
    FeeBearer,
    OrderPolicyPin,
    ProfitSharePart,
    ProfitSharePolicy,
    ProfitShareSplit,
    ProfitShareStatement,
    RefundFeeBearer,
    RefundMode,
    SplitMethod,
)
from apps.payouts.models.reconciliation import (
    BalanceTransactionRecord,
    ItemKind,
    ReconciliationItem,
    ReconciliationRun,
    RunStatus,
)
from apps.payouts.models.stripe_state import (
    StripeMode,
    StripeSettings,
    StripeWrite,
    WebhookEvent,
    WebhookEventStatus,
)
from apps.payouts.models.transfers import Reversal, ReversalStatus, Transfer, TransferStatus

__all__ = [
    "AccountKind",
    "BalanceTransactionRecord",
    "ConnectedPayout",
    "CustomerRefund",
    "Dispute",
    "DisputeStatus",
    "EntryKind",
    "FeeBearer",
    "ItemKind",
    "JournalEntry",
    "LedgerAccount",
    "OrderMoney",
    "OrderPolicyPin",
    "PayoutHold",
    "PayoutStatus",
    "Posting",
    "ProfitSharePart",
    "ProfitSharePolicy",
    "ProfitShareSplit",
    "ProfitShareStatement",
    "ReconciliationItem",
    "ReconciliationRun",
    "RefundFeeBearer",
    "RefundMode",
    "Reversal",
    "ReversalStatus",
    "RunStatus",
    "SplitMethod",
    "StripeMode",
    "StripeSettings",
    "StripeWrite",
    "Transfer",
    "TransferStatus",
    "WebhookEvent",
    "WebhookEventStatus",
]
