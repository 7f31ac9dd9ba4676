"""The portal's membership read (apps/suppliers/access.py): one statement written once per process, with the job
list's and the legs board's fingerprint read along with it. It is read on every request, never kept: a member
removed from their company, a company whose portal closed, a changed role or company show on the very next
request; a member only ever reads their own company's fingerprint; the statement names no schema, so one network's
request never reads another network's membership."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.core.content_cache import fingerprint_read
from apps.portal import jobs, legs
from apps.suppliers.access import (
    Along,
    asset_owner_membership_with,
    carrier_membership_get,
    carrier_membership_with,
)
from apps.suppliers.models import AssetOwner, AssetOwnerMember, Carrier
from apps.suppliers.services.invitations import member_remove
from apps.suppliers.status import MemberRole, ParticipantStatus
from tests.conftest import host_of, sign_in
from tests.suppliers.factories import make_member

pytestmark = pytest.mark.django_db

INBOX, BOARD = "/portal/jobs/", "/portal/carrier/legs/"
INBOX_ALONG = Along(sql=jobs.inbox_fingerprint_sql, params=jobs.INBOX_ROW_PARAMS)
BOARD_ALONG = Along(sql=legs.board_fingerprint_sql, params=legs.board_page_params(None))


def _own_inbox_fingerprint(company_id: int) -> str:
    return fingerprint_read(jobs.inbox_fingerprint_sql(), jobs.inbox_fingerprint_params(company_id))


def _own_board_fingerprint(carrier_id: int) -> str:
    return fingerprint_read(legs.board_fingerprint_sql(), legs.board_fingerprint_params(carrier_id, None))


def test_the_job_list_reads_the_membership_and_the_fingerprint_in_one_statement(supplier_portal, plan_a):
    supplier_portal.get(INBOX)  # the body is kept from now on
    with CaptureQueriesContext(connection) as captured:
        page = supplier_portal.get(INBOX).content.decode()
    assert "Table top" in page
    membership = [query["sql"] for query in captured if "suppliers_assetownermember" in query["sql"]]
    assert len(membership) == 1 and "orders_workitem" in membership[0]
    assert [query["sql"] for query in captured if "orders_workitem" in query["sql"]] == membership


def test_each_member_reads_their_own_companys_fingerprint(tenant_a, plan_a, supplier_a, other_supplier_a):
    """Two companies of one network, one with a job: each membership carries its own company's fingerprint,
    as the fingerprint's own statement reads it for that company."""
    with schema_context(tenant_a.schema_name), timezone.override(tenant_a.time_zone):
        mine, along_mine = asset_owner_membership_with(user=supplier_a.user, along=INBOX_ALONG)
        theirs, along_theirs = asset_owner_membership_with(user=other_supplier_a.user, along=INBOX_ALONG)
        assert (mine.asset_owner, theirs.asset_owner) == (supplier_a.company, other_supplier_a.company)
        assert along_mine == _own_inbox_fingerprint(supplier_a.company.pk)
        assert along_theirs == _own_inbox_fingerprint(other_supplier_a.company.pk)
        assert along_mine != along_theirs


def test_each_carrier_member_reads_their_own_carriers_fingerprint(
    tenant_a, plan_a, carrier_a, other_carrier_a
):
    with schema_context(tenant_a.schema_name), timezone.override(tenant_a.time_zone):
        mine, along_mine = carrier_membership_with(user=carrier_a.user, along=BOARD_ALONG)
        theirs, along_theirs = carrier_membership_with(user=other_carrier_a.user, along=BOARD_ALONG)
        assert (mine.carrier, theirs.carrier) == (carrier_a.company, other_carrier_a.company)
        assert along_mine == _own_board_fingerprint(carrier_a.company.pk)
        assert along_theirs == _own_board_fingerprint(other_carrier_a.company.pk)
        assert along_mine != along_theirs


def test_another_companys_member_never_sees_the_job_list_or_the_board(
    client_a, tenant_a, plan_a, supplier_a, other_supplier_a, carrier_a, other_carrier_a
):
    """The plan's order has a job and a leg for each company: each member sees their own and not the other's."""
    mine, theirs = f'href="{INBOX}{plan_a.mine.pk}/"', f'href="{INBOX}{plan_a.theirs.pk}/"'
    page = sign_in(client_a, tenant_a, supplier_a.user).get(INBOX).content.decode()
    assert mine in page and theirs not in page
    rival = (
        sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, other_supplier_a.user)
        .get(INBOX)
        .content.decode()
    )
    assert theirs in rival and mine not in rival
    mine, theirs = f'href="{BOARD}{plan_a.leg.pk}/"', f'href="{BOARD}{plan_a.other_leg.pk}/"'
    board = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, carrier_a.user).get(BOARD).content.decode()
    assert mine in board and theirs not in board
    rival = (
        sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, other_carrier_a.user)
        .get(BOARD)
        .content.decode()
    )
    assert theirs in rival and mine not in rival
    # A supplier's member is not a carrier's, nor the other way round.
    assert (
        sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, supplier_a.user).get(BOARD).status_code == 404
    )
    assert (
        sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, carrier_a.user).get(INBOX).status_code == 404
    )


