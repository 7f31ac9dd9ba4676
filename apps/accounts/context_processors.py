"""The header of every page: the workspaces the person may enter and the current workspace's navigation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AnonymousUser

from apps.accounts.workspaces import NavItem, Workspace, workspace_home, workspace_of_page, workspaces_for
from apps.core.networks import request_network


@dataclass(frozen=True)
class NavLink:
    item: NavItem
    url: str
    current: str | None  # aria-current: "page", "true" (a page below it) or None


def request_user(request):
    """The request's user, or the anonymous one on a page rendered before the authentication middleware ran (a
    suspended network's 503): every context processor that reads the user asks here."""
    return getattr(request, "user", None) or AnonymousUser()


class Header:
    """Read by templates/_header.html; computed on first use, so a response that renders no header (the admin,
    an htmx fragment) costs nothing."""

    def __init__(self, request):
        self.request = request
        self.user = request_user(request)

    @cached_property
    def _on_network(self) -> bool:
        return request_network(self.request) is not None

    @cached_property
    def page_workspace(self) -> Workspace | None:
        """The workspace the page belongs to, when the person may enter it (marked in the list of workspaces)."""
        match = getattr(self.request, "resolver_match", None)
        if not self._on_network or match is None:
            return None
        workspace = workspace_of_page(match.namespace, match.url_name or "")
        return workspace if workspace is not None and workspace.may_enter(self.user) else None

    @cached_property
    def workspace(self) -> Workspace | None:
        """The workspace whose navigation the page shows: its own, or on a page of none (the account page, a 404)
        the person's home workspace, so the way on is there. None on the public site."""
        if not self._on_network:
            return None
        return self.page_workspace or workspace_home(self.user)

    @cached_property
    def workspaces(self) -> list[Workspace]:
        """The workspaces to switch between; none when there is only one to be in."""
        entered = workspaces_for(self.user) if self._on_network and self.user.is_authenticated else []
        return entered if len(entered) > 1 else []

    @cached_property
    def nav(self) -> list[NavLink]:
        if self.workspace is None:
            return []
        match = self.request.resolver_match
        url_name = (match.url_name or "") if self.workspace == self.page_workspace else ""
        return [
            NavLink(item, item.url, item.matches(url_name))
            for item in self.workspace.nav
            if item.shown_to(self.user)
        ]


def header(request):
    return {"header": Header(request)}
