"""What finance should do about a transfer, reversal or refund Stripe refused, by the code recorded on the row.

The code is Stripe's (`error.code`), the HTTP status when Stripe gave none, "network" when no answer came, or one
of ours (`not_onboarded`, `funding_exceeded`, `transfer_not_sent`)."""

ADVICE = {
    "charge_disputed": (
        "The customer disputed the charge; Stripe refuses money movements on it until the dispute closes. "
        "Wait for the dispute's outcome, then retry."
    ),
    "balance_insufficient": (
        "The balance this would come from is too low (a participant's account already paid out). Agree "
        "repayment with the participant or top up the balance, then retry."
    ),
    "insufficient_capabilities_for_transfer": (
        "The participant's Stripe account cannot receive transfers yet. Ask them to finish onboarding; it is "
        "retried on its own meanwhile."
    ),
    "not_onboarded": "The participant has not started Stripe onboarding. Ask them to; it is retried on its own.",
    "account_invalid": (
        "The participant's Stripe account is restricted or no longer connected. Ask them to fix it in Stripe, "
        "then retry."
    ),
    "amount_too_large": (
        "More than the charge still funds (refunds or earlier transfers took it). Check the order's money flow "
        "before retrying."
    ),
    "charge_already_refunded": (
        "The charge was already refunded in full (in Stripe's Dashboard, or a lost dispute): nothing more can go "
        "back. Check the order's money flow; no retry."
    ),
    "funding_exceeded": "The order's charge no longer funds this transfer. Check the order's money flow.",
    "idempotency_error": (
        "A programming error: one request key was sent with other parameters. Tell the developers; do not retry."
    ),
    "resource_missing": "Stripe does not know the charge or account used. Check the ids on the order.",
    "transfer_not_sent": "Waits for its transfer to be sent; nothing to do.",
}
TRANSIENT = "Stripe could not be reached or was busy; it is retried on its own with a growing delay."
REFUSED = "Stripe refused this request: read the error, fix its cause, then retry."


def failure_advice(code: str) -> str:
    """The advice for a recorded failure code ("" when nothing failed)."""
    if not code:
        return ""
    if code in ADVICE:
        return ADVICE[code]
    if code in ("network", "rate_limit", "lock_timeout") or code.startswith(("5", "429", "409")):
        return TRANSIENT
    return REFUSED
