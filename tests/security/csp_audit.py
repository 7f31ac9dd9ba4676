"""Reads a page the way a browser enforcing our Content-Security-Policy would, and lists what it would block."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def nonce_of(response) -> str:
    (nonce,) = [
        source[len("'nonce-") : -1]
        for source in policy_of(response)["script-src"]
        if source.startswith("'nonce-")
    ]
    return nonce


class _Audit(HTMLParser):
    def __init__(self, nonce: str, script_origins: set[str]):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.script_origins = script_origins
        self.problems: list[str] = []
        self.inline_styles = 0
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)[:120]}>"
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline event handler {name}= on {where}")
            if name == "style":
                self.problems.append(f"inline style= attribute on {where}")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on {where}")
        if tag == "script":
            src = attributes.get("src")
            if src is None:
                self.inline_scripts += 1
                if attributes.get("nonce") != self.nonce:
                    self.problems.append(f"inline <script> without the nonce: {where}")
            elif (
                urlsplit(src).netloc
                and f"{urlsplit(src).scheme}://{urlsplit(src).netloc}" not in self.script_origins
            ):
                self.problems.append(f"script from a foreign origin: {where}")
        if tag == "style":
            self.inline_styles += 1
            if attributes.get("nonce") != self.nonce:
                self.problems.append(f"inline <style> without the nonce: {where}")
        if (
            tag == "link"
            and "stylesheet" in (attributes.get("rel") or "")
            and urlsplit(attributes.get("href", "")).netloc
        ):
            self.problems.append(f"stylesheet from a foreign origin: {where}")


def csp_violations(response) -> list[str]:
    """What the page's own policy would block: inline code without the nonce, handlers, style attributes."""
    policy = policy_of(response)
    script_origins = {source for source in policy.get("script-src", []) if re.match(r"https?://", source)}
    audit = _Audit(nonce_of(response), script_origins)
    audit.feed(response.content.decode())
    audit.close()
    return audit.problems
