"""Page fragments kept in the cache under a digest of everything they show.

A fragment that is a pure function of plain values (a plan's chart, a table of rows already read) is rendered once
and kept under `<schema>:…:fragment:<template>:<template digest>:<content digest>`: the content digest covers every
value the template reads, so a change is a new key and shows on the very next request, with nothing to invalidate;
the template's own digest makes a deploy that changes the markup miss too. Keys go through the tenant-aware key
function (settings.CACHES, django_tenants.cache.make_key), so one network never reads another's entries; within a
network a key is reached only by a caller who already holds every value the fragment shows.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import Http404
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from apps.core.prepared import fetchone_prepared

FRAGMENT_TIMEOUT_S = 24 * 3600  # content-keyed: an entry is never wrong, only unused after a change


def _template_digest_uncached(template_name: str) -> str:
    source = get_template(template_name).template.source
    return hashlib.sha256(source.encode()).hexdigest()[:16]


_template_digest_cached = lru_cache(maxsize=256)(_template_digest_uncached)


def _template_digest(template_name: str) -> str:
    # Under DEBUG a template may be edited while the process runs: read it every time.
    return (_template_digest_uncached if settings.DEBUG else _template_digest_cached)(template_name)


def fragment_key(template_name: str, content: object) -> str:
    """`content`'s repr must name every value the template reads (frozen dataclasses, tuples of plain values). The
    active time zone and language are part of the key: date filters in the template read them."""
    shown = (content, timezone.get_current_timezone_name(), translation.get_language())
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"fragment:{template_name}:{_template_digest(template_name)}:{digest}"


def fragments_render(fragments: list[tuple[str, object, dict]]) -> list[SafeString]:
    """Several (template_name, content, context) fragments as fragment_render renders each, with one cache
    round trip for all of them (and one more to keep those that had to be rendered)."""
    keys = [fragment_key(template_name, content) for template_name, content, _ in fragments]
    found = cache.get_many(keys)
    rendered = {}
    for key, (template_name, _, context) in zip(keys, fragments, strict=True):
        if key not in found and key not in rendered:
            rendered[key] = render_to_string(template_name, context)
    if rendered:
        cache.set_many(rendered, FRAGMENT_TIMEOUT_S)
    found.update(rendered)
    return [mark_safe(found[key]) for key in keys]  # noqa: S308 - our own templates' output, autoescaped


def fragment_render(template_name: str, *, content: object, context: dict) -> SafeString:
    """`template_name` rendered with `context` (which holds nothing that `content` does not), from the cache when
    the same content was rendered before. Rendered without a request: the fragment has no CSRF token, user or
    per-request value; it may only show what `content` holds."""
    return fragments_render([(template_name, content, context)])[0]


# --- whole page bodies, keyed by a fingerprint PostgreSQL computes of the rows they show ----------------------
#
# A page whose body is a function of some rows (an order with its lines, jobs, legs…) reads, in the statement that
# finds its main row, a SHA-256 fingerprint of every row the body shows (`rows_fingerprint_sql`): any change to any
# of them, by whatever path it was written (a service, a queryset update(), the admin, a task), is a new fingerprint
# and so a new key. A repeat view is then that one statement and one cache read; nothing is ever invalidated.
#
# What time alone changes (a "now" line, a deadline passing) is not in the rows: the body is kept with the first
# moment it may read differently (`valid_until`) and drawn again from then on. A value that differs per request
# (the CSRF token) is left as a slot in the kept body and filled in per response (`csrf_fill`).


def table_sql(model) -> str:
    """`model`'s table, quoted, for the fingerprint statements we write ourselves (unqualified: the request's
    network's schema, as with the ORM)."""
    return connection.ops.quote_name(model._meta.db_table)


def sha256_hex_sql(text_sql: str) -> str:
    """The SQL expression for the SHA-256 (hex) of the text `text_sql` evaluates to: what every content fingerprint
    the database computes is made of."""
    return f"encode(sha256(convert_to({text_sql}, 'UTF8')), 'hex')"


def rows_fingerprint_sql(sections: list[tuple[str, str, str]]) -> str:
    """A SQL expression: the SHA-256 (hex) over `sections`, each (row text expression, FROM … WHERE …, ORDER BY
    expression): a correlated subquery may name the outer query's row; an empty FROM hashes the outer row's text.
    Each row is hashed on its own, so no text inside a row can make two different sets of rows read alike. Callers
    pass our own SQL, never input."""
    parts = []
    for index, (text_sql, source_sql, order_sql) in enumerate(sections):
        if (
            not source_sql
        ):  # the outer row itself (an aggregate over only outer columns would group the outer query)
            parts.append(f"'{index}:' || {sha256_hex_sql(text_sql)}")
            continue
        parts.append(
            f"'{index}:' || coalesce((SELECT string_agg({sha256_hex_sql(text_sql)}, ',' ORDER BY {order_sql}) "
            f"{source_sql}), '')"
        )
    return sha256_hex_sql(" || '|' || ".join(parts))


