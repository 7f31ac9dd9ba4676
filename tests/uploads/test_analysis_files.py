"""Telling formats by content, and refusing broken, hostile or oversized files with a plain reason (no database)."""

import random
import zipfile

import pytest

from apps.uploads.analysis.core import analyse, repair
from apps.uploads.analysis.limits import Limits, check_zip, read_zip_member
from apps.uploads.analysis.result import AnalysisError, FileFormat
from apps.uploads.analysis.sniff import sniff, sniff_bytes
from tests.uploads import samples


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("file-samples")


@pytest.fixture
def out(tmp_path):
    return tmp_path


@pytest.mark.parametrize(
    ("write", "file_format"),
    [
        (samples.box_stl, FileFormat.STL),
        (samples.box_ascii_stl, FileFormat.STL),
        (samples.box_obj, FileFormat.OBJ),
        (samples.box_3mf, FileFormat.THREE_MF),
        (samples.plate_dxf, FileFormat.DXF),
    ],
)
def test_the_format_is_told_by_content_not_name(folder, write, file_format):
    path = write(folder)
    renamed = path.with_name(path.stem + "_without_extension")
    renamed.write_bytes(path.read_bytes())

    assert sniff(path) == file_format
    assert sniff(renamed) == file_format


def test_a_binary_stl_whose_header_says_solid_is_still_binary(folder):
    data = bytearray(samples.box_stl(folder).read_bytes())
    data[:80] = b"solid exported by a tool that should know better".ljust(80)
    path = folder / "solid_header.stl"
    path.write_bytes(bytes(data))

    assert sniff(path) == FileFormat.STL


@pytest.mark.parametrize(
    ("write", "code", "words"),
    [
        (samples.dxf_named_stl, "wrong_extension", "content is a DXF drawing"),
        (samples.garbage_stl, "unsupported_format", "not one we read"),
        (samples.truncated_stl, "corrupt", "promises 12 triangles"),
        (samples.truncated_step, "corrupt", "cut off"),
        (samples.truncated_dxf, "empty", "no lines, arcs"),
        (samples.zip_bomb_3mf, "zip_too_large", "zip bomb"),
        (samples.many_entries_3mf, "zip_too_many_entries", "limit is 1,000"),
        (samples.deep_nesting_3mf, "zip_too_deep", "64 folders deep"),
        (samples.path_traversal_3mf, "zip_unsafe_path", "../../evil.txt"),
    ],
)
def test_broken_and_hostile_files_are_refused_with_a_reason(folder, out, write, code, words):
    with pytest.raises(AnalysisError) as caught:
        analyse(write(folder), out)

    assert caught.value.code == code and words in caught.value.message
    assert not list(out.iterdir())  # nothing half-written


