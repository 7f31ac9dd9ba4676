"""Fixtures of the uploads tests: the supplier network with a planned order, and parts stored as uploads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from apps.uploads.models import CadFile, PartUpload
from apps.uploads.storage import original_name
from tests.portal.jobs.builders import plan_a  # noqa: F401 - fixture
from tests.suppliers.conftest import (  # noqa: F401 - fixtures
    _carrier,
    _supplier,
    carrier_a,
    carrier_b,
    other_carrier_a,
    other_supplier_a,
    supplier_a,
    supplier_b,
)
from tests.uploads.part_network import parts_network  # noqa: F401 - the demo workshops and their process rates


@dataclass
class StoredPart:
    upload: PartUpload
    original: str  # name in storage
    preview: str


def stored_part(owner, *, content: bytes = b"solid part\nendsolid part\n", design=None) -> StoredPart:
    """An upload of `content` (as STL) with a preview beside it, made directly (no analysis); call inside the
    network's schema."""
    sha256 = hashlib.sha256(content).hexdigest()
    name = original_name(sha256, "stl")
    blob, _ = CadFile.objects.get_or_create(
        sha256=sha256, defaults={"size": len(content), "format": "stl", "stored_name": name}
    )
    for stored, data in ((name, content), (f"{blob.folder}/preview.glb", b"glTF-preview")):
        if default_storage.exists(stored):
            default_storage.delete(stored)
        assert default_storage.save(stored, ContentFile(data)) == stored
    upload = PartUpload.objects.create(
        owner=owner,
        file=blob,
        original_name="part.stl",
        name="part",
        design=design,
        preview_name=f"{blob.folder}/preview.glb",
    )
    return StoredPart(upload=upload, original=name, preview=f"{blob.folder}/preview.glb")


@pytest.fixture
def ordered_part(plan_a, tenant_a):  # noqa: F811 - the fixture imported above
    """An uploaded part that became the design of plan_a's order line (its customer uploaded it): supplier_a and
    other_supplier_a have jobs on that line, carrier_a and other_carrier_a legs from or to them."""
    with schema_context(tenant_a.schema_name):
        design = plan_a.order.lines.get().design_version.design
        part = stored_part(plan_a.order.customer, design=design)
    yield part
    with schema_context(tenant_a.schema_name):
        for name in (part.original, part.preview):
            default_storage.delete(name)
