"""The header of every page: the workspaces the person may enter and the current workspace's navigation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from apps.accounts.workspaces import NavItem, Workspace, workspace_of_page, workspaces_for


@dataclass(frozen=True)
class NavLink:
    item: NavItem
    url: str
    current: str | None  # aria-current: "page", "true" (a page below it) or None


class Header:
    """Read by templates/_header.html; computed on first use, so a response that renders no header (the admin,
    an htmx fragment) costs nothing."""

    def __init__(self, request):
        self.request = request
        self.user = request.user

    @cached_property
    def workspace(self) -> Workspace | None:
        match = getattr(self.request, "resolver_match", None)
        if match is None:
            return None
        workspace = workspace_of_page(match.namespace, match.url_name or "")
        return workspace if workspace is not None and workspace.may_enter(self.user) else None

    @cached_property
    def workspaces(self) -> list[Workspace]:
        """The workspaces to switch between; none when there is only one to be in."""
        entered = workspaces_for(self.user) if self.user.is_authenticated else []
        return entered if len(entered) > 1 else []

    @cached_property
    def nav(self) -> list[NavLink]:
        if self.workspace is None:
            return []
        url_name = self.request.resolver_match.url_name or ""
        return [
            NavLink(item, item.url, item.matches(url_name))
            for item in self.workspace.nav
            if item.shown_to(self.user)
        ]


def header(request):
    return {"header": Header(request)}
