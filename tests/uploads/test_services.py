"""Receiving, re-analysing and deleting uploads: streamed within the size limit, checked by content, stored once per
content, queued for analysis through the outbox; every service fails closed on the actor."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.roles import Role
from apps.outbox.models import OutboxMessage
from apps.uploads.models import CadFile, PartUpload
from apps.uploads.services import upload_create, upload_delete, upload_units_set
from apps.uploads.status import UploadStatus
from tests.uploads import samples

pytestmark = pytest.mark.django_db


def _file(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.fixture
def owner(in_tenant_a, make_user):
    return make_user(in_tenant_a, Role.CUSTOMER)


def _nothing_written():
    assert not CadFile.objects.exists() and not PartUpload.objects.exists()
    assert not OutboxMessage.objects.filter(task_name="uploads.analyse").exists()


def _clean(*uploads):
    for upload in uploads:
        upload_delete(actor=upload.owner, upload=upload)


@pytest.mark.parametrize(
    ("generator", "fmt"),
    [
        (samples.box_stl, "stl"),
        (samples.box_ascii_stl, "stl"),
        (samples.box_obj, "obj"),
        (samples.box_3mf, "3mf"),
        (samples.plate_dxf, "dxf"),
        (samples.holed_box_step, "step"),
    ],
)
def test_an_upload_is_stored_by_its_content_and_queued(owner, tmp_path, generator, fmt):
    path = generator(tmp_path)
    content = path.read_bytes()
    sha256 = hashlib.sha256(content).hexdigest()
    upload = upload_create(actor=owner, uploaded_file=_file(path))
    try:
        assert upload.status == UploadStatus.PENDING and upload.analysis_run == 1
        assert upload.original_name == path.name and upload.name == path.stem
        assert upload.file.sha256 == sha256 and upload.file.size == len(content) and upload.file.format == fmt
        assert upload.file.stored_name == f"uploads/{sha256[:2]}/{sha256}/original.{fmt}"
        with default_storage.open(upload.file.stored_name) as stored:
            assert stored.read() == content
        message = OutboxMessage.objects.get(task_name="uploads.analyse")
        assert message.kwargs == {"upload_id": str(upload.pk), "run": 1, "repair": False}
        assert not upload.units_chosen
    finally:
        _clean(upload)


def test_the_same_content_twice_is_stored_once(owner, tmp_path, make_user, in_tenant_a):
    path = samples.box_stl(tmp_path)
    first = upload_create(actor=owner, uploaded_file=_file(path))
    other = make_user(in_tenant_a, Role.CUSTOMER)
    second = upload_create(actor=other, uploaded_file=_file(path, "copy.stl"), units="inch")
    try:
        assert first.file_id == second.file_id and CadFile.objects.count() == 1
        assert second.units == "inch" and second.units_chosen
        assert OutboxMessage.objects.filter(task_name="uploads.analyse").count() == 2
    finally:
        _clean(first, second)
    assert not CadFile.objects.exists()
    assert not default_storage.exists(first.file.stored_name)


@pytest.mark.parametrize(
    ("generator", "name", "words"),
    [
        (samples.dxf_named_stl, None, "DXF"),  # the content is not what the name says
        (samples.garbage_stl, None, ""),
        (samples.truncated_stl, None, "cut off"),
        (samples.box_stl, "box.exe", "not one"),
        (samples.box_stl, "box", "nameless"),
        (samples.plate_dxf, "plate.step", "DXF"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_with_nothing_written(
    owner, tmp_path, generator, name, words
):
    path = generator(tmp_path)
    with pytest.raises(ValidationError) as refused:
        upload_create(actor=owner, uploaded_file=_file(path, name))
    assert list(refused.value.message_dict) == ["file"]
    assert words in " ".join(refused.value.message_dict["file"])
    _nothing_written()


def test_a_file_over_the_limit_is_refused_while_it_streams(owner, tmp_path, settings):
    path = samples.box_stl(tmp_path)
    settings.CAD_UPLOAD_MAX_BYTES = path.stat().st_size - 1
    upload = _file(path)
    upload.size = None  # not declared: found while streaming
    with pytest.raises(ValidationError) as refused:
        upload_create(actor=owner, uploaded_file=upload)
    assert refused.value.message_dict["file"][0].startswith("The file is larger than")
    _nothing_written()


@pytest.mark.parametrize("role", [Role.STAFF, Role.FINANCE, Role.SUPPLIER_MEMBER, Role.CARRIER_MEMBER])
def test_only_customers_upload(in_tenant_a, make_user, tmp_path, role):
    with pytest.raises(PermissionDenied):
        upload_create(actor=make_user(in_tenant_a, role), uploaded_file=_file(samples.box_stl(tmp_path)))
    _nothing_written()


def test_units_set_is_the_owners_and_asks_for_a_new_run(owner, tmp_path, make_user, in_tenant_a):
    upload = upload_create(actor=owner, uploaded_file=_file(samples.plate_dxf(tmp_path)))
    try:
        for stranger in (make_user(in_tenant_a, Role.CUSTOMER), make_user(in_tenant_a, Role.STAFF)):
            with pytest.raises(PermissionDenied):
                upload_units_set(actor=stranger, upload=upload, units="inch")
        with pytest.raises(ValidationError) as refused:
            upload_units_set(actor=owner, upload=upload, units="cm")
        assert list(refused.value.message_dict) == ["units"]
        PartUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.READY)
        upload = upload_units_set(actor=owner, upload=upload, units="inch")
        assert (upload.status, upload.units, upload.units_chosen, upload.analysis_run) == (
            "pending",
            "inch",
            True,
            2,
        )
        runs = sorted(m.kwargs["run"] for m in OutboxMessage.objects.filter(task_name="uploads.analyse"))
        assert runs == [1, 2]
    finally:
        _clean(upload)


def test_delete_is_the_owners(owner, tmp_path, make_user, in_tenant_a):
    upload = upload_create(actor=owner, uploaded_file=_file(samples.box_stl(tmp_path)))
    with pytest.raises(PermissionDenied):
        upload_delete(actor=make_user(in_tenant_a, Role.STAFF), upload=upload)
    assert PartUpload.objects.filter(pk=upload.pk).exists()
    upload_delete(actor=owner, upload=upload)
    assert not PartUpload.objects.exists() and not CadFile.objects.exists()
