"""Services of the supplier network: applying, status machine, suspension re-plan, resources and calendars."""

import json
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import redis
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.transitions import InvalidTransition
from apps.processes.models import Process
from apps.suppliers.models import (
    AssetOwner,
    AssetOwnerMember,
    CalendarException,
    Carrier,
    OpeningHours,
    ParticipantStatusChange,
    RateCard,
    Resource,
    SupplierOutcome,
)
from apps.suppliers.selectors import (
    asset_owner_list_eligible,
    asset_owner_quality,
    carrier_list_eligible,
    resource_closed_minutes,
    resource_list_eligible,
)
from apps.suppliers.services import (
    CARRIER_REPLAN_TASK,
    REPLAN_TASK,
    asset_owner_suspend,
    calendar_exception_add,
    carrier_suspend,
    opening_hours_add,
    participant_apply,
    participant_approve,
    participant_connect_update,
    participant_reject,
    participant_transition,
    resource_create,
    resource_update,
    supplier_outcome_record,
)
from apps.suppliers.status import MemberRole, ParticipantStatus, ResourceStatus
from tests.conftest import PASSWORD
from tests.suppliers.factories import RESOURCE_DEFAULTS, make_asset_owner, make_carrier, make_resource

AMS = ZoneInfo("Europe/Amsterdam")

APPLICATION = {
    "kind": "asset_owner",
    "name": "Eindhoven Edge",
    "contact_name": "Ed Edge",
    "contact_email": "Ed@Edge.test",
    "password": PASSWORD,
    "street": "Torenallee 20",
    "postal_code": "5617 BC",
    "city": "Eindhoven",
    "country": "nl",
    "latitude": Decimal("51.441642"),
    "longitude": Decimal("5.469722"),
}


# --- applying -------------------------------------------------------------------------------------------------


def test_applying_creates_the_company_and_its_owner_login(in_tenant_a):
    owner = participant_apply(**APPLICATION)
    assert owner.status == ParticipantStatus.APPLIED and owner.country == "NL"
    member = AssetOwnerMember.objects.select_related("user").get(asset_owner=owner)
    assert member.role == MemberRole.OWNER
    assert member.user.email == "ed@edge.test" and member.user.check_password(PASSWORD)
    assert Role.SUPPLIER_MEMBER in member.user.role_names and not member.user.is_staff
    # Applying is open to anyone: the login works once its e-mail is confirmed (apps/accounts/confirmation.py).
    assert member.user.email_confirmation_pending and not member.user.has_role(Role.SUPPLIER_MEMBER)


def test_a_carrier_applies_with_a_rate_card_in_the_network_currency(in_tenant_a):
    carrier = participant_apply(**{**APPLICATION, "kind": "carrier", "contact_email": "c@haul.test"})
    assert isinstance(carrier, Carrier)
    assert RateCard.objects.get(carrier=carrier).currency == "EUR"
    assert Role.CARRIER_MEMBER in carrier.members.get().user.role_names


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latitude": Decimal("91")}, "latitude"),
        ({"longitude": Decimal("-180.5")}, "longitude"),
        ({"country": "NLD"}, "country"),
    ],
)
def test_impossible_applications_change_nothing(in_tenant_a, change, field):
    users = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        participant_apply(**{**APPLICATION, **change})
    assert field in caught.value.message_dict
    assert User.objects.count() == users and not AssetOwner.objects.filter(name="Eindhoven Edge").exists()


def test_an_email_in_use_cannot_apply_again(in_tenant_a):
    participant_apply(**APPLICATION)
    with pytest.raises(ValidationError) as caught:
        participant_apply(**{**APPLICATION, "name": "Second try"})
    assert "contact_email" in caught.value.message_dict
    assert not AssetOwner.objects.filter(name="Second try").exists()


# --- status machine -------------------------------------------------------------------------------------------


