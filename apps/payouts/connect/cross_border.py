"""Which service agreement a participant's connected account needs, from its country and the platform's.

Stripe (docs.stripe.com/connect/cross-border-payouts, /connect/service-agreement-types): platforms and accounts
both in the US, Canada, the UK, the EEA or Switzerland use the `full` agreement, across borders too. Elsewhere an
account in another country than the platform needs the `recipient` agreement (transfers only, never
`card_payments`), which only US platforms can offer, to accounts in the countries below; any other pair is
refused by Stripe, so the participant is told before an account is created. The local Stripe server keeps the
same rule (tools/stripe_local/connect.py); tests/core/test_currencies.py checks that the two agree.
"""

from __future__ import annotations

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
FULL = "full"
RECIPIENT = "recipient"


class CrossBorderRefused(Exception):
    """Stripe cannot pay out to an account in this country from this platform; the message says why."""


def service_agreement_for(*, country: str, platform_country: str) -> str:
    """`full` or `recipient` for an account in `country` on a platform in `platform_country`.

    Raises CrossBorderRefused when Stripe would refuse the account either way.
    """
    country, platform_country = country.upper(), platform_country.upper()
    if country == platform_country or {country, platform_country} <= FULL_AGREEMENT_REGION:
        return FULL
    if country in RECIPIENT_COUNTRIES.get(platform_country, ()):
        return RECIPIENT
    raise CrossBorderRefused(
        f"Payouts to accounts in {country} are not available: this network's Stripe account is in "
        f"{platform_country}, and Stripe only pays out across borders from US platforms to the countries it "
        f"supports. Ask the network to pay you through an account in {platform_country}."
    )
