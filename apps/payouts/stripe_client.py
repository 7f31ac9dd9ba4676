"""The one door to Stripe. No other module imports `stripe`.

Each network talks to its own Stripe platform account: the keys in its StripeSettings, or, when it has none,
the local Stripe-compatible server (development and tests). Every write takes an idempotency key from the caller,
derived from our own row (`transfer:<id>`), so a retry after a crash or a timeout never acts twice; it is sent
qualified by the network (two networks may share one Stripe account), and a write whose key Stripe may have
forgotten (24 h) is looked up before it is sent again.
Results come back as plain dicts; errors as the small exception family below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import stripe
from django.conf import settings
from django.db import connection

from apps.core.singletons import singleton_get
from apps.payouts.models import StripeMode, StripeSettings
from apps.tenants.selectors import tenant_current

logger = logging.getLogger(__name__)

NETWORK_RETRIES = 2
WEBHOOK_TOLERANCE_S = 300
# The API version every request is made at (`stripe_version` on the client) and the one our payload parsing
# follows: both webhook endpoints of a network must be created with it in Stripe's Dashboard. Set explicitly
# rather than left to the SDK, so that upgrading the `stripe` package never changes the shapes we parse (since
# 2022-11-15: PaymentIntents have `latest_charge`, no `charges` list; charges no `refunds` list). An event of
# another version has its object read again at this one (apps/payouts/webhooks/versions.py). Moving it is a
# deliberate change: read Stripe's changelog, then update this, the endpoints and the local server's pin.
API_VERSION = "2026-10-28.endive"


class StripeCallError(Exception):
    """Stripe refused or failed a call. What a caller may do next is decided here, once, for every caller:

    - `retryable`: the same request may succeed later — no answer (network error, timeout), 5xx, 429 (rate
      limit) or 409 (the key's first request is still running, a lock timeout). Back off and send it again with
      the same key: the object may already exist under it.
    - `waits_for_account`: Stripe refused because of the connected account's state, which onboarding changes
      on its own; back off (bounded), reading the account again.
    - `permanent`: anything else Stripe refused (a disputed charge, an invalid request, an insufficient
      balance, the same key with other parameters). Retrying cannot help until a person changes something:
      record the code and reason on the row and show it to finance; do not retry.
    - `nothing_created`: Stripe refused outright, so nothing exists under the key and a new key is safe.
    """

    def __init__(self, message: str, *, code: str = "", param: str = "", http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.param = param
        self.http_status = http_status

    @property
    def retryable(self) -> bool:
        status = self.http_status
        return status is None or status >= 500 or status in (409, 429)

    @property
    def waits_for_account(self) -> bool:
        return not self.retryable and (
            self.code in ACCOUNT_NOT_READY_CODES
            or (self.code == "resource_missing" and self.param == "destination")
        )

    @property
    def permanent(self) -> bool:
        return not self.retryable and not self.waits_for_account

    @property
    def nothing_created(self) -> bool:
        return not self.retryable and not isinstance(self, IdempotencyConflict)


# A connected account that cannot receive this yet (onboarding unfinished): a later attempt may succeed.
ACCOUNT_NOT_READY_CODES = frozenset({"insufficient_capabilities_for_transfer"})


def backoff_seconds(attempts: int, *, base: int = 15, cap: int = 3600) -> int:
    """The wait before the next attempt after `attempts` failed ones: exponential, at most `cap`."""
    return min(base * 2 ** max(attempts - 1, 0), cap)


class CardDeclined(StripeCallError):
    pass


class IdempotencyConflict(StripeCallError):
    """The same idempotency key was used with other parameters: a programming error, never retried."""


class InvalidWebhook(Exception):
    """Bad signature, stale timestamp or malformed body."""


@dataclass(frozen=True)
class StripeTarget:
    api_key: str
    api_base: str | None  # None: api.stripe.com


def stripe_settings_get() -> StripeSettings:
    """The current network's Stripe settings; a local-mode row with fresh webhook secrets (account and Connect
    endpoint) on first use. A local-mode row from before Connect endpoints gets its Connect secret here too."""
    from apps.payouts import crypto

    row = StripeSettings.objects.filter(pk=1).first()  # read first: the default below costs an encryption
    if row is None:
        row = singleton_get(
            StripeSettings,
            defaults={
                "webhook_secret_encrypted": crypto.encrypt(StripeSettings.new_local_webhook_secret()),
                "connect_webhook_secret_encrypted": crypto.encrypt(StripeSettings.new_local_webhook_secret()),
            },
        )
    if row.mode == StripeMode.LOCAL and not row.connect_webhook_secret_encrypted:
        secret = crypto.encrypt(StripeSettings.new_local_webhook_secret())
        StripeSettings.objects.filter(pk=row.pk, connect_webhook_secret_encrypted="").update(
            connect_webhook_secret_encrypted=secret
        )
        row.refresh_from_db()
    return row


def _target(row: StripeSettings) -> StripeTarget:
    if row.mode == StripeMode.STRIPE and row.secret_key:
        # STRIPE_API_BASE is None (api.stripe.com) but in tests that run networks with their own keys locally.
        return StripeTarget(api_key=row.secret_key, api_base=settings.STRIPE_API_BASE)
    # One local "platform account" per network: the local server scopes objects and webhooks by API key.
    return StripeTarget(api_key=f"sk_test_local_{connection.schema_name}", api_base=settings.STRIPE_LOCAL_URL)


def _client(target: StripeTarget) -> stripe.StripeClient:
    http_client = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_S)
    if target.api_base is None:
        return stripe.StripeClient(
            target.api_key,
            stripe_version=API_VERSION,
            max_network_retries=NETWORK_RETRIES,
            http_client=http_client,
        )
    addresses = {"api": target.api_base, "connect": target.api_base, "files": target.api_base}
    return stripe.StripeClient(
        target.api_key,
        stripe_version=API_VERSION,
        base_addresses=addresses,
        max_network_retries=NETWORK_RETRIES,
        http_client=http_client,
    )


def tenant_client() -> stripe.StripeClient:
    return _client(_target(stripe_settings_get()))


def _call(fn, *args, **kwargs) -> dict:
    try:
        return fn(*args, **kwargs).to_dict()
    except stripe.CardError as error:
        raise CardDeclined(
            error.user_message or str(error), code=error.code or "", http_status=error.http_status
        ) from None
    except stripe.IdempotencyError as error:
        raise IdempotencyConflict(
            str(error), code="idempotency_error", http_status=error.http_status
        ) from None
    except stripe.StripeError as error:
        body = error.error
        raise StripeCallError(
            getattr(body, "message", None) or str(error),
            code=getattr(body, "code", None) or error.code or "",
            param=getattr(body, "param", None) or "",
            http_status=error.http_status,
        ) from None


# Stripe prunes idempotency keys once they are at least 24 hours old; a key re-sent after that runs the request
# again. An hour's margin for clocks: past this age a write is looked up before it is sent again.
IDEMPOTENCY_KEY_TTL = timedelta(hours=23)


def network_key(idempotency_key: str) -> str:
    """The key as sent: qualified by the network, since two networks may share one Stripe account (and keys).

    The network is named by its schema AND its row's id: a network deleted and signed up again under the same
    subdomain gets the same schema name and numbers its orders from 1 again, and within Stripe's 24 hours its
    `order:1:payment_intent` would otherwise replay (or clash with) the old network's answer. A request already
    holds the network's row (no query); only under schema_context() is it read."""
    network = tenant_current()
    if network is None:
        raise RuntimeError(f"No network owns the schema {connection.schema_name!r}: refusing a Stripe write.")
    return f"{connection.schema_name}.{network.pk}:{idempotency_key}"