def test_the_customers_file_name_must_agree_with_the_content(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse(samples.box_stl(folder), out, filename="bracket.dxf")
    assert caught.value.code == "wrong_extension" and "an STL mesh" in caught.value.message


def test_an_empty_file_is_refused(folder, out):
    path = folder / "empty.stl"
    path.write_bytes(b"")
    with pytest.raises(AnalysisError) as caught:
        analyse(path, out)
    assert caught.value.code == "empty"


def test_a_file_over_the_size_limit_is_refused_naming_both_sizes(folder, out):
    with pytest.raises(AnalysisError) as caught:
        analyse(samples.cylinder_stl(folder), out, limits=Limits(file_bytes=10_000))
    assert (
        caught.value.code == "file_too_large"
        and "13 KB" in caught.value.message
        and "10 KB" in caught.value.message
    )


@pytest.mark.parametrize("write", [samples.box_stl, samples.box_ascii_stl, samples.box_obj, samples.box_3mf])
def test_too_many_triangles_are_refused_naming_both_counts(folder, out, write):
    with pytest.raises(AnalysisError) as caught:
        analyse(write(folder), out, limits=Limits(triangles=10))
    assert (
        caught.value.code == "too_many_triangles"
        and "12" in caught.value.message
        and "10" in caught.value.message
    )


def test_the_zip_guard_reads_only_the_directory_and_an_entry_lying_about_its_size_is_stopped(folder):
    """A zip entry whose directory record understates its size: the guard passes it, inflating stops at the
    declared size instead of trusting the stream."""
    path = folder / "liar.3mf"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("3D/3dmodel.model", b"x" * 100_000)
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(
        4, "little"
    )  # uncompressed size in the central directory
    path.write_bytes(bytes(data))

    with check_zip(path, Limits()) as archive, pytest.raises(AnalysisError) as caught:
        read_zip_member(archive, "3D/3dmodel.model", Limits())
    assert caught.value.code in ("zip_too_large", "corrupt")


def test_the_entry_count_is_checked_from_the_directory_record_before_zipfile_reads_every_entry(folder, out):
    data = bytearray(samples.box_3mf(folder, name="declares_many.3mf").read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (60_000).to_bytes(2, "little") * 2  # entries on this disk, and in all
    path = folder / "declares_many.3mf"
    path.write_bytes(bytes(data))

    with pytest.raises(AnalysisError) as caught:
        analyse(path, out)
    assert caught.value.code == "zip_too_many_entries" and "60,000" in caught.value.message


def test_limits_travel_as_json():
    limits = Limits(triangles=5, zip_ratio=7.5)
    assert Limits.from_json(limits.to_json()) == limits


MUTATIONS = [b"nan", b"1e308", b"-", b"inf", b"\n0\nLINE\n", b"999999999"]


@pytest.mark.parametrize("seed", range(3))
def test_damaged_files_are_analysed_or_refused_never_crash_the_analyser(folder, out, seed):
    """Real files with bytes flipped, cut, repeated, zeroed or garbage inserted (a seeded sample of what a broken
    upload looks like): each comes back as an analysis or an AnalysisError, never another exception."""
    rng = random.Random(seed)
    sources = [
        samples.box_stl(folder),
        samples.box_ascii_stl(folder),
        samples.box_obj(folder),
        samples.box_3mf(folder),
        samples.slicer_3mf(folder),
        samples.plate_dxf(folder),
    ]
    for attempt in range(40):
        source = rng.choice(sources)
        data = bytearray(source.read_bytes())
        at = rng.randrange(len(data))
        damage = rng.choice(["flip", "cut", "repeat", "zero", "insert"])
        if damage == "flip":
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif damage == "cut":
            data = data[: max(1, at)]
        elif damage == "repeat":
            data[at:at] = data[at : at + rng.randint(1, 200)]
        elif damage == "zero":
            data[at : at + rng.randint(1, 100)] = bytes(10)
        else:
            data[at:at] = rng.choice(MUTATIONS)
        path = folder / f"damaged_{seed}_{attempt}{source.suffix}"
        path.write_bytes(bytes(data))
        try:
            analyse(path, out)
            if source.suffix in (".stl", ".obj", ".3mf"):
                repair(path, out)
        except AnalysisError:
            pass


def _flat_obj(folder):
    path = folder / "flat.obj"  # two coordinates a vertex
    path.write_text("v 0 0\nv 1 0\nv 0 1\nf 1 2 3\n")
    return path


def _stub_dxf(folder):
    path = folder / "stub.dxf"  # a section that never comes
    path.write_bytes(b"  0\nSECTION\n")
    return path


def _unknown_zip_version_3mf(folder):
    data = bytearray(samples.box_3mf(folder, name="version.3mf").read_bytes())
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 6] = 193  # "version needed to extract": 19.3, which no reader implements
    path = folder / "version.3mf"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("write", "words"),
    [
        (_flat_obj, "vertices or faces are malformed"),
        (_stub_dxf, "StopIteration"),
        (_unknown_zip_version_3mf, "zip file version 19.3"),
    ],
)
def test_what_the_damage_fuzzing_found_is_refused_as_corrupt(folder, out, write, words):
    with pytest.raises(AnalysisError) as caught:
        analyse(write(folder), out)
    assert caught.value.code == "corrupt" and words in caught.value.message


def test_an_entity_with_a_damaged_type_name_is_left_out_and_said_so(folder, out):
    data = samples.plate_dxf(folder, name="garbled.dxf").read_bytes()
    at = data.index(b"\nCIRCLE\n")
    path = folder / "garbled.dxf"
    path.write_bytes(data[: at + 1] + b"\xa0IRCLE" + data[at + 7 :])  # one circle's type, one byte damaged

    analysis = analyse(path, out)

    assert analysis.extra["ignored_entities"] == {"unknown entity": 1}
    assert [f.code for f in analysis.findings] == ["profile_ignored_entities"]
    assert analysis.features.closed_contours == samples.PLATE_PIERCES - 1  # that hole is not cut


@pytest.mark.timeout(10)
def test_a_head_of_many_comments_that_is_no_dxf_is_answered_at_once():
    """The DXF test once retried every way of reading each comment's whitespace: 4^n tries for n comments before
    a head that is not a DXF after all. Forty comments would have taken longer than the universe's age."""
    head = b"999\r\nnote\r\n" * 40 + b"1\r\nnot a section\r\n"

    assert sniff_bytes(head, len(head)) is None
    assert sniff_bytes(b"999\r\nnote\r\n" * 40 + b"0\r\nSECTION\r\n", 2000) == FileFormat.DXF
