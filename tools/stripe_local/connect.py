"""Connect: connected accounts (``/v1/accounts``) and their onboarding state.

A new account's requested capabilities are ``inactive`` and ``requirements.currently_due`` lists what
onboarding collects. Onboarding completes when the account link page's "Complete onboarding" button
is pressed (see ``onboarding``) or through ``POST /_test/accounts/{id}/complete_onboarding``:
capabilities become ``active``, ``charges_enabled``/``payouts_enabled``/``details_submitted`` become
true and ``account.updated`` is emitted. Simplification: there is no intermediate ``pending``
verification step; ``POST /_test/accounts/{id}/restrict`` takes an account back to "information needed".
"""

from localstripe.resources import DeletedObject, StripeObject, random_id

from . import clock, money, schedule
from .api import api_route, emit, page, stored
from .context import current_account, visible
from .errors import StripeError, invalid, no_such
from .params import Params, fresh_metadata, merge_metadata
from .state import store

ACCOUNT_TYPES = ("express", "standard", "custom")
ONBOARDING_REQUIREMENTS = [
    "business_profile.url",
    "business_type",
    "external_account",
    "individual.dob.day",
    "individual.dob.month",
    "individual.dob.year",
    "individual.email",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]
# Cross-border accounts (docs.stripe.com/connect/cross-border-payouts, /connect/service-agreement-types):
# platforms and accounts both in this region may use the `full` service agreement across borders; anywhere else
# an account in another country than the platform needs the `recipient` agreement, which only US platforms can
# use, for accounts in the countries below. The application keeps the same rule in
# apps/payouts/connect/cross_border.py (tests/core/test_currencies.py checks they agree).
FULL_AGREEMENT_REGION = frozenset(
    [
        "US",
        "CA",
        "GB",
        "CH",
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)
RECIPIENT_COUNTRIES = {
    "US": frozenset(
        [
            "AE",
            "AT",
            "AU",
            "BE",
            "BG",
            "BR",
            "CA",
            "CH",
            "CY",
            "CZ",
            "DE",
            "DK",
            "EE",
            "ES",
            "FI",
            "FR",
            "GB",
            "GR",
            "HK",
            "HR",
            "HU",
            "IE",
            "IL",
            "IN",
            "IT",
            "JP",
            "LI",
            "LT",
            "LU",
            "LV",
            "MT",
            "MX",
            "NL",
            "NO",
            "NZ",
            "PL",
            "PT",
            "RO",
            "SE",
            "SG",
            "SI",
            "SK",
            "TH",
        ]
    )
}
SERVICE_AGREEMENTS = ("full", "recipient")
# Accepted on create/update so real onboarding payloads work; merged into the account's field of the
# same name when it has one, never interpreted (except `settings.payouts.schedule`, see ``schedule``).
_PASSTHROUGH_FIELDS = ("business_profile", "settings", "individual", "company", "tos_acceptance")


def _requirements(due: list[str], past_due: list[str] | None = None) -> dict:
    past_due = list(due) if past_due is None else list(past_due)
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": "requirements.past_due" if past_due else None,
        "errors": [],
        "eventually_due": list(due),
        "past_due": past_due,
        "pending_verification": [],
    }


def _controller_for_type(account_type: str) -> dict:
    if account_type == "standard":
        return {"is_controller": True, "type": "account"}
    dashboard = "express" if account_type == "express" else "none"
    return {
        "fees": {"payer": "application"},
        "is_controller": True,
        "losses": {"payments": "application"},
        "requirement_collection": "stripe" if account_type == "express" else "application",
        "stripe_dashboard": {"type": dashboard},
        "type": "application",
    }


def _type_for_controller(controller: dict) -> str:
    dashboard = (controller.get("stripe_dashboard") or {}).get("type")
    return {"express": "express", "full": "standard", "none": "custom"}.get(dashboard, "none")


def _check_service_agreement(country: str, agreement: str, capabilities: dict[str, bool]) -> None:
    platform = money.settings.platform_country
    if agreement not in SERVICE_AGREEMENTS:
        raise invalid(
            f"Invalid tos_acceptance[service_agreement]: must be one of {', '.join(SERVICE_AGREEMENTS)}",
            param="tos_acceptance[service_agreement]",
        )
    if agreement == "recipient" and capabilities.get("card_payments"):
        raise invalid(
            "Accounts under the `recipient` service agreement cannot request the `card_payments` capability.",
            param="capabilities[card_payments]",
        )
    if country == platform or {country, platform} <= FULL_AGREEMENT_REGION:
        return
    if country not in RECIPIENT_COUNTRIES.get(platform, ()):
        raise invalid(
            f"Connected accounts in {country} cannot be created by platforms in {platform}.", param="country"
        )
    if agreement != "recipient":
        raise invalid(
            f"Connected accounts in {country} cannot be created by platforms in {platform} under the `full` "
            "service agreement. Cross-border payouts need tos_acceptance[service_agreement]=recipient.",
            param="tos_acceptance[service_agreement]",
        )


