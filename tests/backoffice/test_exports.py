"""The owner's data export: all of the network's data in readable CSV files, no secrets, for the owner only."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import ApiToken, User
from apps.accounts.roles import Role
from apps.accounts.tokens import token_create
from apps.backoffice.exports import network_export_build, network_export_request
from apps.backoffice.models import ExportStatus, NetworkExport
from apps.outbox.models import OutboxMessage
from apps.suppliers.models import AssetOwner
from tests.conftest import PASSWORD, host_of, sign_in
from tests.payouts.money_builders import make_order
from tests.suppliers.factories import make_asset_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        return User.objects.create_superuser(email=f"owner-{uuid.uuid4().hex[:6]}@a.test", password=PASSWORD)


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.TextIOWrapper(archive.open(name), encoding="utf-8")))


def test_the_owner_exports_orders_participants_and_users_without_secrets(tenant_a, owner_a):
    client = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, owner_a)
    with schema_context(tenant_a.schema_name):
        order = make_order(total_minor=14286)
        supplier = make_asset_owner(name="Joinery")
        AssetOwner.objects.filter(pk=supplier.pk).update(name="=HYPERLINK(1)")  # a spreadsheet would run it
        supplier.refresh_from_db()
        token_create(user=owner_a, name="laptop", expires_in_days=None)
    response = client.post("/backoffice/exports/")
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        export = NetworkExport.objects.get()
        assert export.status == ExportStatus.PREPARING
        message = OutboxMessage.objects.get(task_name="backoffice.network_export_build")
        network_export_build(**message.kwargs)  # what the task does
        export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.row_count > 0

    page = client.get("/backoffice/exports/")
    assert page.status_code == 200 and "Download" in page.content.decode()
    download = client.get(f"/backoffice/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith(f'attachment; filename="{tenant_a.slug}-data-')
    archive = _zip(download)
    names = set(archive.namelist())
    assert {"README.txt", "orders/orders_order.csv", "suppliers/suppliers_assetowner.csv"} <= names
    assert "payouts/payouts_posting.csv" in names and "catalog/catalog_design.csv" in names
    assert not [name for name in names if "session" in name]
    orders = _rows(archive, "orders/orders_order.csv")
    assert [row["total_minor"] for row in orders if row["id"] == str(order.pk)] == ["14286"]
    assert "'" + supplier.name in {
        row["name"] for row in _rows(archive, "suppliers/suppliers_assetowner.csv")
    }
    users = _rows(archive, "accounts/accounts_user.csv")
    assert owner_a.email in {row["email"] for row in users}
    assert "password" not in users[0]
    tokens = _rows(archive, f"accounts/{ApiToken._meta.db_table}.csv")
    assert tokens and "secret_hash" not in tokens[0] and tokens[0]["name"] == "laptop"
    assert supplier.name.encode() not in archive.read("README.txt")  # the README lists files, not data
    assert b"orders/orders_order.csv" in archive.read("README.txt")


@pytest.mark.parametrize("role", [Role.STAFF, Role.FINANCE, Role.CUSTOMER, Role.SUPPLIER_MEMBER])
def test_nobody_but_the_owner_may_ask_see_or_download(tenant_a, owner_a, make_user, role):
    with schema_context(tenant_a.schema_name):
        export = network_export_request(actor=owner_a)
        network_export_build(export_id=str(export.pk))
        someone = make_user(tenant_a, role)
        with pytest.raises(PermissionDenied):
            network_export_request(actor=someone)
    client = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, someone)
    assert client.get("/backoffice/exports/").status_code == 404
    assert client.post("/backoffice/exports/").status_code == 404
    assert client.get(f"/backoffice/exports/{export.pk}/download/").status_code == 404
    with schema_context(tenant_a.schema_name):
        assert NetworkExport.objects.count() == 1


def test_another_networks_owner_cannot_download_it(tenant_a, tenant_b, owner_a):
    with schema_context(tenant_a.schema_name):
        export = network_export_request(actor=owner_a)
        network_export_build(export_id=str(export.pk))
    with schema_context(tenant_b.schema_name):
        owner_b = User.objects.create_superuser(
            email=f"owner-{uuid.uuid4().hex[:6]}@b.test", password=PASSWORD
        )
    client = sign_in(Client(HTTP_HOST=host_of(tenant_b)), tenant_b, owner_b)
    assert client.get(f"/backoffice/exports/{export.pk}/download/").status_code == 404
    anonymous = Client(HTTP_HOST=host_of(tenant_a))
    assert anonymous.get(f"/backoffice/exports/{export.pk}/download/").status_code == 302  # to sign in
    # The stored file is not reachable through the media URL either.
    with schema_context(tenant_a.schema_name):
        file_name = NetworkExport.objects.get(pk=export.pk).file_name
    assert (
        sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, owner_a)
        .get(f"/media/{tenant_a.schema_name}/{file_name}")
        .status_code
        == 404
    )


def test_a_built_export_is_not_built_again(tenant_a, owner_a):
    with schema_context(tenant_a.schema_name):
        export = network_export_request(actor=owner_a)
        first = network_export_build(export_id=str(export.pk))
        assert network_export_build(export_id=str(export.pk)) is None
        assert NetworkExport.objects.get(pk=export.pk).file_name == first.file_name
