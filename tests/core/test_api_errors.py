"""Bad input a stranger can send to the API is a 4xx naming what is wrong, never a 500; and a service's refusal
reaches the client (or the form on a page) through one mapping."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from apps.catalog.validation import InvalidConfiguration
from apps.core.errors import Conflict, form_add_service_error
from apps.core.jsonlimits import MAX_JSON_DEPTH, BoundedJSONFormField, JSONTooDeep, json_loads_bounded
from apps.orders.status import WorkItemWaiting

pytestmark = pytest.mark.django_db

DEEP = 50_000


def test_deeply_nested_json_is_a_400_not_a_recursion_error(client_a):
    """50,000 nested arrays blew Python's stack in json.load (RecursionError → 500)."""
    response = client_a.post(
        "/api/v1/designs/validate/", "[" * DEEP + "]" * DEEP, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


def test_a_body_without_a_content_type_is_a_415_that_says_which_header_to_send(client_a):
    """The API fuzzer sent bytes with no Content-Type: DRF refused with 415 and 'Unsupported media type ""', a
    status the schema did not list. The schema documents 415 on every operation that reads a body, and the
    answer says what to send."""
    response = client_a.generic("POST", "/api/v1/designs/validate/", b" w\xf0\x94\x94\x9c", content_type="")
    assert response.status_code == 415
    assert "Content-Type" in response.json()["detail"]
    schema = client_a.get("/api/schema/", {"format": "json"}).json()
    validate = schema["paths"]["/api/v1/designs/validate/"]["post"]["responses"]
    assert "Content-Type" in validate["415"]["description"]
    assert "415" not in schema["paths"]["/api/v1/designs/"]["get"]["responses"]  # no body, no 415


def test_json_nested_just_past_the_limit_is_refused_and_at_the_limit_accepted(client_a):
    """Deep but parseable documents are refused too: nothing downstream may recurse over them."""
    at_limit = (
        '{"template": "x", "values": {"a": ' + "[" * (MAX_JSON_DEPTH - 2) + "]" * (MAX_JSON_DEPTH - 2) + "}}"
    )
    too_deep = (
        '{"template": "x", "values": {"a": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}}"
    )
    accepted = client_a.post("/api/v1/designs/validate/", at_limit, content_type="application/json")
    refused = client_a.post("/api/v1/designs/validate/", too_deep, content_type="application/json")
    assert accepted.status_code == 400 and "template" in accepted.json()  # parsed; the unknown template named
    assert refused.status_code == 400 and "nested deeper" in refused.json()["detail"]


def test_bounded_loads_refuses_deep_documents_with_a_value_error():
    with pytest.raises(JSONTooDeep):
        json_loads_bounded("[" * DEEP + "]" * DEEP)
    with pytest.raises(ValueError):
        json_loads_bounded('{"a": ' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1))
    assert json_loads_bounded('{"a": [1, {"b": 2}]}') == {"a": [1, {"b": 2}]}


@pytest.mark.parametrize("limit", ["99999999999999999999", "1000000"])
def test_a_huge_limit_is_capped_not_a_database_error(client_a, limit):
    """The limit reached PostgreSQL as an out-of-range LIMIT (DataError → 500)."""
    response = client_a.get("/api/v1/catalog/templates/", {"limit": limit})
    assert response.status_code == 200
    assert response.json()["next"] is None or f"limit={limit}" not in response.json()["next"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"offset": "99999999999999999999"}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_out_of_range_paging_is_a_400_naming_the_parameter(client_a, params, field):
    response = client_a.get("/api/v1/catalog/templates/", params)
    assert response.status_code == 400
    assert field in response.json()


class _Form(forms.Form):
    name = forms.CharField()
    amount = forms.IntegerField()


def _bound() -> _Form:
    form = _Form({"name": "x", "amount": 1})
    assert form.is_valid()
    return form


def test_form_helper_puts_field_errors_next_to_their_field_and_the_rest_above_the_form():
    form = _bound()
    error = ValidationError({"name": ["Taken."], "amount_minor": ["Too much."], "elsewhere": ["Nope."]})
    form_add_service_error(form, error, field_map={"amount_minor": "amount"})
    assert form.errors["name"] == ["Taken."]
    assert form.errors["amount"] == ["Too much."]
    assert form.non_field_errors() == ["Nope."]


def test_form_helper_takes_errors_without_fields_conflicts_and_nested_errors():
    form = _bound()
    form_add_service_error(form, ValidationError("Not today."))
    form_add_service_error(form, WorkItemWaiting(["the delivery from Carrier X"]))
    form_add_service_error(form, InvalidConfiguration({"width": ["Must be at most 2400 mm."]}))
    assert form.non_field_errors() == [
        "Not today.",
        "Waiting for the delivery from Carrier X.",
        "width: Must be at most 2400 mm.",
    ]


def test_a_conflict_carries_what_the_client_needs_to_act():
    waiting = WorkItemWaiting(["'Legs' (in progress)"], current="accepted")
    assert isinstance(waiting, Conflict)
    assert waiting.conflict_details() == {"status": "accepted", "waiting_for": ["'Legs' (in progress)"]}


def test_the_admins_json_fields_refuse_deep_documents_as_a_field_error():
    """Django's JSONField form field recursed out of stack on a deep document, also when re-rendering it."""

    class ProcessForm(forms.Form):
        materials = BoundedJSONFormField()

    deep = "[" * DEEP + "]" * DEEP
    form = ProcessForm({"materials": deep})
    assert not form.is_valid()
    assert "nested deeper" in form.errors["materials"][0]
    assert deep[:10] in str(form["materials"])  # shown again as typed
    assert ProcessForm({"materials": '["oak", "ash"]'}).is_valid()