def _requested_capabilities(value) -> dict[str, bool]:
    requested = {}
    for name, spec in (value or {}).items():
        flag = spec.get("requested") if isinstance(spec, dict) else None
        if str(flag).lower() not in ("true", "false"):
            raise invalid(
                f"Invalid capabilities[{name}][requested]: must be a boolean", param=f"capabilities[{name}]"
            )
        requested[name] = str(flag).lower() == "true"
    return requested


class Account(StripeObject):
    object = "account"
    _id_prefix = "acct_"
    _global = True  # connected accounts are looked up from the platform and from themselves

    def __init__(self, *, type, controller, country, email, default_currency, capabilities, metadata, extra):
        super().__init__(id="acct_" + random_id(16))
        self.type = type
        self.controller = controller
        self.country = country
        self.email = email
        self.default_currency = default_currency
        self.metadata = metadata
        self.business_type = extra.pop("business_type", None)
        self.business_profile = extra.pop("business_profile", None) or {}
        self.settings = extra.pop("settings", None) or schedule.payout_settings_merge({}, None)
        self.tos_acceptance = {
            "date": None,
            "ip": None,
            "user_agent": None,
            "service_agreement": "full",
            **(extra.pop("tos_acceptance", None) or {}),
        }
        self.capabilities = {name: "inactive" for name, wanted in capabilities.items() if wanted}
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False
        self.requirements = _requirements(ONBOARDING_REQUIREMENTS)
        self.future_requirements = _requirements([])
        self.external_accounts = self._bank_accounts([])

    def _bank_accounts(self, data: list) -> dict:
        url = f"/v1/accounts/{self.id}/external_accounts"
        return {"object": "list", "data": data, "has_more": False, "total_count": len(data), "url": url}

    def _payout_destination(self) -> str:
        banks = self.external_accounts["data"]
        return banks[0]["id"] if banks else "ba_" + random_id(24)

    def _transfers_active(self) -> bool:
        return self.capabilities.get("transfers") == "active"

    def _complete_onboarding(self) -> bool:
        """Returns whether anything changed (so callers only emit ``account.updated`` when it did)."""
        before = self._snapshot()
        self.details_submitted = self.charges_enabled = self.payouts_enabled = True
        self.capabilities = {name: "active" for name in self.capabilities}
        self.requirements = _requirements([])
        if not self.tos_acceptance.get("date"):
            self.tos_acceptance = {
                **self.tos_acceptance,
                "date": clock.now(),
                "ip": "127.0.0.1",
                "user_agent": "stripe_local",
            }
        if not self.external_accounts["data"]:
            bank = {
                "id": "ba_" + random_id(24),
                "object": "bank_account",
                "account": self.id,
                "account_holder_type": "individual",
                "bank_name": "STRIPE TEST BANK",
                "country": self.country,
                "currency": self.default_currency,
                "default_for_currency": True,
                "last4": "6789",
                "status": "new",
            }
            self.external_accounts = self._bank_accounts([bank])
        return before != self._snapshot()

    def _snapshot(self) -> tuple:
        flags = (self.details_submitted, self.charges_enabled, self.payouts_enabled)
        return flags, dict(self.capabilities), tuple(self.requirements["currently_due"])

    def _restrict(
        self, due: list[str], *, past_due: list[str], payouts_enabled: bool, capability_status: str
    ) -> None:
        self.charges_enabled = self.payouts_enabled = payouts_enabled
        self.capabilities = {name: capability_status for name in self.capabilities}
        self.requirements = _requirements(due, past_due)

    def _update_from(self, p: Params) -> None:
        self.settings = schedule.payout_settings_merge(
            self.settings, p.mapping("settings")
        )  # may refuse: first
        self.email = p.string("email", default=self.email)
        self.metadata = merge_metadata(self.metadata, p.metadata())
        self.business_type = p.string("business_type", default=self.business_type)
        self.default_currency = p.currency("default_currency", default=self.default_currency)
        requested = _requested_capabilities(p.mapping("capabilities"))
        agreement = self.tos_acceptance.get("service_agreement", "full")
        if requested.get("card_payments") and agreement == "recipient":
            _check_service_agreement(self.country, agreement, requested)
        for name, wanted in requested.items():
            if not wanted:
                self.capabilities.pop(name, None)
            elif name not in self.capabilities:
                self.capabilities[name] = (
                    "active" if self.details_submitted and self.payouts_enabled else "inactive"
                )
        for name in _PASSTHROUGH_FIELDS:
            value = p.mapping(name)
            agreement = (value or {}).get("service_agreement") if name == "tos_acceptance" else None
            if agreement and agreement != self.tos_acceptance.get("service_agreement"):
                raise invalid(
                    "The service agreement of an account cannot be changed once it is created.",
                    param="tos_acceptance[service_agreement]",
                )
            if value is not None and hasattr(self, name):
                setattr(self, name, {**getattr(self, name), **value})
        p.mapping("external_account")
        p.done()


