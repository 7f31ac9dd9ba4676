"""The uploads models: one stored blob per content, and the part upload's status table."""

import pytest
from django.db import IntegrityError, transaction

from apps.accounts.roles import Role
from apps.uploads.models import CadFile, PartUpload
from apps.uploads.status import TRANSITIONS, UploadStatus, sources_of

SHA = "ab" * 32


def test_a_content_is_stored_once(in_tenant_a):
    """Two CadFile rows for the same sha256 are refused: the same content uploaded twice reuses the first."""
    CadFile.objects.create(sha256=SHA, size=10, format="stl", stored_name=f"uploads/ab/{SHA}/original.stl")
    with pytest.raises(IntegrityError), transaction.atomic():
        CadFile.objects.create(sha256=SHA, size=10, format="stl", stored_name=f"uploads/ab/{SHA}/copy.stl")


def test_sha256_must_be_lowercase_hex(in_tenant_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        CadFile.objects.create(sha256="Z" * 64, size=1, format="stl", stored_name="uploads/zz/x/original.stl")


def test_part_upload_defaults(in_tenant_a, make_user):
    owner = make_user(in_tenant_a, Role.CUSTOMER)
    blob = CadFile.objects.create(
        sha256=SHA, size=10, format="dxf", stored_name=f"uploads/ab/{SHA}/original.dxf"
    )
    upload = PartUpload.objects.create(owner=owner, file=blob, original_name="plate.dxf", name="plate")
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PENDING
    assert upload.units == "mm" and upload.repairs == [] and upload.design is None
    assert upload.analysed_file == blob
    assert blob.folder == f"uploads/ab/{SHA}"


def test_every_status_has_a_way_out_but_none_skips_the_analysis():
    """Ready is only reached from analysing, and every state can go back to pending (re-analysis)."""
    assert set(TRANSITIONS) == set(UploadStatus)
    assert sources_of(UploadStatus.READY) == {UploadStatus.ANALYSING}
    assert all(UploadStatus.PENDING in TRANSITIONS[s] for s in (UploadStatus.READY, UploadStatus.FAILED))
