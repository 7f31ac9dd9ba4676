"""Fragments kept in the cache under a digest of what they show (apps/core/fragments.py): a change is a new key, so
it shows at once; an entry written on one network is never read on another; the time zone dates are shown in is
part of the key."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.http import Http404
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.backoffice.charts import hbar_chart
from apps.core.fragments import (
    fragment_key,
    fragment_render,
    fragments_render,
    page_body_cached,
    page_body_get,
)

pytestmark = pytest.mark.django_db

HBAR = "backoffice/_hbar.html"


def _chart(title: str, count: int = 3):
    return hbar_chart(title, [("Paid", count, str(count)), ("Planned", 1, "1")])


def _render(chart) -> str:
    return fragment_render(HBAR, content=chart, context={"chart": chart})


def test_a_change_in_what_the_fragment_shows_renders_it_anew(tenant_a):
    with schema_context(tenant_a.schema_name):
        assert "Paid: 3" in _render(_chart("Orders"))
        changed = _render(_chart("Orders", count=4))
    assert "Paid: 4" in changed and "Paid: 3" not in changed


def test_the_same_content_is_read_from_the_cache(tenant_a):
    chart = _chart("Cached")
    with schema_context(tenant_a.schema_name):
        _render(chart)
        cache.set(fragment_key(HBAR, chart), "<p>from the cache</p>")
        assert _render(chart) == "<p>from the cache</p>"


def test_an_entry_written_on_one_network_is_not_read_on_another(tenant_a, tenant_b):
    chart = _chart("Alpha's orders")
    with schema_context(tenant_a.schema_name):
        _render(chart)
        key = fragment_key(HBAR, chart)
        assert cache.get(key) is not None
        assert cache.make_key(key).startswith(f"{tenant_a.schema_name}:")
    with schema_context(tenant_b.schema_name):
        assert cache.get(key) is None


def test_the_time_zone_the_page_shows_dates_in_is_part_of_the_key(tenant_a):
    moment = dt.datetime(2026, 12, 7, 13, 30, tzinfo=dt.UTC)
    with schema_context(tenant_a.schema_name):
        with timezone.override(ZoneInfo("Europe/Amsterdam")):
            amsterdam = fragment_key(HBAR, moment)
        with timezone.override(ZoneInfo("Asia/Tokyo")):
            tokyo = fragment_key(HBAR, moment)
    assert amsterdam != tokyo


def test_several_fragments_read_together_each_show_their_own_content(tenant_a):
    one, two = _chart("One", count=5), _chart("Two", count=6)
    with schema_context(tenant_a.schema_name):
        _render(one)  # cached before; the other is rendered now
        first, second = fragments_render([(HBAR, one, {"chart": one}), (HBAR, two, {"chart": two})])
        assert "Paid: 5" in first and "Paid: 6" in second
        assert cache.get(fragment_key(HBAR, two)) == str(second)


# --- whole page bodies (page_body_cached) ----------------------------------------------------------------------


def _body_key_of():
    page = uuid.uuid4().hex
    return lambda fingerprint: f"test-body:{page}:{fingerprint}"


def _never():
    raise AssertionError("a kept body is served without reading or drawing anything more")


def test_a_body_is_filed_under_the_fingerprint_its_own_drawing_read(tenant_a):
    """The rows changed between the request's fingerprint and the drawing: the body shows the newer rows, so it
    must be filed under theirs, never under the older fingerprint a later request could still read."""
    key_of, now = _body_key_of(), timezone.now()

    def draw():
        return "<p>newer rows</p>", None

    with schema_context(tenant_a.schema_name):
        body = page_body_cached(
            key_of=key_of, fingerprint="older", read_fingerprint=lambda: "newer", draw=draw, now=now
        )
        assert body == "<p>newer rows</p>"
        assert page_body_get(key_of("older"), now=now) is None
        again = page_body_cached(
            key_of=key_of, fingerprint="newer", read_fingerprint=_never, draw=_never, now=now
        )
        assert again == "<p>newer rows</p>"


def test_a_body_that_time_alone_changes_is_drawn_again_from_that_moment(tenant_a):
    key_of, now = _body_key_of(), timezone.now()
    changes_at = now + dt.timedelta(minutes=5)
    with schema_context(tenant_a.schema_name):
        page_body_cached(
            key_of=key_of,
            fingerprint="f",
            read_fingerprint=lambda: "f",
            draw=lambda: ("before", changes_at),
            now=now,
        )
        kept = page_body_cached(
            key_of=key_of,
            fingerprint="f",
            read_fingerprint=_never,
            draw=_never,
            now=changes_at - dt.timedelta(seconds=1),
        )
        later = page_body_cached(
            key_of=key_of,
            fingerprint="f",
            read_fingerprint=lambda: "f",
            draw=lambda: ("after", None),
            now=changes_at,
        )
    assert (kept, later) == ("before", "after")


def test_a_main_row_gone_before_the_drawing_is_a_404_and_nothing_is_kept(tenant_a):
    key_of, now = _body_key_of(), timezone.now()
    with schema_context(tenant_a.schema_name), pytest.raises(Http404):
        page_body_cached(key_of=key_of, fingerprint="f", read_fingerprint=lambda: None, draw=_never, now=now)
    with schema_context(tenant_a.schema_name):
        assert page_body_get(key_of("f"), now=now) is None
