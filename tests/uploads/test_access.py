"""Uploaded parts' files are private: the media view serves the original and the preview only to the customer who
uploaded the part, the network's staff, and the members of a workshop or carrier working on an order line of the
design the part became. Everyone else — visitors, other customers, companies without such a job or leg, finance,
another network — gets 404, as for a file that does not exist."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.uploads.access import part_file_readable
from tests.conftest import host_of, sign_in
from tests.uploads.conftest import _carrier, _supplier, stored_part

pytestmark = pytest.mark.django_db


def _status(client: Client, url: str) -> int:
    response = client.get(url)
    if response.status_code == 200:
        b"".join(response.streaming_content)  # close the file
    return response.status_code


def _urls(tenant, part) -> list[str]:
    with schema_context(tenant.schema_name):
        return [default_storage.url(part.original), default_storage.url(part.preview)]


def _on(tenant, user=None) -> Client:
    client = Client(HTTP_HOST=host_of(tenant))
    return sign_in(client, tenant, user) if user is not None else client


def test_the_uploader_staff_and_the_parties_of_its_jobs_and_legs_read_the_files(
    ordered_part, tenant_a, make_user, supplier_a, other_supplier_a, carrier_a, other_carrier_a
):
    urls = _urls(tenant_a, ordered_part)
    assert all(url.startswith(f"/media/{tenant_a.schema_name}/uploads/") for url in urls)
    readers = {
        "uploader": ordered_part.upload.owner,
        "staff": make_user(tenant_a, Role.STAFF),
        "supplier with the job": supplier_a.user,
        "supplier with another job on the line": other_supplier_a.user,
        "carrier of the last mile": carrier_a.user,
        "carrier between the workshops": other_carrier_a.user,
    }
    for who, user in readers.items():
        for url in urls:
            response = _on(tenant_a, user).get(url)
            assert response.status_code == 200, (who, url)
            assert b"".join(response.streaming_content) in (b"solid part\nendsolid part\n", b"glTF-preview")
            assert response["Cache-Control"] == "private, no-store"
            assert response["Content-Type"] == "application/octet-stream"  # never rendered inline


def test_everyone_else_gets_404(ordered_part, tenant_a, tenant_b, make_user, supplier_b, carrier_b):
    urls = _urls(tenant_a, ordered_part)
    strangers = {
        "anonymous": None,
        "another customer": make_user(tenant_a, Role.CUSTOMER),
        "finance": make_user(tenant_a, Role.FINANCE),
        "supplier without a job": _supplier(tenant_a, "Idle Printing").user,
        "carrier without a leg": _carrier(tenant_a, "Idle Haulage").user,
    }
    for who, user in strangers.items():
        for url in urls:
            assert _status(_on(tenant_a, user), url) == 404, (who, url)
    # Another network's people, on their own host or with alpha's URL: the schema in the URL is not theirs.
    for user in (supplier_b.user, carrier_b.user, make_user(tenant_b, Role.STAFF)):
        for url in urls:
            assert _status(_on(tenant_b, user), url) == 404
            assert (
                _status(_on(tenant_b, user), url.replace(tenant_a.schema_name, tenant_b.schema_name)) == 404
            )


def test_a_part_not_ordered_is_its_uploaders_only(tenant_a, make_user, supplier_a):
    """Before it became a design on an order, no company may read it, whatever jobs it has elsewhere."""
    owner = make_user(tenant_a, Role.CUSTOMER)
    with schema_context(tenant_a.schema_name):
        part = stored_part(owner, content=b"solid lonely\nendsolid lonely\n")
    try:
        urls = _urls(tenant_a, part)
        for url in urls:
            assert _status(_on(tenant_a, owner), url) == 200
            assert _status(_on(tenant_a, supplier_a.user), url) == 404
    finally:
        with schema_context(tenant_a.schema_name):
            default_storage.delete(part.original)
            default_storage.delete(part.preview)


def test_the_same_bytes_uploaded_by_two_customers_are_readable_by_both(tenant_a, make_user):
    first, second, third = (make_user(tenant_a, Role.CUSTOMER) for _ in range(3))
    with schema_context(tenant_a.schema_name):
        part = stored_part(first, content=b"solid shared\nendsolid shared\n")
        stored_part(second, content=b"solid shared\nendsolid shared\n")
        assert part_file_readable(first, part.original) and part_file_readable(second, part.original)
        assert not part_file_readable(third, part.original)


@pytest.mark.parametrize(
    "name",
    [
        "uploads/ab/not-a-hash/original.stl",
        "uploads/original.stl",
        "uploads/zz/" + "ab" * 32 + "/original.stl",  # the shard is not the hash's first two characters
        "uploads/ab/" + "ab" * 32 + "/deeper/original.stl",
    ],
)
def test_names_outside_the_content_layout_are_nobodys(in_tenant_a, make_user, name):
    assert not part_file_readable(make_user(in_tenant_a, Role.STAFF), name)


def test_a_file_check_is_one_query_whoever_asks(
    ordered_part, tenant_a, make_user, supplier_a, carrier_a, django_assert_num_queries
):
    """The media view asks on every fetch of a preview: the uploader, a workshop with a job and a carrier with a
    leg are each answered by one query (their roles read first), not one per kind of party."""
    stranger = make_user(tenant_a, Role.CUSTOMER)
    with schema_context(tenant_a.schema_name):
        for user, readable in (
            (ordered_part.upload.owner, True),
            (supplier_a.user, True),
            (carrier_a.user, True),
            (stranger, False),
        ):
            user.role_names  # noqa: B018 - read (and cached) before counting: the role check is not the file check
            with django_assert_num_queries(1):
                assert part_file_readable(user, ordered_part.original) is readable