def _write(
    operation: str,
    fn,
    *args,
    idempotency_key: str,
    stripe_account: str | None = None,
    find_existing: Callable[[], dict | None] | None = None,
) -> dict:
    """Records the idempotency key in StripeWrite (unique) and sends the write with it.

    A retry of the same logical write arrives with the same key (it is derived from our row), finds the row,
    and Stripe replays its stored response: one object, however many attempts — while Stripe still holds the
    key. When an earlier attempt's outcome is unknown (no answer recorded) or its key may have expired,
    `find_existing` (the object looked up by the metadata we set on it) is asked first, and a found object is
    adopted instead of sending the write again.
    """
    if not idempotency_key:
        raise ValueError("Every Stripe write needs an idempotency key derived from our own row.")
    from django.utils import timezone

    from apps.payouts.models import StripeWrite

    record, created = StripeWrite.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "operation": operation,
            "stripe_account": stripe_account or "",
            # Callable: resolved only when the row is created, not on every retry that finds it.
            "sent_key": lambda: network_key(idempotency_key),
        },
    )
    if not created and find_existing is not None:
        key_may_have_expired = record.created_at <= timezone.now() - IDEMPOTENCY_KEY_TTL
        if record.completed_at is None or key_may_have_expired:
            found = find_existing()
            if found is not None:
                logger.info("Stripe write %s adopted existing %s", idempotency_key, found.get("id"))
                StripeWrite.objects.filter(pk=record.pk).update(
                    stripe_object_id=found.get("id", ""), completed_at=timezone.now()
                )
                return found
    # Writes recorded before keys were qualified by the network keep the key they were first sent with.
    options = {"idempotency_key": record.sent_key or idempotency_key}
    if stripe_account:
        options["stripe_account"] = stripe_account
    result = _call(fn, *args, options)
    StripeWrite.objects.filter(pk=record.pk).update(
        stripe_object_id=result.get("id", ""), completed_at=timezone.now()
    )
    return result


