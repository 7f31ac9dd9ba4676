"""Account links (``/v1/account_links``) and the local page they point to.

The link's ``url`` is a page on this server standing in for Stripe's hosted onboarding: GET shows
a "Complete onboarding" button; POSTing it completes the account's onboarding and redirects (302)
to ``return_url``. Like Stripe's, links are single-use and expire after five minutes: a used or
expired link (or the page's "Leave" button) redirects to ``refresh_url``.
"""

import html
import secrets
from dataclasses import dataclass

from aiohttp import web

from . import clock
from .api import api_route
from .connect import complete_onboarding, find_any_account, get_account
from .params import Params
from .state import on_reset

LINK_LIFETIME_SECONDS = 300


@dataclass
class _Link:
    account: str
    refresh_url: str
    return_url: str
    expires_at: int
    used: bool = False

    @property
    def usable(self) -> bool:
        return not self.used and clock.now() < self.expires_at


_links: dict[str, _Link] = {}
on_reset(_links.clear)


@api_route
def create_account_link(request, params):
    p = Params(params)
    account = get_account(p.string("account", required=True), param="account", status=400)
    refresh_url = p.string("refresh_url", required=True)
    return_url = p.string("return_url", required=True)
    p.string("type", required=True, choices=("account_onboarding", "account_update"))
    p.string("collect")
    p.mapping("collection_options")
    p.done()
    now = clock.now()
    token = secrets.token_urlsafe(16)
    _links[token] = _Link(account.id, refresh_url, return_url, now + LINK_LIFETIME_SECONDS)
    return {
        "object": "account_link",
        "created": now,
        "expires_at": now + LINK_LIFETIME_SECONDS,
        "url": f"{request.scheme}://{request.host}/connect/onboarding/{token}",
    }


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local Stripe onboarding</title></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 3rem auto">
<h1>Local Stripe onboarding</h1>
<p>Connected account <code>{account}</code> ({email}). This page stands in for Stripe's hosted onboarding.</p>
<form method="post">
<button type="submit" name="action" value="complete">Complete onboarding</button>
<button type="submit" name="action" value="refresh">Leave (back to refresh_url)</button>
</form>
</body></html>
"""


def _link_for(request: web.Request) -> _Link:
    link = _links.get(request.match_info["token"])
    if link is None:
        raise web.HTTPNotFound(text="Unknown onboarding link.")
    if not link.usable or find_any_account(link.account) is None:
        raise web.HTTPFound(link.refresh_url)  # Stripe sends used/expired links to refresh_url
    return link


async def onboarding_page(request: web.Request) -> web.Response:
    link = _link_for(request)
    account = find_any_account(link.account)
    text = _PAGE.format(account=html.escape(account.id), email=html.escape(account.email or "no email"))
    return web.Response(text=text, content_type="text/html")


async def onboarding_submit(request: web.Request) -> web.Response:
    link = _link_for(request)
    form = await request.post()
    link.used = True
    if form.get("action") == "refresh":
        raise web.HTTPFound(link.refresh_url)
    complete_onboarding(find_any_account(link.account))
    raise web.HTTPFound(link.return_url)


ROUTES = [
    ("POST", "/v1/account_links", create_account_link),
    ("GET", "/connect/onboarding/{token}", onboarding_page),
    ("POST", "/connect/onboarding/{token}", onboarding_submit),
]
