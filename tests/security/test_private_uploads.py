"""Certificates, quality-check photos and proof-of-delivery photos are private: the media view serves each only to
the parties of its job or leg (that company's members) and to the network's staff and finance. Everyone else —
visitors, another company's members, another network — gets 404, as for a file that does not exist. Catalog
pictures stay public (tests/security/test_uploads.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.orders.models import QualityCheck, TransportLeg
from apps.suppliers.models import Certification
from tests.conftest import host_of, sign_in
from tests.security.test_uploads import image_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a certificate\n"


@pytest.fixture
def private_files(plan_a, supplier_a, carrier_a, tenant_a):
    """One file of each private kind in alpha: supplier_a's certificate, the photo of supplier_a's quality check
    and the proof photo of carrier_a's delivered leg. Removed from storage afterwards."""
    with schema_context(tenant_a.schema_name):
        certificate = Certification(
            asset_owner=supplier_a.company,
            standard="iso_9001",
            valid_until=date.today() + timedelta(days=365),
        )
        certificate.file.save("iso.pdf", ContentFile(PDF), save=True)
        check = QualityCheck(work_item=plan_a.mine, passed=True)
        check.photo.save("check.png", ContentFile(image_bytes("PNG")), save=True)
        leg = TransportLeg.objects.get(pk=plan_a.leg.pk)
        leg.proof_photo.save("proof.png", ContentFile(image_bytes("PNG")), save=True)
        files = {
            "certificate": (certificate.file.url, certificate.file.name, supplier_a),
            "quality photo": (check.photo.url, check.photo.name, supplier_a),
            "proof of delivery": (leg.proof_photo.url, leg.proof_photo.name, carrier_a),
        }
    yield files
    with schema_context(tenant_a.schema_name):
        for _, name, _ in files.values():
            default_storage.delete(name)


KINDS = ["certificate", "quality photo", "proof of delivery"]


def _fetch(client: Client, url: str) -> int:
    response = client.get(url)
    if response.status_code == 200:
        b"".join(response.streaming_content)  # close the file
    return response.status_code


@pytest.mark.parametrize("kind", KINDS)
def test_a_private_file_is_for_its_party_staff_and_finance_only(
    private_files, kind, tenant_a, tenant_b, make_user, other_supplier_a, other_carrier_a, supplier_b
):
    url, name, party = private_files[kind]
    assert url.startswith(f"/media/{tenant_a.schema_name}/")
    on_a = lambda: Client(HTTP_HOST=host_of(tenant_a))  # noqa: E731 - a fresh client per person

    # Nobody else: a visitor, the other companies of the network, a member of another network.
    assert _fetch(on_a(), url) == 404
    for stranger in (other_supplier_a, other_carrier_a):
        assert _fetch(sign_in(on_a(), tenant_a, stranger.user), url) == 404
    customer = make_user(tenant_a, Role.CUSTOMER)
    assert _fetch(sign_in(on_a(), tenant_a, customer), url) == 404
    # Another network's member, staff and finance (who may read everything on their own network).
    for outsider in (supplier_b.user, make_user(tenant_b, Role.STAFF), make_user(tenant_b, Role.FINANCE)):
        elsewhere = sign_in(Client(HTTP_HOST=host_of(tenant_b)), tenant_b, outsider)
        assert _fetch(elsewhere, url) == 404, outsider
        assert _fetch(elsewhere, url.replace(tenant_a.schema_name, tenant_b.schema_name)) == 404, outsider

    # The party, the network's staff (not a superuser) and finance.
    for person in (party.user, make_user(tenant_a, Role.STAFF), make_user(tenant_a, Role.FINANCE)):
        response = sign_in(on_a(), tenant_a, person).get(url)
        assert response.status_code == 200, person
        with schema_context(tenant_a.schema_name), default_storage.open(name, "rb") as stored:
            assert b"".join(response.streaming_content) == stored.read()
        assert response["Cache-Control"] == "private, no-store"


def test_a_public_folder_does_not_lead_into_a_private_one(private_files, tenant_a):
    _, name, _ = private_files["quality photo"]
    around = f"/media/{tenant_a.schema_name}/catalog/../{name}"
    assert _fetch(Client(HTTP_HOST=host_of(tenant_a)), around) == 404


def test_a_file_in_a_folder_no_app_declared_is_served_to_no_one(tenant_a, make_user):
    with schema_context(tenant_a.schema_name):
        name = default_storage.save("stray/note.png", ContentFile(image_bytes("PNG")))
    try:
        url = f"/media/{tenant_a.schema_name}/{name}"
        staff = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, make_user(tenant_a, Role.STAFF))
        assert _fetch(staff, url) == 404
    finally:
        with schema_context(tenant_a.schema_name):
            default_storage.delete(name)


def test_the_supplier_portal_links_a_certificate_to_the_checking_view(private_files, supplier_a, tenant_a):
    url, _, _ = private_files["certificate"]
    portal = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, supplier_a.user)
    page = portal.get("/portal/certifications/")
    assert page.status_code == 200 and f'href="{url}"' in page.content.decode()
    assert _fetch(portal, url) == 200