def test_transitions_follow_the_table_and_leave_an_audit_trail(in_tenant_a):
    owner = make_asset_owner(status=ParticipantStatus.APPLIED)
    participant_transition(participant=owner, to=ParticipantStatus.APPROVED)
    with pytest.raises(InvalidTransition):
        participant_transition(participant=owner, to=ParticipantStatus.REJECTED)
    assert AssetOwner.objects.get(pk=owner.pk).status == ParticipantStatus.APPROVED
    changes = list(
        ParticipantStatusChange.objects.filter(asset_owner=owner).values_list("from_status", "to_status")
    )
    assert changes == [("applied", "approved")]


def test_a_stale_object_cannot_move_a_participant_twice(in_tenant_a):
    """Two staff members reject the same applicant from two stale pages: only the first change happens."""
    owner = make_asset_owner(status=ParticipantStatus.APPLIED)
    stale = AssetOwner.objects.get(pk=owner.pk)
    participant_reject(participant=owner, actor=None, reason="Outside our region")
    with pytest.raises(InvalidTransition):
        participant_approve(participant=stale, actor=None)
    assert AssetOwner.objects.get(pk=owner.pk).status == ParticipantStatus.REJECTED


def test_reject_and_suspend_need_a_reason(in_tenant_a):
    owner = make_asset_owner(status=ParticipantStatus.APPLIED)
    with pytest.raises(ValidationError):
        participant_reject(participant=owner, actor=None, reason="  ")
    approved = make_asset_owner()
    with pytest.raises(ValidationError):
        asset_owner_suspend(asset_owner=approved, actor=None, reason="")
    assert AssetOwner.objects.get(pk=owner.pk).status == ParticipantStatus.APPLIED


def _queued_messages(client: redis.Redis) -> list[dict]:
    return [json.loads(raw) for queue in django_settings.WORK_QUEUES for raw in client.lrange(queue, 0, -1)]


def test_suspending_an_asset_owner_asks_matching_to_replan_after_commit(
    in_tenant_a, django_capture_on_commit_callbacks, private_broker
):
    """The re-plan task is sent by name, with the tenant's schema in its headers, only once the suspension
    commits."""
    broker = redis.Redis.from_url(private_broker.url)
    owner = make_asset_owner()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        asset_owner_suspend(asset_owner=owner, actor=None, reason="Repeated late deliveries")
        assert _queued_messages(broker) == []  # nothing leaves before commit
    for callback in callbacks:
        callback()
    messages = [m for m in _queued_messages(broker) if m["headers"]["task"] == REPLAN_TASK]
    assert len(messages) == 1
    headers = messages[0]["headers"]
    assert headers["_schema_name"] == in_tenant_a.schema_name
    assert f"'asset_owner_id': {owner.pk}" in headers["kwargsrepr"]
    assert AssetOwner.objects.get(pk=owner.pk).status == ParticipantStatus.SUSPENDED


def test_suspending_a_carrier_asks_matching_to_replan_its_legs_after_commit(
    in_tenant_a, django_capture_on_commit_callbacks, private_broker
):
    broker = redis.Redis.from_url(private_broker.url)
    carrier = make_carrier("Slow Haulage", onboarded=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        carrier_suspend(carrier=carrier, actor=None, reason="Lost two pallets")
        assert _queued_messages(broker) == []
    for callback in callbacks:
        callback()
    messages = [m for m in _queued_messages(broker) if m["headers"]["task"] == CARRIER_REPLAN_TASK]
    assert len(messages) == 1
    assert messages[0]["headers"]["_schema_name"] == in_tenant_a.schema_name
    assert f"'carrier_id': {carrier.pk}" in messages[0]["headers"]["kwargsrepr"]
    assert Carrier.objects.get(pk=carrier.pk).status == ParticipantStatus.SUSPENDED


# --- resources ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"setup_cost_minor": -1}, "setup_cost_minor"),
        ({"cost_per_minute_minor": -5}, "cost_per_minute_minor"),
        ({"minimum_charge_minor": -100}, "minimum_charge_minor"),
        ({"speed_factor": Decimal("0")}, "speed_factor"),
        ({"process": "teleportation"}, "process"),
        ({"max_length_mm": 0}, "max_length_mm"),
        ({"tolerance_mm": Decimal("0")}, "tolerance_mm"),
    ],
)
def test_bad_resources_are_refused_naming_the_field(in_tenant_a, change, field):
    owner = make_asset_owner()
    with pytest.raises(ValidationError) as caught:
        resource_create(asset_owner=owner, **{**RESOURCE_DEFAULTS, **change})
    assert field in caught.value.message_dict
    assert not Resource.objects.filter(asset_owner=owner).exists()


