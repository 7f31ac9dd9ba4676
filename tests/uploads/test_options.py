"""What a customer may choose for an uploaded part: what the network's rates price AND an active machine does."""

import pytest
from django.core.exceptions import ValidationError

from apps.processes.models import Process, ProcessRate, RateKind
from apps.suppliers.models import Resource
from apps.suppliers.status import ResourceStatus
from apps.uploads.analysis.result import PartKind
from apps.uploads.offer import network_offer
from apps.uploads.options import part_choices, part_options_clean, part_options_default
from tests.uploads.part_network import block_solid, cube_mesh, plate_profile

pytestmark = pytest.mark.django_db


def _processes(kind, offer) -> dict[str, list[str]]:
    return {p["value"]: [m["value"] for m in p["materials"]] for p in part_choices(kind, offer)["processes"]}


def test_the_demo_network_offers_every_printing_process_with_its_materials(parts_network):
    offered = _processes(PartKind.MESH, parts_network)
    assert set(offered) == {"fdm_printing", "sla_printing", "sls_printing", "mjf_printing"}
    assert {"pla", "petg"} <= set(offered["fdm_printing"])
    assert offered["sla_printing"] == ["standard resin", "tough resin"]


def test_sheet_options_list_thicknesses_with_bending_and_coating_where_offered(parts_network):
    choices = part_choices(PartKind.PROFILE, parts_network)
    laser = next(p for p in choices["processes"] if p["value"] == "laser_cutting")
    steel = next(m for m in laser["materials"] if m["value"] == "steel")
    assert [t["value"] for t in steel["thicknesses"]] == [1.0, 2.0, 3.0, 5.0, 8.0, 10.0]
    assert all(t["bending"] and t["powder_coating"] for t in steel["thicknesses"])
    plywood = next(m for m in laser["materials"] if m["value"] == "birch plywood")
    assert not any(t["bending"] or t["powder_coating"] for t in plywood["thicknesses"]), "metal-only machines"


def test_a_process_whose_machines_are_all_down_is_not_offered(parts_network):
    Resource.objects.filter(process="sla_printing").update(status=ResourceStatus.DOWN)
    assert "sla_printing" not in _processes(PartKind.MESH, network_offer())


def test_a_rate_without_any_machine_is_not_offered(parts_network):
    """Staff price PEEK printing, but no printer in the network works PEEK."""
    ProcessRate.objects.create(
        process=Process.objects.get(code="fdm_printing"),
        kind=RateKind.PRINTING,
        material="peek",
        deposition_cm3_per_hour=5,
        build_mm_per_hour=40,
        density_g_per_cm3="1.3",
    )
    assert "peek" not in _processes(PartKind.MESH, network_offer())["fdm_printing"]


def test_machining_offers_only_the_tolerance_classes_some_machine_holds(parts_network):
    mill = next(
        p for p in part_choices(PartKind.SOLID, parts_network)["processes"] if p["value"] == "cnc_milling"
    )
    aluminium = next(m for m in mill["materials"] if m["value"] == "aluminium")
    assert "precision" in [t["value"] for t in aluminium["tolerances"]]
    Resource.objects.filter(process="cnc_milling", tolerance_mm__lt="0.05").update(status=ResourceStatus.DOWN)
    mill = next(p for p in part_choices(PartKind.SOLID, network_offer())["processes"])
    aluminium = next(m for m in mill["materials"] if m["value"] == "aluminium")
    assert "precision" not in [t["value"] for t in aluminium["tolerances"]]


@pytest.mark.parametrize(
    ("kind", "features"),
    [
        (PartKind.MESH, cube_mesh()),
        (PartKind.PROFILE, plate_profile(bend_lines=2)),
        (PartKind.SOLID, block_solid()),
    ],
)
def test_the_defaults_are_valid_options(parts_network, kind, features):
    defaults = part_options_default(kind, parts_network, features)
    assert part_options_clean(kind, defaults, parts_network, features) == defaults


