"""Every log line of a request carries its id (the caller's X-Request-ID when sane, else a new one, answered back);
a task logs the id of the request that enqueued it; the development server's access log leaves out probes that
answered."""

from __future__ import annotations

import logging

import pytest
from celery import signals
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.tasks import clear_expired_sessions
from apps.core.logs import REQUEST_ID, NetworkFilter, QuietProbesFilter

pytestmark = pytest.mark.django_db


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(NetworkFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def request_log():
    handler = _Records()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def test_a_requests_log_lines_carry_the_callers_id_and_its_network(tenant_a, request_log):
    response = Client(HTTP_HOST="alpha.localhost").get("/no-such-page/", HTTP_X_REQUEST_ID="lb-7f3a.2")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a.2"
    [record] = [record for record in request_log if "no-such-page" in record.getMessage()]
    assert record.request_id == "lb-7f3a.2"
    assert record.network == tenant_a.schema_name
    assert REQUEST_ID.get() == "-"  # nothing leaks into what this thread logs next


@pytest.mark.parametrize("sent", [None, "two\nlines", "x" * 65, "<script>"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(tenant_a, sent):
    headers = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}
    first = Client(HTTP_HOST="alpha.localhost").get("/catalog/", **headers)["X-Request-ID"]
    second = Client(HTTP_HOST="alpha.localhost").get("/catalog/", **headers)["X-Request-ID"]
    assert len(first) == 32 and first != second and first != sent


def test_a_task_logs_the_id_of_the_request_that_enqueued_it(tenant_a, private_broker):
    token = REQUEST_ID.set("req-42")
    try:
        with schema_context(tenant_a.schema_name):
            clear_expired_sessions.delay()
    finally:
        REQUEST_ID.reset(token)
    [message] = private_broker.queued()
    assert message["headers"]["request_id"] == "req-42"

    seen = []

    def observe(**_):
        seen.append(REQUEST_ID.get())

    signals.task_prerun.connect(observe, weak=False)  # after the logging receiver: sees what it bound
    try:
        with schema_context(tenant_a.schema_name):
            clear_expired_sessions.apply(headers={"request_id": "req-42"}, throw=True)
            own = clear_expired_sessions.apply(throw=True)  # enqueued by no request (beat): its own task id
    finally:
        signals.task_prerun.disconnect(observe)
    assert seen == ["req-42", own.id]
    assert REQUEST_ID.get() == "-"


@pytest.mark.parametrize(
    ("request_line", "status", "logged"),
    [
        ("GET /healthz HTTP/1.1", "200", False),
        ("GET /metrics HTTP/1.1", "200", False),
        ("GET /readyz HTTP/1.1", "503", True),
        ("GET /healthz/extra HTTP/1.1", "404", True),
        ("GET /catalog/ HTTP/1.1", "200", True),
    ],
)
def test_the_development_servers_access_log_leaves_out_probes_that_answered(request_line, status, logged):
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s', (request_line, status, "15"), None
    )
    assert QuietProbesFilter().filter(record) is logged
