"""Fixtures for the quoting of uploaded parts: alpha with the demo workshops and their process rates, and
analysed uploads built from features (no file is read: the analysis is what the analyser would have stored)."""

from __future__ import annotations

import hashlib
import math
import uuid

import pytest

from apps.matching.quoting.network_version import network_version_bump
from apps.uploads.analysis.result import (
    KIND_OF_FORMAT,
    Analysis,
    FileFormat,
    Finding,
    MeshFeatures,
    ProfileFeatures,
    SolidFeatures,
    Units,
)
from apps.uploads.models import CadFile, PartUpload
from apps.uploads.offer import network_offer
from apps.uploads.status import UploadStatus


@pytest.fixture
def parts_network(demo_workshops_for_the_module, in_tenant_a):
    """Alpha with the demo network's 15 workshops and the demo rates; the connection stays on alpha.

    The workshops are the module's (seeded once, see `demo_workshops_for_the_module`), so a quote a test before
    cached would be read under the same network version: the bump gives each test its own, as seeding each
    test's own workshops did."""
    network_version_bump()
    return network_offer()


def cube_mesh(side_mm: float = 40.0, *, min_wall_mm: float | None = None) -> MeshFeatures:
    return MeshFeatures(
        size_mm=(side_mm, side_mm, side_mm),
        volume_mm3=side_mm**3,
        area_mm2=6 * side_mm**2,
        triangles=12,
        shells=1,
        watertight=True,
        min_wall_mm=min_wall_mm,
    )


def plate_profile(
    width: float = 200.0,
    depth: float = 100.0,
    *,
    holes: tuple[float, ...] = (10.0, 10.0),
    bend_lines: int = 0,
) -> ProfileFeatures:
    outline = 2 * (width + depth)
    return ProfileFeatures(
        size_mm=(width, depth),
        cut_length_mm=outline + sum(math.pi * d for d in holes),
        pierces=1 + len(holes),
        closed_contours=1 + len(holes),
        open_contours=0,
        hole_diameters_mm=holes,
        net_area_mm2=width * depth - sum(math.pi * d * d / 4 for d in holes),
        entities=4 + len(holes),
        bend_lines=bend_lines,
    )


def block_solid(size=(80.0, 60.0, 30.0), removal_share: float = 0.4) -> SolidFeatures:
    stock = size[0] * size[1] * size[2]
    return SolidFeatures(
        size_mm=size,
        volume_mm3=stock * (1 - removal_share),
        area_mm2=2 * (size[0] * size[1] + size[0] * size[2] + size[1] * size[2]),
        stock_volume_mm3=stock,
        removal_volume_mm3=stock * removal_share,
        faces=20,
        solids=1,
    )


FORMAT_OF = {MeshFeatures: FileFormat.STL, ProfileFeatures: FileFormat.DXF, SolidFeatures: FileFormat.STEP}


def analysed_upload(
    owner, features, *, findings: tuple[Finding, ...] = (), extra: dict | None = None
) -> PartUpload:
    """A ready upload of `owner` whose stored analysis has these features (a unique file per call)."""
    file_format = FORMAT_OF[type(features)]
    digest = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    cad = CadFile.objects.create(
        sha256=digest,
        size=1234,
        format=file_format.value,
        stored_name=f"uploads/{digest[:2]}/{digest}/original.{file_format.value}",
    )
    analysis = Analysis(
        format=file_format,
        kind=KIND_OF_FORMAT[file_format],
        units=Units.MM,
        units_from_file=True,
        features=features,
        findings=findings,
        extra=extra or {},
    )
    return PartUpload.objects.create(
        owner=owner,
        file=cad,
        original_name=f"part.{file_format.value}",
        name="Bracket",
        status=UploadStatus.READY,
        analysis=analysis.to_json(),
        units_from_file=True,
    )