def test_a_process_staff_add_can_be_declared_by_a_supplier(in_tenant_a):
    """One taxonomy: a process staff add to the network is one a resource may declare straight away (it was
    refused while suppliers kept their own enum of process codes)."""
    Process.objects.create(code="anodising", name="Anodising")
    resource = resource_create(
        asset_owner=make_asset_owner(), **{**RESOURCE_DEFAULTS, "process": "anodising"}
    )
    assert Resource.objects.get(pk=resource.pk).process == "anodising"


def test_a_resource_is_priced_in_the_network_currency_and_materials_are_normalised(in_tenant_a):
    resource = make_resource(make_asset_owner(), materials=[" Oak", "oak", "Steel ", ""])
    assert resource.currency == "EUR"
    assert resource.materials == ["oak", "steel"]


def test_a_failed_update_keeps_the_stored_resource(in_tenant_a):
    resource = make_resource(make_asset_owner())
    with pytest.raises(ValidationError):
        resource_update(resource=resource, capacity=0, name="Renamed")
    stored = Resource.objects.get(pk=resource.pk)
    assert stored.capacity == 1 and stored.name == RESOURCE_DEFAULTS["name"]


# --- calendars ------------------------------------------------------------------------------------------------


def test_overlapping_or_inverted_opening_hours_change_nothing(in_tenant_a):
    resource = make_resource(make_asset_owner())
    opening_hours_add(resource=resource, weekday=0, opens=time(8), closes=time(12))
    with pytest.raises(ValidationError) as overlapping:
        opening_hours_add(resource=resource, weekday=0, opens=time(11), closes=time(14))
    assert "opens" in overlapping.value.message_dict
    with pytest.raises(ValidationError) as inverted:
        opening_hours_add(resource=resource, weekday=1, opens=time(17), closes=time(8))
    assert "closes" in inverted.value.message_dict
    opening_hours_add(resource=resource, weekday=0, opens=time(12), closes=time(0))  # touching is fine
    assert OpeningHours.objects.filter(resource=resource).count() == 2


def test_overlapping_or_inverted_exceptions_change_nothing(in_tenant_a):
    resource = make_resource(make_asset_owner())
    start = datetime(2026, 7, 1, 8, tzinfo=AMS)
    calendar_exception_add(
        resource=resource, kind="closed", starts_at=start, ends_at=start + timedelta(hours=8)
    )
    with pytest.raises(ValidationError) as overlapping:
        calendar_exception_add(
            resource=resource,
            kind="open",
            starts_at=start + timedelta(hours=7),
            ends_at=start + timedelta(hours=10),
        )
    assert "starts_at" in overlapping.value.message_dict
    with pytest.raises(ValidationError) as inverted:
        calendar_exception_add(
            resource=resource, kind="closed", starts_at=start + timedelta(days=2), ends_at=start
        )
    assert "ends_at" in inverted.value.message_dict
    assert CalendarException.objects.filter(resource=resource).count() == 1