def test_defaults_bend_a_drawing_with_bend_lines(parts_network):
    defaults = part_options_default(PartKind.PROFILE, parts_network, plate_profile(bend_lines=2))
    assert defaults["material"] == "steel" and defaults["bending"] is True


def test_options_not_offered_are_refused_field_by_field(parts_network):
    with pytest.raises(ValidationError) as caught:
        part_options_clean(
            PartKind.MESH,
            {
                "process": "fdm_printing",
                "material": "pla",
                "colour": "gold",
                "infill_percent": 33,
                "finish": "x",
                "size": 2,
            },
            parts_network,
            cube_mesh(),
        )
    errors = caught.value.message_dict
    assert set(errors) == {"colour", "infill_percent", "finish", "size"}
    assert "black" in errors["colour"][0] and "20 %" in errors["infill_percent"][0]


def test_a_material_the_process_does_not_work_names_those_it_does(parts_network):
    with pytest.raises(ValidationError) as caught:
        part_options_clean(
            PartKind.MESH, {"process": "sla_printing", "material": "pla"}, parts_network, cube_mesh()
        )
    assert "Standard resin" in caught.value.message_dict["material"][0]


def test_a_thickness_not_stocked_and_bending_without_bend_lines_are_refused(parts_network):
    base = {"process": "laser_cutting", "material": "steel"}
    with pytest.raises(ValidationError) as caught:
        part_options_clean(PartKind.PROFILE, {**base, "thickness_mm": 4}, parts_network, plate_profile())
    assert "1 mm, 2 mm, 3 mm, 5 mm" in caught.value.message_dict["thickness_mm"][0]
    with pytest.raises(ValidationError) as caught:
        part_options_clean(
            PartKind.PROFILE, {**base, "thickness_mm": 2, "bending": True}, parts_network, plate_profile()
        )
    assert "no bend lines" in caught.value.message_dict["bending"][0]


def test_coating_needs_a_colour_the_coater_offers(parts_network):
    options = {"process": "laser_cutting", "material": "steel", "thickness_mm": "2", "powder_coating": "true"}
    with pytest.raises(ValidationError) as caught:
        part_options_clean(PartKind.PROFILE, options, parts_network, plate_profile())
    assert "RAL 9005 jet black" in caught.value.message_dict["coating_colour"][0]
    clean = part_options_clean(
        PartKind.PROFILE, {**options, "coating_colour": "RAL 9005 jet black"}, parts_network, plate_profile()
    )
    assert clean["thickness_mm"] == 2.0 and clean["powder_coating"] is True


def test_defaults_pick_a_material_some_machine_can_take_the_part_in(parts_network):
    """A 790 × 630 mm plate is too wide for every metal mill; the wood router takes it in oak."""
    wide = block_solid(size=(790.0, 630.0, 10.0))
    defaults = part_options_default(PartKind.SOLID, parts_network, wide)
    assert defaults["material"] == "oak"
    assert part_options_default(PartKind.SOLID, parts_network, block_solid())["material"] == "steel"


def test_a_designer_who_narrows_away_every_coating_colour_of_a_sheet_narrows_away_its_coating(parts_network):
    """The coater offers black, white, anthracite and red; a designer who allows only a yellow left
    `powder_coating` on with no colour, and `_choose` over an empty list accepted a coated sheet in no colour."""
    options = {"process": "laser_cutting", "material": "steel", "thickness_mm": "2", "powder_coating": "true"}
    narrowing = {"coating_colour": ["RAL 1023 traffic yellow"]}
    with pytest.raises(ValidationError) as caught:
        part_options_clean(PartKind.PROFILE, options, parts_network, plate_profile(), narrowing=narrowing)
    assert "powder-coat" in caught.value.message_dict["powder_coating"][0]
    uncoated = part_options_clean(
        PartKind.PROFILE,
        {**options, "powder_coating": "false"},
        parts_network,
        plate_profile(),
        narrowing=narrowing,
    )
    assert uncoated["powder_coating"] is False
