"""Catalog API: public templates with JSON Schema, the customer's own designs, validation without saving."""

import jsonschema
import pytest

from apps.accounts.roles import Role
from apps.catalog.models import Design, DesignVersion
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

TABLE = {
    "width": 1800,
    "depth": 900,
    "height": 750,
    "top_material": "oak",
    "leg_style": "straight",
    "leg_colour": "#1f2328",
    "engraving": "",
}


@pytest.fixture
def api_a(client_a, tenant_a, customer):
    return sign_in(client_a, tenant_a, customer)


def create(client, name="Dining", **values):
    return client.post(
        "/api/v1/designs/",
        {"template": "dining-table", "name": name, "values": {**TABLE, **values}},
        content_type="application/json",
    )


def test_templates_are_public_and_filterable(demo_catalog_a, client_a):
    listing = client_a.get("/api/v1/catalog/templates/").json()
    assert [t["slug"] for t in listing["results"]] == ["dining-table", "bookshelf", "phone-stand"]
    furniture = client_a.get("/api/v1/catalog/templates/?category=Accessories").json()
    assert [t["slug"] for t in furniture["results"]] == ["phone-stand"]
    assert client_a.get("/api/v1/catalog/templates/?q=shelf").json()["count"] == 1


def test_template_detail_carries_a_json_schema_of_its_parameters(demo_catalog_a, client_a):
    detail = client_a.get("/api/v1/catalog/templates/dining-table/").json()
    schema = detail["parameters_schema"]
    jsonschema.Draft202012Validator.check_schema(schema)
    width = schema["properties"]["width"]
    assert (width["type"], width["minimum"], width["maximum"], width["multipleOf"], width["x-unit"]) == (
        "number",
        1200,
        2400,
        10,
        "mm",
    )
    assert [o["const"] for o in schema["properties"]["top_material"]["oneOf"]] == ["oak", "walnut", "ash"]
    assert schema["properties"]["engraving"]["maxLength"] == 30
    assert "engraving" not in schema["required"] and "width" in schema["required"]
    jsonschema.validate(detail["defaults"], schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**detail["defaults"], "top_material": "teak"}, schema)
    assert [s["key"] for s in detail["routing"]][:3] == ["top", "engraving", "legs"]


def test_another_networks_template_is_a_404(demo_catalog_a, client_b):
    assert client_b.get("/api/v1/catalog/templates/dining-table/").status_code == 404


def test_designs_need_a_signed_in_customer(demo_catalog_a, client_a):
    """No credentials is 401 (with a WWW-Authenticate challenge), not 403: nobody is known to refuse."""
    assert client_a.get("/api/v1/designs/").status_code == 401
    assert create(client_a).status_code == 401
    assert Design.objects.count() == 0


def test_create_list_retrieve_and_update_makes_versions(demo_catalog_a, api_a):
    created = create(api_a)
    assert created.status_code == 201, created.content
    design = created.json()
    assert design["current_version"]["number"] == 1
    assert design["current_version"]["operations"][0]["process"] == "cnc_milling"
    assert design["share_url"].startswith("http://alpha.localhost/designs/shared/")
    first_version = design["current_version"]["id"]
    listing = api_a.get("/api/v1/designs/").json()
    assert [d["id"] for d in listing["results"]] == [design["id"]]
    updated = api_a.patch(
        f"/api/v1/designs/{design['id']}/",
        {"values": {**TABLE, "width": 2000}},
        content_type="application/json",
    )
    assert updated.status_code == 200, updated.content
    body = updated.json()
    assert body["current_version"]["number"] == 2
    assert [v["number"] for v in body["versions"]] == [2, 1]
    assert body["versions"][1]["id"] == first_version
    assert DesignVersion.objects.get(pk=first_version).values["width"] == 1800
    put = api_a.put(f"/api/v1/designs/{design['id']}/", {"name": "Renamed"}, content_type="application/json")
    assert put.json()["name"] == "Renamed" and put.json()["current_version"]["number"] == 2


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"width": 5000}, "width", "Must be at most 2400 mm."),
        ({"width": "wide"}, "width", "Enter a number."),
        ({"width": [1800]}, "width", "Enter a number."),
        ({"width": 1805}, "width", "Use steps of 10 mm"),
        ({"top_material": "teak"}, "top_material", "Unknown option 'teak'"),
        ({"leg_colour": "pink"}, "leg_colour", "Unknown colour 'pink'"),
        ({"engraving": "x" * 500}, "engraving", "At most 30 characters"),
        ({"width": "__import__('os').system('id')"}, "width", "Enter a number."),
        ({"width": 2400, "depth": 1000}, "depth", "at most 2.2 m²"),
        ({"height": None}, "height", "This value is required."),
        ({"surprise": 1}, "surprise", "Unknown parameter."),
    ],
)
def test_bad_values_are_400s_naming_the_field_and_save_nothing(demo_catalog_a, api_a, values, field, message):
    response = create(api_a, **values)
    assert response.status_code == 400, response.content
    assert message in response.json()["values"][field][0]
    assert Design.objects.count() == 0


def test_missing_value_unknown_template_and_bad_name(demo_catalog_a, api_a):
    values = dict(TABLE)
    del values["depth"]
    response = api_a.post(
        "/api/v1/designs/",
        {"template": "dining-table", "name": "x", "values": values},
        content_type="application/json",
    )
    assert response.json() == {"values": {"depth": ["This value is required."]}}
    response = api_a.post(
        "/api/v1/designs/",
        {"template": "sofa", "name": "x", "values": TABLE},
        content_type="application/json",
    )
    assert response.status_code == 400 and "sofa" in response.json()["template"][0]
    assert create(api_a, name="a\x00b").json()["name"][0]
    response = api_a.post(
        "/api/v1/designs/", {"template": "dining-table", "values": "nope"}, content_type="application/json"
    )
    assert set(response.json()) == {"values", "name"}
    assert Design.objects.count() == 0


def test_another_customers_design_is_a_404(demo_catalog_a, api_a, client_a, tenant_a, make_user):
    design_id = create(api_a).json()["id"]
    other = sign_in(
        client_a.__class__(HTTP_HOST="alpha.localhost"), tenant_a, make_user(tenant_a, Role.CUSTOMER)
    )
    assert other.get(f"/api/v1/designs/{design_id}/").status_code == 404
    assert (
        other.patch(
            f"/api/v1/designs/{design_id}/", {"name": "Mine now"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert other.get("/api/v1/designs/").json()["results"] == []


def test_another_networks_design_is_a_404(demo_catalog_a, api_a, client_b, tenant_b, make_user):
    design_id = create(api_a).json()["id"]
    sign_in(client_b, tenant_b, make_user(tenant_b, Role.CUSTOMER))
    assert client_b.get(f"/api/v1/designs/{design_id}/").status_code == 404


def test_validate_without_saving(demo_catalog_a, client_a):
    ok = client_a.post(
        "/api/v1/designs/validate/",
        {
            "template": "phone-stand",
            "values": {
                "printing": "sla",
                "material": "tough_resin",
                "width": 90,
                "angle": 70,
                "device_thickness": 9.5,
                "colour": "#2458d3",
            },
        },
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["valid"] is True
    assert [op["process"] for op in ok.json()["operations"]] == ["sla_printing", "painting", "packaging"]
    bad = client_a.post(
        "/api/v1/designs/validate/",
        {"template": "phone-stand", "values": {"printing": "sla"}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["values"]) == {"material", "width", "angle", "device_thickness", "colour"}
    assert Design.objects.count() == 0