def fingerprint_select(statement: str, params) -> str | None:
    """The first column of `statement`'s first row (a fingerprint), or None when it finds no row (no such order
    for this reader: the caller answers 404). Prepared: a fingerprint statement is long and runs on every view of
    a kept page, and PostgreSQL planned it for longer than it ran (apps/core/prepared.py)."""
    row = fetchone_prepared(statement, params)
    return row[0] if row else None


@contextmanager
def one_snapshot():
    """The reads inside see the database as of one moment (REPEATABLE READ), so a body drawn on a miss is filed
    under the fingerprint of exactly the rows it was drawn from, even while others write. The driver begins the
    transaction with that level (psycopg's `isolation_level`: no statement of its own). Inside a caller's
    transaction its snapshot rules instead (an isolation level can only be chosen before a transaction reads)."""
    if connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    previous = driver.isolation_level
    driver.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with transaction.atomic():
            yield
    finally:
        driver.isolation_level = previous


def page_body_key(name: str, *, templates: tuple[str, ...], content: object) -> str:
    """The key of a page body drawn from `templates` (their sources are in the key, so a deploy that changes the
    markup misses) with `content` (whose repr names whatever decides the body: the page's owner, its main row's
    id, the rows' fingerprint, which part of the page) in the active time zone and language."""
    shown = (content, timezone.get_current_timezone_name(), translation.get_language())
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    sources = ",".join(_template_digest(template_name) for template_name in templates)
    return f"page-body:{name}:{hashlib.sha256(sources.encode()).hexdigest()[:16]}:{digest}"


def page_body_get(key: str, *, now: datetime) -> SafeString | None:
    """The body kept under `key` while it still holds at `now`, else None."""
    kept = cache.get(key)
    if kept is None:
        return None
    valid_until, html = kept
    if valid_until is not None and now.timestamp() >= valid_until:
        return None
    return mark_safe(html)  # noqa: S308 - our own templates' output, autoescaped


def page_body_set(key: str, html: str, *, valid_until: datetime | None) -> None:
    """Keep `html` under `key` until `valid_until` (None: until its rows change). The cache lets go of it then
    too: page_body_get never serves it after that, and a body drawn as of the minute would otherwise hold memory
    for a day."""
    timeout = FRAGMENT_TIMEOUT_S
    if valid_until is not None:
        timeout = max(
            1, min(FRAGMENT_TIMEOUT_S, math.ceil((valid_until - timezone.now()).total_seconds()) + 1)
        )
    kept = (valid_until.timestamp() if valid_until is not None else None, str(html))
    cache.set(key, kept, timeout)


def page_body_cached(
    *,
    key_of: Callable[[str], str],
    fingerprint: str,
    read_fingerprint: Callable[[], str | None],
    draw: Callable[[], tuple[str, datetime | None]],
    now: datetime,
) -> SafeString:
    """The page body kept under `key_of(fingerprint)` while it holds at `now`; else `draw()` (its html and the
    first moment it may read differently, None: only when its rows change), filed under the fingerprint read in
    the drawing's own snapshot, so a write landing meanwhile never files newer rows under an older fingerprint.
    A main row gone in between (`read_fingerprint()` is None) is a 404, as it would be on the next request."""
    body = page_body_get(key_of(fingerprint), now=now)
    if body is not None:
        return body
    with one_snapshot():
        drawn_fingerprint = read_fingerprint()
        if drawn_fingerprint is None:
            raise Http404("Not found.")
        html, valid_until = draw()
    page_body_set(key_of(drawn_fingerprint), html, valid_until=valid_until)
    return mark_safe(html)  # noqa: S308 - our own templates' output, autoescaped


# The {% csrf_token %} tag's output when the body is drawn with CSRF_SLOT as the token. User text in a body is
# escaped, so it can never contain this element; the slot is replaced whole.
CSRF_SLOT = "csrf-slot"
_CSRF_SLOT_HTML = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_SLOT}">'


def csrf_fill(html: str, request) -> SafeString:
    """`html` (drawn with {"csrf_token": CSRF_SLOT}) with this request's token in each form."""
    if _CSRF_SLOT_HTML not in html:
        return mark_safe(html)  # noqa: S308 - as above
    token = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
    return mark_safe(html.replace(_CSRF_SLOT_HTML, token))  # noqa: S308 - as above
