"""Correctly signed but malformed webhook bodies (issue 13 item 12): each answers 400, is logged, and stores
nothing. The bodies are signed with the network's own webhook secret exactly as Stripe signs them
(HMAC-SHA256 of `<timestamp>.<body>`), so only the body's shape can be what is refused."""

import json
import logging
import uuid

import pytest

from tests.payouts.test_webhooks import _event, _post, _secret_of, _signed, _stored

pytestmark = pytest.mark.django_db


def _with(**changes) -> bytes:
    event = _event()
    for key, value in changes.items():
        if value is _DROP:
            event.pop(key)
        else:
            event[key] = value
    return json.dumps(event).encode()


_DROP = object()
DEPTH = 50_000


def _deep(depth: int) -> bytes:
    """An event whose data.object nests `depth` objects deep (built as text: json.dumps would recurse)."""
    event = json.dumps(_event()).encode()
    nested = b'{"a":' * depth + b"1" + b"}" * depth
    return event.replace(b'"data": {', b'"deep": ' + nested + b', "data": {', 1)


MALFORMED = {
    "json_array": lambda: json.dumps([_event()]).encode(),
    "json_string": lambda: b'"evt_1"',
    "deep_nesting_50000": lambda: _deep(DEPTH),
    "deep_nesting_past_the_limit": lambda: _deep(200),
    "id_of_300_characters": lambda: _with(id="evt_" + "x" * 296),
    "type_of_300_characters": lambda: _with(type="charge." + "x" * 293),
    "nul_in_a_string": lambda: _with(data={"object": {"id": "ch_1", "description": "a\u0000b"}}),
    "nul_in_a_key": lambda: _with(data={"object": {"id": "ch_1", "a\u0000": 1}}),
    "nul_in_the_id": lambda: _with(id="evt_\u0000"),
    "lone_surrogate": lambda: _with(id="x").replace(b'"x"', b'"\\ud800"'),
    "missing_type": lambda: _with(type=_DROP),
    "missing_id": lambda: _with(id=_DROP),
    "empty_id": lambda: _with(id=""),
    "id_not_a_string": lambda: _with(id={"evt": 1}),
    "type_not_a_string": lambda: _with(type=["charge.succeeded"]),
    "missing_data": lambda: _with(data=_DROP),
    "data_not_an_object": lambda: _with(data=[1, 2]),
    "data_a_string": lambda: _with(data="x"),
    "data_object_not_an_object": lambda: _with(data={"object": "ch_1"}),
    "account_not_a_string": lambda: _with(account=12),
    "account_of_300_characters": lambda: _with(account="acct_" + "x" * 295),
    "created_not_a_number": lambda: _with(created="yesterday"),
    "created_past_bigint": lambda: _with(created=2**70),
    "created_infinite": lambda: _with(id="x").replace(b'"created": ', b'"created": 1e999, "was": '),
    "nan_anywhere": lambda: _with(id="x").replace(b'"livemode": false', b'"livemode": NaN'),
    "not_utf8": lambda: b'{"id": "evt_\xff", "type": "x", "data": {"object": {}}}',
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_signed_malformed_body_is_refused_logged_and_stores_nothing(client_a, tenant_a, caplog, case):
    payload = MALFORMED[case]()
    before = _stored(tenant_a)
    with caplog.at_level(logging.WARNING, logger="apps.payouts.webhooks.inbox"):
        response = _post(client_a, payload, _signed(payload, _secret_of(tenant_a)))
    assert response.status_code == 400, response.content[:300]
    assert _stored(tenant_a) == before
    refused = [r for r in caplog.records if r.name == "apps.payouts.webhooks.inbox"]
    assert refused and refused[0].levelno == logging.WARNING
    assert tenant_a.schema_name in refused[0].getMessage()


def test_the_refusal_says_what_is_wrong_without_echoing_the_body(client_a, tenant_a):
    payload = _with(id="evt_" + "x" * 296)
    response = _post(client_a, payload, _signed(payload, _secret_of(tenant_a)))
    assert response.status_code == 400
    assert b"id" in response.content and b"x" * 50 not in response.content


@pytest.mark.parametrize(
    "event",
    [
        pytest.param({"account": None}, id="account_null"),
        pytest.param({"created": 1}, id="created_small"),
        pytest.param({"id": "evt_" + "y" * 251}, id="id_of_255_characters"),
    ],
)
def test_unusual_but_valid_bodies_are_still_accepted(client_a, tenant_a, event):
    event = {**_event(), **event}
    event["id"] = event["id"] if event["id"].startswith("evt_y") else f"evt_{uuid.uuid4().hex}"
    payload = json.dumps(event).encode()
    response = _post(client_a, payload, _signed(payload, _secret_of(tenant_a)))
    assert response.status_code == 200, response.content[:300]
    assert response.json()["id"] == event["id"]
