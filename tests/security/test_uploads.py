"""Uploaded images: only modest, real JPEG/PNG/WebP files are accepted (inline error otherwise, nothing saved), and
a network's files are served on its own host only."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from apps.accounts.roles import Role
from apps.catalog.models import ProductTemplate
from apps.catalog.versions import template_version_create
from tests.catalog.test_admin import change_form_data, change_url
from tests.conftest import host_of
from tests.portal.jobs.builders import png_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def table_draft(demo_catalog_a, tenant_a, make_user):
    """Staff change a product's image on a draft version (published versions never change)."""
    return template_version_create(
        actor=make_user(tenant_a, Role.STAFF), template=demo_catalog_a["dining-table"]
    )


def image_bytes(image_format: str, size=(40, 30), noise=False) -> bytes:
    image = Image.frombytes("RGB", size, _noise(size)) if noise else Image.new("RGB", size, (180, 120, 60))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def _noise(size) -> bytes:
    """Random pixels, which PNG cannot compress: a big file from a modest picture."""
    return random.Random(7).randbytes(size[0] * size[1] * 3)


def upload(staff, template, name: str, content: bytes, content_type: str):
    data = change_form_data(staff.get(change_url(template)))
    data["image"] = SimpleUploadedFile(name, content, content_type=content_type)
    return staff.post(change_url(template), data)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("table.png", b"#!/bin/sh\necho not a picture\n", "Upload a valid image"),
        (
            "table.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "Upload a valid image",
        ),
        ("table.gif", image_bytes("GIF"), "GIF images are not accepted"),
        ("table.png", image_bytes("PNG", size=(1400, 1400), noise=True), "at most 5 MB"),
        ("table.png", image_bytes("PNG", size=(8000, 6000)), "at most 40 megapixels"),
        ("table.png", png_bomb(9000, 9000).read(), "at most 40 megapixels"),
        # Pillow refuses 200 MP itself; Django's ImageField reports it as no valid image.
        ("table.png", png_bomb(20_000, 10_000).read(), "Upload a valid image"),
    ],
    ids=["text-as-png", "svg", "gif", "too-large", "too-many-pixels", "bomb-81mp", "bomb-200mp"],
)
def test_bad_images_are_refused_next_to_the_field(table_draft, staff_a, name, content, message):
    table = table_draft
    response = upload(staff_a, table, name, content, "image/png")
    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors["image"]
    assert any(message in error for error in errors), errors
    table.refresh_from_db()
    assert not table.image


def test_a_good_image_is_saved_and_served_on_its_own_network_only(
    table_draft, staff_a, tenant_a, tenant_b, client_a
):
    table = table_draft
    content = image_bytes("PNG")
    response = upload(staff_a, table, "table.png", content, "image/png")
    assert response.status_code == 302, response.context["adminform"].form.errors
    staff_a.post(
        f"/admin/catalog/producttemplate/{table.pk}/publish/"
    )  # the catalogue shows published versions
    table.refresh_from_db()
    url = table.image.url
    assert url.startswith(f"/media/{tenant_a.schema_name}/catalog/templates/")

    catalog = client_a.get("/catalog/")
    assert url in catalog.content.decode()

    served = Client(HTTP_HOST=host_of(tenant_a)).get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == content

    # Another network's host cannot reach it, neither by the same URL nor by naming its own schema around it.
    other = Client(HTTP_HOST=host_of(tenant_b))
    assert other.get(url).status_code == 404
    relative = url.removeprefix(f"/media/{tenant_a.schema_name}/")
    assert other.get(f"/media/{tenant_b.schema_name}/{relative}").status_code == 404
    assert other.get(f"/media/{tenant_b.schema_name}/../{tenant_a.schema_name}/{relative}").status_code == 404
    with schema_context(tenant_a.schema_name):
        ProductTemplate.objects.filter(pk=table.pk).update(image="")


def test_the_validator_checks_a_raw_upload_too():
    """Serializer and form fields hand the validator the uploaded file itself, not the model's FieldFile."""
    from django.core.exceptions import ValidationError

    from apps.core.uploads import validate_image_upload

    validate_image_upload(SimpleUploadedFile("ok.png", image_bytes("PNG"), content_type="image/png"))
    with pytest.raises(ValidationError, match="GIF images are not accepted"):
        validate_image_upload(SimpleUploadedFile("x.gif", image_bytes("GIF"), content_type="image/gif"))
