"""The analysis task: a run analysed in the sandbox ends ready (analysis JSON on the row, the preview beside the
stored original) or failed (the analyser's plain message); a repeated or superseded run does nothing; a repair
keeps the original and records what changed. End to end, a committed upload reaches the real worker on the
"uploads" queue and is analysed inside its network's schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.uploads.analysing import upload_analyse
from apps.uploads.models import PartUpload
from apps.uploads.services import upload_create, upload_delete, upload_repair, upload_units_set
from apps.uploads.status import UploadStatus
from tests.conftest import wait_for
from tests.uploads import samples


def _file(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


@pytest.fixture
def owner(in_tenant_a, make_user):
    return make_user(in_tenant_a, Role.CUSTOMER)


@pytest.fixture
def uploaded(owner, tmp_path):
    """Uploads a sample as the owner (analysis not run); deleted with its files afterwards."""
    made = []

    def upload(generator, **kwargs):
        made.append(upload_create(actor=owner, uploaded_file=_file(generator(tmp_path)), **kwargs))
        return made[-1]

    yield upload
    for upload in made:
        if PartUpload.objects.filter(pk=upload.pk).exists():
            upload_delete(actor=owner, upload=PartUpload.objects.get(pk=upload.pk))


@pytest.mark.django_db
def test_a_run_ends_ready_with_the_analysis_and_the_preview_beside_the_original(uploaded):
    upload = uploaded(samples.box_stl)
    assert upload_analyse(upload_id=str(upload.pk), run=1) == "ready"
    upload.refresh_from_db()
    assert upload.status == UploadStatus.READY and upload.error_code == ""
    assert upload.analysis["kind"] == "mesh"
    assert upload.analysis["features"]["size_mm"] == pytest.approx(list(samples.BOX_SIZE), rel=1e-6)
    assert upload.units == "mm" and upload.analysed_at is not None
    assert upload.preview_name == f"{upload.file.folder}/preview.glb"
    with default_storage.open(upload.preview_name) as preview:
        assert preview.read(4) == b"glTF"
    # Done once: a repeat (a redelivered message) changes nothing.
    analysed_at = upload.analysed_at
    assert upload_analyse(upload_id=str(upload.pk), run=1) == "skipped"
    upload.refresh_from_db()
    assert upload.analysed_at == analysed_at


@pytest.mark.django_db
def test_a_dxf_is_drawn_as_svg(uploaded):
    upload = uploaded(samples.plate_dxf)
    assert upload_analyse(upload_id=str(upload.pk), run=1) == "ready"
    upload.refresh_from_db()
    assert upload.analysis["kind"] == "profile" and upload.preview_name.endswith("/preview.svg")
    assert default_storage.exists(upload.preview_name)


@pytest.mark.django_db
def test_a_file_the_analyser_refuses_ends_failed_with_its_message(uploaded):
    upload = uploaded(samples.zip_bomb_3mf)
    assert upload_analyse(upload_id=str(upload.pk), run=1) == "failed"
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and upload.analysis is None
    assert upload.error_code and upload.error_code != "analysis_crashed"  # the analyser's own refusal
    assert "zip" in upload.error_message.lower() or "3mf" in upload.error_message.lower(), (
        upload.error_message
    )


@pytest.mark.django_db
def test_a_superseded_run_does_nothing(uploaded, owner):
    upload = uploaded(samples.box_stl)
    upload = upload_units_set(actor=owner, upload=upload, units="inch")  # run 2 replaces run 1
    assert upload_analyse(upload_id=str(upload.pk), run=1) == "skipped"
    assert PartUpload.objects.get(pk=upload.pk).status == UploadStatus.PENDING
    assert upload_analyse(upload_id=str(upload.pk), run=2) == "ready"
    upload.refresh_from_db()
    assert upload.units == "inch"
    assert upload.analysis["features"]["size_mm"] == pytest.approx(
        [s * 25.4 for s in samples.BOX_SIZE], rel=1e-6
    )
    assert upload.preview_name == f"{upload.file.folder}/preview-inch.glb"


@pytest.mark.django_db
def test_a_task_of_a_deleted_upload_does_nothing(uploaded, owner):
    upload = uploaded(samples.box_stl)
    upload_delete(actor=owner, upload=upload)
    assert upload_analyse(upload_id=str(upload.pk), run=1) == "skipped"


@pytest.mark.django_db
def test_a_stored_file_gone_ends_the_run_failed_not_stuck_analysing(uploaded):
    upload = uploaded(samples.box_stl)
    default_storage.delete(upload.file.stored_name)
    assert upload_analyse(upload_id=str(upload.pk), run=1) == "failed"
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and upload.error_code == "analysis_crashed"
    assert "upload it again" in upload.error_message


@pytest.mark.django_db
def test_a_redelivered_task_finishes_a_run_left_analysing(uploaded):
    """A worker lost mid-analysis leaves the row analysing; the redelivered message analyses it again."""
    upload = uploaded(samples.box_stl)
    PartUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.ANALYSING)
    assert upload_analyse(upload_id=str(upload.pk), run=1) == "ready"


@pytest.mark.django_db
def test_a_repair_keeps_the_original_and_records_what_changed(uploaded, owner):
    upload = uploaded(samples.open_box_stl)
    assert upload_analyse(upload_id=str(upload.pk), run=1) == "ready"
    upload.refresh_from_db()
    codes = {finding["code"]: finding for finding in upload.analysis["findings"]}
    assert codes["mesh_not_watertight"]["repairable"]
    original = upload.file
    upload = upload_repair(actor=owner, upload=upload)
    assert upload.status == UploadStatus.PENDING
    assert upload_analyse(upload_id=str(upload.pk), run=upload.analysis_run, repair_first=True) == "ready"
    upload.refresh_from_db()
    assert upload.file == original and default_storage.exists(original.stored_name)
    assert upload.repaired_file is not None and upload.repaired_file != original
    assert default_storage.exists(upload.repaired_file.stored_name)
    assert upload.analysis["features"]["watertight"] is True
    assert "mesh_not_watertight" not in {finding["code"] for finding in upload.analysis["findings"]}
    (repair,) = upload.repairs
    assert (
        repair["original_sha256"] == original.sha256
        and repair["repaired_sha256"] == upload.repaired_file.sha256
    )
    assert any("hole" in sentence for sentence in repair["messages"])


@pytest.mark.worker
def test_a_committed_upload_is_analysed_by_the_worker_in_its_network(
    celery_worker, tenant_a, make_user, django_db_blocker, tmp_path
):
    with django_db_blocker.unblock(), schema_context(tenant_a.schema_name):
        owner = make_user(tenant_a, Role.CUSTOMER)
        try:
            upload = upload_create(actor=owner, uploaded_file=_file(samples.plate_dxf(tmp_path)))
            done = wait_for(
                lambda: PartUpload.objects.filter(pk=upload.pk, status=UploadStatus.READY).first(), timeout=60
            )
            assert done.analysis["kind"] == "profile" and done.analysis["features"]["pierces"] >= 1
            assert default_storage.exists(done.preview_name)
        finally:
            for each in PartUpload.objects.filter(owner=owner):
                upload_delete(actor=owner, upload=each)
            owner.delete()
