"""Connect accounts: creation, onboarding (account link page and test control), updates, scoping."""

import pytest
import requests
import stripe

from .helpers import event_types

RETURN_URL = "https://platform.test/connect/return"
REFRESH_URL = "https://platform.test/connect/refresh"


def test_new_express_account_needs_onboarding(new_account):
    account = new_account(email="maker@example.test", metadata={"tenant": "alpha"})

    assert account.id.startswith("acct_")
    assert account.object == "account"
    assert account.type == "express"
    assert account.controller.stripe_dashboard.type == "express"
    assert account.country == "FR"
    assert account.default_currency == "eur"
    assert account.email == "maker@example.test"
    assert account.metadata.to_dict() == {"tenant": "alpha"}
    assert account.capabilities.transfers == "inactive"
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (
        False,
        False,
        False,
    )
    assert "external_account" in account.requirements.currently_due
    assert account.requirements.disabled_reason == "requirements.past_due"


def test_account_from_controller_properties(stripe_client):
    account = stripe_client.v1.accounts.create(
        {
            "country": "JP",
            "controller": {
                "stripe_dashboard": {"type": "none"},
                "requirement_collection": "application",
                "fees": {"payer": "application"},
                "losses": {"payments": "application"},
            },
            "capabilities": {"transfers": {"requested": True}},
            "tos_acceptance": {"service_agreement": "recipient"},  # JP from a US platform: cross-border
        }
    )

    assert account.type == "custom"
    assert account.default_currency == "jpy"
    assert account.controller.requirement_collection == "application"
    assert account.capabilities.transfers == "inactive"