def test_closed_minutes_of_a_stored_resource_use_the_network_time_zone(in_tenant_a):
    resource = make_resource(make_asset_owner())
    for weekday in range(5):
        opening_hours_add(resource=resource, weekday=weekday, opens=time(8), closes=time(17))
    calendar_exception_add(
        resource=resource,
        kind="closed",
        starts_at=datetime(2026, 3, 30, 12, tzinfo=AMS),
        ends_at=datetime(2026, 3, 30, 13, tzinfo=AMS),
        reason="Inspection",
    )
    resource = Resource.objects.prefetch_related("opening_hours", "calendar_exceptions").get(pk=resource.pk)
    origin = datetime(2026, 3, 30, tzinfo=AMS)  # Monday after the change: CEST
    closed = resource_closed_minutes(resource=resource, origin=origin, end=origin + timedelta(days=1))
    assert closed == ((0, 480), (720, 780), (1020, 1440))


# --- quality --------------------------------------------------------------------------------------------------


def test_outcomes_feed_the_quality_score_over_a_rolling_window(in_tenant_a):
    owner = make_asset_owner()
    now = timezone.now()
    for n in range(3):
        supplier_outcome_record(
            asset_owner_id=owner.pk, kind="quality_pass", at=now, reference=f"quality_check:{n}"
        )
    supplier_outcome_record(asset_owner_id=owner.pk, kind="quality_fail", at=now, reference="quality_check:3")
    supplier_outcome_record(asset_owner_id=owner.pk, kind="on_time", at=now, reference="work_item:1")
    supplier_outcome_record(
        asset_owner_id=owner.pk, kind="late", at=now - timedelta(days=91), reference="work_item:0"
    )
    # a retry of the same write counts once
    supplier_outcome_record(asset_owner_id=owner.pk, kind="quality_pass", at=now, reference="quality_check:0")
    assert SupplierOutcome.objects.filter(asset_owner=owner).count() == 6
    score = asset_owner_quality(asset_owner=owner, now=now)
    assert (score.passes, score.fails, score.on_time, score.late) == (3, 1, 1, 0)
    assert score.score == 85.0  # 60 % × 0.75 + 40 % × 1.0


def test_unknown_outcome_kinds_are_refused(in_tenant_a):
    with pytest.raises(ValueError):
        supplier_outcome_record(asset_owner_id=make_asset_owner().pk, kind="excellent")


# --- eligibility ----------------------------------------------------------------------------------------------


def test_only_approved_and_onboarded_participants_are_eligible(in_tenant_a):
    ready = make_asset_owner("Ready", onboarded=True)
    not_onboarded = make_asset_owner("Approved only")
    applied = make_asset_owner("Applied", status=ParticipantStatus.APPLIED)
    suspended = make_asset_owner("Suspended", status=ParticipantStatus.SUSPENDED, onboarded=True)
    up = make_resource(ready, name="Up")
    make_resource(ready, name="Down", status=ResourceStatus.DOWN)
    for owner in (not_onboarded, applied, suspended):
        make_resource(owner)
    assert list(asset_owner_list_eligible()) == [ready]
    assert list(resource_list_eligible()) == [up]
    assert list(resource_list_eligible(process="welding")) == []

    carrier = make_carrier(onboarded=True)
    make_carrier("Unready")
    assert list(carrier_list_eligible()) == [carrier]


def test_losing_payouts_makes_an_asset_owner_ineligible(in_tenant_a):
    owner = make_asset_owner(onboarded=True)
    participant_connect_update(
        account_id=owner.stripe_account_id,
        charges_enabled=False,
        payouts_enabled=False,
        details_submitted=True,
        transfers_active=False,
        requirements_due=["individual.verification.document"],
    )
    assert not asset_owner_list_eligible().filter(pk=owner.pk).exists()
    assert AssetOwner.objects.get(pk=owner.pk).requirements_due == ["individual.verification.document"]


def test_an_unknown_account_updates_nobody(in_tenant_a):
    assert (
        participant_connect_update(
            account_id="acct_nobody",
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
            transfers_active=True,
            requirements_due=[],
        )
        is None
    )