# At most this many list pages (of 100) are read to find an earlier write's object.
LOOKUP_PAGES = 10


def _find_by_metadata(list_fn, *args, params: dict, metadata: dict) -> dict | None:
    """The first listed object carrying all of `metadata` (what we set on the object we are looking for).
    Without metadata nothing identifies it: None."""
    if not metadata:
        return None
    wanted = {name: str(value) for name, value in metadata.items()}
    params = {**params, "limit": 100}
    for _ in range(LOOKUP_PAGES):
        page = _call(list_fn, *args, params)
        for item in page["data"]:
            if all((item.get("metadata") or {}).get(name) == value for name, value in wanted.items()):
                return item
        if not page.get("has_more") or not page["data"]:
            return None
        params["starting_after"] = page["data"][-1]["id"]
    return None


# --- Connect accounts -----------------------------------------------------------------------------------


def account_create(
    *,
    email: str,
    business_name: str,
    country: str,
    metadata: dict,
    idempotency_key: str,
    service_agreement: str = "full",
) -> dict:
    """An Express account that receives transfers; `service_agreement="recipient"` for cross-border ones."""
    params = {
        "type": "express",
        "email": email,
        "country": country,
        "business_profile": {"name": business_name},
        "capabilities": {"transfers": {"requested": True}},
        "metadata": metadata,
        "settings": MANUAL_PAYOUTS,
    }
    if service_agreement != "full":
        params["tos_acceptance"] = {"service_agreement": service_agreement}
    return _write(
        "account.create", tenant_client().v1.accounts.create, params, idempotency_key=idempotency_key
    )


def platform_account_retrieve() -> dict:
    """The network's own Stripe account (its `country` decides which participants it can pay out to)."""
    return _call(tenant_client().v1.accounts.retrieve_current)


# Participants are paid out by the platform after the hold (connect/bank_payouts.py), never by Stripe's schedule.
MANUAL_PAYOUTS = {"payouts": {"schedule": {"interval": "manual"}}}


def account_payouts_manual(*, account_id: str, idempotency_key: str) -> dict:
    return _write(
        "account.update",
        tenant_client().v1.accounts.update,
        account_id,
        {"settings": MANUAL_PAYOUTS},
        idempotency_key=idempotency_key,
    )


def account_retrieve(*, account_id: str) -> dict:
    return _call(tenant_client().v1.accounts.retrieve, account_id)


def account_link_create(*, account_id: str, refresh_url: str, return_url: str, idempotency_key: str) -> dict:
    params = {
        "account": account_id,
        "refresh_url": refresh_url,
        "return_url": return_url,
        "type": "account_onboarding",
    }
    return _write(
        "account_link.create",
        tenant_client().v1.account_links.create,
        params,
        idempotency_key=idempotency_key,
    )


