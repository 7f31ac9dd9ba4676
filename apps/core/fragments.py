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
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

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