def test_the_membership_is_read_from_the_connections_network(tenant_a, tenant_b, supplier_a, supplier_b):
    """The statement names no schema: in beta, the user id of alpha's member is beta's user (made a member of
    beta's company here if it is not one yet), and reads beta's company and beta's fingerprint, never alpha's."""
    with schema_context(tenant_b.schema_name), timezone.override(tenant_b.time_zone):
        same_id = User.objects.filter(pk=supplier_a.user.pk).first() or User.objects.create_user(
            pk=supplier_a.user.pk, email="same-id@beta.example", password="x-long-enough-password"
        )
        if not AssetOwnerMember.objects.filter(user=same_id).exists():
            AssetOwnerMember.objects.create(asset_owner=supplier_b.company, user=same_id)
        expected = AssetOwnerMember.objects.select_related("asset_owner").get(user=same_id).asset_owner
        member, along = asset_owner_membership_with(user=supplier_a.user, along=INBOX_ALONG)
        assert member.asset_owner == expected and member.asset_owner.name != supplier_a.company.name
        assert along == _own_inbox_fingerprint(expected.pk)


def test_a_removed_carrier_member_loses_the_board_at_the_next_request(tenant_a, carrier_a, plan_a):
    with schema_context(tenant_a.schema_name):
        operator = make_member(carrier_a.company, role=MemberRole.OPERATOR)
    client = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, operator)
    assert plan_a.order.reference in client.get(BOARD).content.decode()  # kept from now on
    with schema_context(tenant_a.schema_name):
        owner = carrier_membership_get(user=carrier_a.user)
        member_remove(member=owner, member_id=carrier_membership_get(user=operator).pk)
    assert client.get(BOARD).status_code == 404


def test_a_member_deleted_by_a_queryset_loses_the_job_list_at_the_next_request(
    supplier_portal, tenant_a, supplier_a, plan_a
):
    assert "Table top" in supplier_portal.get(INBOX).content.decode()
    with schema_context(tenant_a.schema_name):
        AssetOwnerMember.objects.filter(user=supplier_a.user).delete()
    assert supplier_portal.get(INBOX).status_code == 404


def test_a_closed_portal_and_a_suspension_show_at_the_next_request(carrier_portal, tenant_a, carrier_a):
    assert carrier_portal.get(BOARD).status_code == 200
    with schema_context(tenant_a.schema_name):
        Carrier.objects.filter(pk=carrier_a.company.pk).update(status=ParticipantStatus.SUSPENDED)
    page = carrier_portal.get(BOARD)
    assert page.status_code == 200 and "Suspended." in page.content.decode()
    with schema_context(tenant_a.schema_name):
        Carrier.objects.filter(pk=carrier_a.company.pk).update(status=ParticipantStatus.REJECTED)
    assert carrier_portal.get(BOARD).status_code == 404


def test_the_role_and_the_company_show_at_the_next_request(supplier_portal, tenant_a, supplier_a):
    """The header's Payouts link is the owner's; the title names the company; the banner reads the company's
    payout columns (a JSON list among them: decoded as the ORM would)."""
    page = supplier_portal.get(INBOX).content.decode()
    assert ">Payouts<" in page and "Alpha Milling" in page and "Set up payouts" in page
    with schema_context(tenant_a.schema_name):
        AssetOwnerMember.objects.filter(user=supplier_a.user).update(role=MemberRole.OPERATOR)
        AssetOwner.objects.filter(pk=supplier_a.company.pk).update(
            name="Renamed Milling", transfers_active=True, payouts_enabled=True, requirements_past_due=[]
        )
    page = supplier_portal.get(INBOX).content.decode()
    assert ">Payouts<" not in page and "Renamed Milling" in page and "Alpha Milling" not in page
    assert "Approved." not in page  # onboarded: an empty list of past-due requirements
    with schema_context(tenant_a.schema_name):
        AssetOwner.objects.filter(pk=supplier_a.company.pk).update(requirements_past_due=["external_account"])
    assert "Your company's owner must set up payouts" in supplier_portal.get(INBOX).content.decode()


def test_the_prepared_statement_reads_each_networks_own_rows(tenant_a, tenant_b, supplier_a, supplier_b):
    """The membership's statement is prepared once per connection; on the same connection, networks taking turns
    each read their own company and fingerprint (PostgreSQL parses it again when search_path changed)."""
    for _ in range(3):
        for tenant, supplier in ((tenant_a, supplier_a), (tenant_b, supplier_b)):
            with schema_context(tenant.schema_name), timezone.override(tenant.time_zone):
                member, along = asset_owner_membership_with(user=supplier.user, along=INBOX_ALONG)
                assert member.asset_owner.name == supplier.company.name
                assert along == _own_inbox_fingerprint(supplier.company.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%suppliers_assetownermember%%'"
        )
        assert cursor.fetchone()[0] >= 1