# --- Payments --------------------------------------------------------------------------------------------


def payment_intent_create(
    *, amount_minor: int, currency: str, transfer_group: str, metadata: dict, idempotency_key: str
) -> dict:
    params = {
        "amount": amount_minor,
        "currency": currency.lower(),
        "transfer_group": transfer_group,
        "metadata": metadata,
        "payment_method_types": ["card"],
    }
    return _write(
        "payment_intent.create",
        tenant_client().v1.payment_intents.create,
        params,
        idempotency_key=idempotency_key,
    )


def payment_intent_confirm(*, payment_intent_id: str, payment_method: str, idempotency_key: str) -> dict:
    return _write(
        "payment_intent.confirm",
        tenant_client().v1.payment_intents.confirm,
        payment_intent_id,
        {"payment_method": payment_method},
        idempotency_key=idempotency_key,
    )


def payment_intent_retrieve(*, payment_intent_id: str) -> dict:
    return _call(tenant_client().v1.payment_intents.retrieve, payment_intent_id)


def charge_retrieve(*, charge_id: str) -> dict:
    return _call(tenant_client().v1.charges.retrieve, charge_id, {"expand": ["balance_transaction"]})


def refunds_list(*, charge_id: str) -> list[dict]:
    """Every refund of a charge, newest first, each with its balance transaction. Charges no longer list their
    refunds (API version 2022-11-15 and later), so this is how they are read."""
    client = tenant_client()
    params: dict = {"charge": charge_id, "limit": 100, "expand": ["data.balance_transaction"]}
    refunds: list[dict] = []
    while True:
        page = _call(client.v1.refunds.list, params)
        refunds.extend(page["data"])
        if not page.get("has_more") or not page["data"]:
            return refunds
        params["starting_after"] = page["data"][-1]["id"]


def refund_create(*, charge_id: str, amount_minor: int, metadata: dict, idempotency_key: str) -> dict:
    params = {"charge": charge_id, "amount": amount_minor, "metadata": metadata}
    client = tenant_client()
    return _write(
        "refund.create",
        client.v1.refunds.create,
        params,
        idempotency_key=idempotency_key,
        find_existing=lambda: _find_by_metadata(
            client.v1.refunds.list, params={"charge": charge_id}, metadata=metadata
        ),
    )


def object_retrieve(*, object_type: str, object_id: str, stripe_account: str | None = None) -> dict | None:
    """One object an event is about, read again at API_VERSION; None for a type we never read."""
    client = tenant_client()
    services = {
        "account": client.v1.accounts,
        "charge": client.v1.charges,
        "dispute": client.v1.disputes,
        "payment_intent": client.v1.payment_intents,
        "payout": client.v1.payouts,
        "refund": client.v1.refunds,
        "transfer": client.v1.transfers,
    }
    service = services.get(object_type)
    if service is None:
        return None
    options = {"stripe_account": stripe_account} if stripe_account else {}
    return _call(service.retrieve, object_id, {}, options)


# --- Transfers -------------------------------------------------------------------------------------------


def transfer_create(
    *,
    amount_minor: int,
    currency: str,
    destination: str,
    transfer_group: str,
    source_transaction: str,
    metadata: dict,
    idempotency_key: str,
) -> dict:
    params = {
        "amount": amount_minor,
        "currency": currency.lower(),
        "destination": destination,
        "transfer_group": transfer_group,
        "source_transaction": source_transaction,
        "metadata": metadata,
    }
    client = tenant_client()
    return _write(
        "transfer.create",
        client.v1.transfers.create,
        params,
        idempotency_key=idempotency_key,
        find_existing=lambda: _find_by_metadata(
            client.v1.transfers.list,
            params={"transfer_group": transfer_group, "destination": destination},
            metadata=metadata,
        ),
    )


def transfer_retrieve(*, transfer_id: str) -> dict:
    return _call(tenant_client().v1.transfers.retrieve, transfer_id)