def find_any_account(id) -> Account | None:
    """Whatever platform it belongs to: for out-of-band callers (test controls, onboarding pages)."""
    obj = store.get(f"account:{id}") if isinstance(id, str) else None
    return obj if isinstance(obj, Account) else None


def find_account(id) -> Account | None:
    """Only the current platform's accounts: another key's account is as unknown as a made-up id."""
    account = find_any_account(id)
    return account if account is not None and visible(account) else None


def get_account(id, *, param: str = "account", status: int = 404, any_platform: bool = False) -> Account:
    account = find_any_account(id) if any_platform else find_account(id)
    if account is None:
        raise no_such("account", id, param=param, status=status)
    return account


def account_updated(account: Account) -> None:
    emit("account.updated", account, account=account.id)


def complete_onboarding(account: Account) -> Account:
    if account._complete_onboarding():  # only an actual change is an account.updated
        account_updated(account)
    return account


# --- /v1/accounts ------------------------------------------------------------------------------------


@api_route
def create_account(request, params):
    if current_account() is not None:
        raise StripeError(
            403, "Connected accounts cannot create other accounts.", type="invalid_request_error"
        )
    p = Params(params)
    account_type = p.string("type", choices=ACCOUNT_TYPES)
    controller = p.mapping("controller")
    if account_type and controller:
        raise invalid("You cannot specify both `type` and `controller`.", param="controller")
    if not account_type and not controller:
        raise invalid(
            "You must specify either `type` or `controller`.", code="parameter_missing", param="type"
        )
    if controller:
        account_type = _type_for_controller(controller)
    else:
        controller = _controller_for_type(account_type)
    country = p.string("country", default=money.settings.platform_country).upper()
    capabilities = _requested_capabilities(p.mapping("capabilities"))
    if account_type == "standard" and not capabilities:
        capabilities = {"card_payments": True, "transfers": True}  # Stripe requests these for standard
    fields = {
        "email": p.string("email"),
        "default_currency": p.currency("default_currency", default=money.default_currency(country)),
        "metadata": fresh_metadata(p.metadata()),
    }
    extra = {
        "business_type": p.string("business_type"),
        **{name: p.mapping(name) for name in _PASSTHROUGH_FIELDS},
    }
    p.mapping("external_account")
    p.done()
    agreement = (extra.get("tos_acceptance") or {}).get("service_agreement") or "full"
    _check_service_agreement(country, agreement, capabilities)
    extra["settings"] = schedule.payout_settings_merge({}, extra["settings"])
    account = Account(
        type=account_type,
        controller=controller,
        country=country,
        capabilities=capabilities,
        extra=extra,
        **fields,
    )
    return account


@api_route
def retrieve_account(request, params):
    Params(params).done()
    return get_account(request.match_info["id"], param="account")


@api_route
def update_account(request, params):
    account = get_account(request.match_info["id"], param="account")
    account._update_from(Params(params))
    account_updated(account)
    return account


@api_route
def delete_account(request, params):
    account = get_account(request.match_info["id"], param="account")
    del store[f"account:{account.id}"]  # its account links now lead to refresh_url
    return DeletedObject(account.id, "account")


@api_route
def list_accounts(request, params):
    p = Params(params)
    limit, starting_after = p.integer("limit"), p.string("starting_after")
    in_range = p.created()
    p.done()
    return page(
        request.path, [account for account in stored("account") if in_range(account)], limit, starting_after
    )


@api_route
def current_account_details(request, params):
    """``GET /v1/account``: the connected account of the Stripe-Account header, or the platform."""
    Params(params).done()
    if current_account() is not None:
        return get_account(current_account())
    country = money.settings.platform_country
    return {
        "id": "acct_local_platform",
        "object": "account",
        "type": "standard",
        "country": country,
        "default_currency": money.default_currency(country),
        "capabilities": {"card_payments": "active", "transfers": "active"},
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
        "email": None,
        "metadata": {},
    }


# --- test controls (out-of-band: any platform's account; account.updated goes to its platform) --------


@api_route
def complete_onboarding_control(request, params):
    Params(params).done()
    return complete_onboarding(get_account(request.match_info["id"], param="id", any_platform=True))


@api_route
def restrict_control(request, params):
    p = Params(params)
    due = p.string_list("currently_due") or ["individual.verification.document"]
    past_due = p.string_list("past_due", default=due)
    payouts_enabled = p.boolean("payouts_enabled", default=False)
    capability_status = p.string(
        "capability_status", choices=("inactive", "pending", "active"), default="inactive"
    )
    p.done()
    account = get_account(request.match_info["id"], param="id", any_platform=True)
    account._restrict(
        due, past_due=past_due, payouts_enabled=payouts_enabled, capability_status=capability_status
    )
    account_updated(account)
    return account


ROUTES = [
    ("POST", "/v1/accounts", create_account),
    ("GET", "/v1/accounts", list_accounts),
    ("GET", "/v1/accounts/{id}", retrieve_account),
    ("POST", "/v1/accounts/{id}", update_account),
    ("DELETE", "/v1/accounts/{id}", delete_account),
    ("GET", "/v1/account", current_account_details),
]