def test_account_needs_type_or_controller(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.accounts.create({"country": "FR"})
    assert error.value.http_status == 400
    assert error.value.param == "type"


def test_unknown_parameter_is_rejected(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.accounts.create({"type": "express", "colour": "blue"})
    assert error.value.code == "parameter_unknown"
    assert error.value.param == "colour"


def test_onboarding_through_the_account_link_page(stripe_server, stripe_client, new_account):
    account = new_account()
    link = stripe_client.v1.account_links.create(
        {
            "account": account.id,
            "refresh_url": REFRESH_URL,
            "return_url": RETURN_URL,
            "type": "account_onboarding",
        }
    )
    assert link.object == "account_link"
    assert link.url.startswith(stripe_server + "/")
    assert link.expires_at > link.created

    page = requests.get(link.url, timeout=5)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Complete onboarding" in page.text
    assert account.id in page.text
    assert (
        stripe_client.v1.accounts.retrieve(account.id).details_submitted is False
    )  # viewing changes nothing

    submitted = requests.post(link.url, data={"action": "complete"}, allow_redirects=False, timeout=5)
    assert submitted.status_code == 302
    assert submitted.headers["Location"] == RETURN_URL

    account = stripe_client.v1.accounts.retrieve(account.id)
    assert account.capabilities.transfers == "active"
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (True, True, True)
    assert account.requirements.currently_due == []
    assert account.requirements.disabled_reason is None
    assert account.external_accounts.data[0].object == "bank_account"

    events = stripe_client.v1.events.list({"type": "account.updated"}, {"stripe_account": account.id}).data
    assert len(events) == 1
    assert events[0].account == account.id
    assert events[0].data.object.id == account.id
    assert events[0].data.object.capabilities.transfers == "active"

    # Account links are single-use: coming back sends the user to refresh_url.
    again = requests.get(link.url, allow_redirects=False, timeout=5)
    assert again.status_code == 302
    assert again.headers["Location"] == REFRESH_URL


def test_leaving_the_onboarding_page_goes_to_refresh_url(stripe_client, new_account):
    account = new_account()
    link = stripe_client.v1.account_links.create(
        {
            "account": account.id,
            "refresh_url": REFRESH_URL,
            "return_url": RETURN_URL,
            "type": "account_onboarding",
        }
    )

    left = requests.post(link.url, data={"action": "refresh"}, allow_redirects=False, timeout=5)

    assert left.status_code == 302
    assert left.headers["Location"] == REFRESH_URL
    assert stripe_client.v1.accounts.retrieve(account.id).capabilities.transfers == "inactive"
    assert "account.updated" not in event_types(stripe_client, account.id)


def test_account_link_needs_an_existing_account(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.account_links.create(
            {
                "account": "acct_nope",
                "refresh_url": REFRESH_URL,
                "return_url": RETURN_URL,
                "type": "account_onboarding",
            }
        )
    assert error.value.code == "resource_missing"
    assert error.value.param == "account"


def test_complete_onboarding_control(stripe_server, stripe_client, new_account):
    account = new_account()

    response = requests.post(f"{stripe_server}/_test/accounts/{account.id}/complete_onboarding", timeout=5)

    assert response.status_code == 200
    assert response.json()["capabilities"] == {"transfers": "active"}
    assert stripe_client.v1.accounts.retrieve(account.id).payouts_enabled is True
    assert event_types(stripe_client, account.id) == ["account.updated"]


def test_restrict_control_takes_capabilities_back(stripe_client, onboarded_account, control):
    account = onboarded_account()

    control(f"accounts/{account.id}/restrict", currently_due=["individual.verification.document"])

    account = stripe_client.v1.accounts.retrieve(account.id)
    assert account.capabilities.transfers == "inactive"
    assert account.payouts_enabled is False
    assert account.requirements.currently_due == ["individual.verification.document"]
    assert event_types(stripe_client, account.id) == ["account.updated", "account.updated"]


def test_restrict_control_can_restrict_one_thing_at_a_time(stripe_client, onboarded_account, control):
    """Past-due requirements alone, payouts alone, or the transfers capability alone (for the app's tests)."""
    past_due, no_payouts, no_transfers = onboarded_account(), onboarded_account(), onboarded_account()

    control(
        f"accounts/{past_due.id}/restrict",
        currently_due=["company.tax_id"],
        payouts_enabled=True,
        capability_status="active",
    )
    control(f"accounts/{no_payouts.id}/restrict", currently_due=[], capability_status="active")
    control(
        f"accounts/{no_transfers.id}/restrict", payouts_enabled=True, past_due=[], capability_status="pending"
    )

    past_due, no_payouts, no_transfers = (
        stripe_client.v1.accounts.retrieve(a.id) for a in (past_due, no_payouts, no_transfers)
    )
    assert (past_due.payouts_enabled, past_due.capabilities.transfers) == (True, "active")
    assert past_due.requirements.past_due == ["company.tax_id"]
    assert past_due.requirements.disabled_reason == "requirements.past_due"
    assert (no_payouts.payouts_enabled, no_payouts.capabilities.transfers) == (False, "active")
    assert (no_transfers.payouts_enabled, no_transfers.capabilities.transfers) == (True, "pending")
    assert no_transfers.requirements.past_due == []


def test_update_account(stripe_client, new_account):
    account = new_account(metadata={"tenant": "alpha", "plan": "basic"})

    updated = stripe_client.v1.accounts.update(
        account.id,
        {
            "email": "new@example.test",
            "metadata": {"plan": "", "region": "eu"},
            "capabilities": {"card_payments": {"requested": True}},
        },
    )

    assert updated.email == "new@example.test"
    assert updated.metadata.to_dict() == {"tenant": "alpha", "region": "eu"}  # "" deletes a key, others merge
    assert updated.capabilities.to_dict() == {"transfers": "inactive", "card_payments": "inactive"}
    assert event_types(stripe_client, account.id) == ["account.updated"]


def test_list_accounts_newest_first_with_pagination(stripe_client, new_account):
    created = [new_account(email=f"{n}@example.test") for n in range(3)]

    first_page = stripe_client.v1.accounts.list({"limit": 2})
    second_page = stripe_client.v1.accounts.list({"limit": 2, "starting_after": first_page.data[-1].id})

    assert [a.id for a in first_page.data] == [created[2].id, created[1].id]
    assert first_page.has_more is True
    assert [a.id for a in second_page.data] == [created[0].id]
    assert second_page.has_more is False


def test_delete_account(stripe_client, new_account):
    account = new_account()

    deleted = stripe_client.v1.accounts.delete(account.id)

    assert deleted.id == account.id
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.v1.accounts.retrieve(account.id)
    assert error.value.http_status == 404
    assert error.value.code == "resource_missing"


def test_current_account_follows_the_stripe_account_header(stripe_client, new_account):
    account = new_account()

    assert stripe_client.v1.accounts.retrieve_current(options={"stripe_account": account.id}).id == account.id
    assert stripe_client.v1.accounts.retrieve_current().id != account.id


def test_unknown_stripe_account_header_is_refused(stripe_client):
    with pytest.raises(stripe.PermissionError) as error:
        stripe_client.v1.balance.retrieve(options={"stripe_account": "acct_doesnotexist"})
    assert error.value.http_status == 403
    assert error.value.error.code == "account_invalid"