def transfer_reversal_create(
    *, transfer_id: str, amount_minor: int, metadata: dict, idempotency_key: str
) -> dict:
    client = tenant_client()
    return _write(
        "transfer_reversal.create",
        client.v1.transfers.reversals.create,
        transfer_id,
        {"amount": amount_minor, "metadata": metadata},
        idempotency_key=idempotency_key,
        find_existing=lambda: _find_by_metadata(
            client.v1.transfers.reversals.list, transfer_id, params={}, metadata=metadata
        ),
    )


# --- Balances and payouts --------------------------------------------------------------------------------


def balance_retrieve(*, stripe_account: str | None = None) -> dict:
    options = {"stripe_account": stripe_account} if stripe_account else {}
    return _call(tenant_client().v1.balance.retrieve, {}, options)


def balance_transactions_iter(
    *, created_gte: int | None = None, stripe_account: str | None = None
) -> Iterator[dict]:
    """Every balance transaction since `created_gte` (Unix seconds), oldest page first."""
    client = tenant_client()
    params: dict = {"limit": 100}
    if created_gte is not None:
        params["created"] = {"gte": created_gte}
    options = {"stripe_account": stripe_account} if stripe_account else {}
    while True:
        page = _call(client.v1.balance_transactions.list, params, options)
        yield from page["data"]
        if not page.get("has_more") or not page["data"]:
            return
        params["starting_after"] = page["data"][-1]["id"]


def payout_create(
    *, amount_minor: int, currency: str, stripe_account: str, metadata: dict, idempotency_key: str
) -> dict:
    """A payout of a connected account's available balance to its bank (its schedule is manual)."""
    params = {"amount": amount_minor, "currency": currency.lower(), "metadata": metadata}
    return _write(
        "payout.create",
        tenant_client().v1.payouts.create,
        params,
        idempotency_key=idempotency_key,
        stripe_account=stripe_account,
    )


def payout_list(*, stripe_account: str) -> list[dict]:
    return _call(tenant_client().v1.payouts.list, {"limit": 100}, {"stripe_account": stripe_account})["data"]


# --- Webhooks and settings -------------------------------------------------------------------------------


def webhook_signature_verify(*, payload: bytes, signature: str | None, secret: str) -> None:
    """Verifies Stripe's signature over the raw body (5-minute tolerance). Raises InvalidWebhook.

    Only the signature: the body's shape is the inbox's to check (apps/payouts/webhooks/event_body.py)."""
    if not signature or not secret:
        raise InvalidWebhook("Missing Stripe-Signature header or webhook secret.")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance=WEBHOOK_TOLERANCE_S)
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(f"Signature verification failed: {error}") from None
    except ValueError:  # the SDK decodes the body before comparing
        raise InvalidWebhook("Signature verification failed: the body is not UTF-8.") from None


def secret_key_verify(*, secret_key: str) -> None:
    """A test call with keys staff are about to save; raises StripeCallError when Stripe refuses them."""
    _call(_client(StripeTarget(api_key=secret_key, api_base=None)).v1.balance.retrieve)


def local_webhook_register(
    *, endpoint_id: str, url: str, host: str, secret: str, connect: bool, events: list[str]
) -> bool:
    """Local mode only: asks the local Stripe server to deliver this network's events to `url` (with `host` as
    the Host header), signed with `secret`: its connected accounts' events when `connect`, else its own. The
    server keeps registrations in memory, so `make run` registers again at start. Returns False (and logs) when
    the network uses real Stripe keys or the local server is unreachable."""
    import logging

    import requests

    target = _target(stripe_settings_get())
    if target.api_base is None:
        return False
    try:
        response = requests.post(
            f"{target.api_base}/_config/webhooks/{endpoint_id}",
            json={
                "url": url,
                "host": host,
                "secret": secret,
                "api_key": target.api_key,
                "connect": connect,
                "events": events,
                "api_version": API_VERSION,
            },
            timeout=settings.STRIPE_TIMEOUT_S,
        )
        response.raise_for_status()
    except requests.RequestException as error:
        logging.getLogger(__name__).warning("Local Stripe webhook registration failed: %s", error)
        return False
    return True
