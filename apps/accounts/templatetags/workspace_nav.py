"""The header's two lists of links (templates/_header.html): the workspaces this person may enter and the current
workspace's navigation, from `header` (apps.accounts.context_processors.Header).

Tags rather than template loops: they are on every page, and the loops' ~40 variable look-ups (most of them
failing ones, such as `member` on a page without a company) cost more than the rest of the header — ~0.5 ms of a
signed-in page's ~3 ms."""

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

CURRENT_WORKSPACE = mark_safe(' aria-current="true"')


@register.simple_tag(takes_context=True)
def workspace_switcher(context) -> str:
    """The workspaces to switch between (none when there is only one to be in), the page's own one marked."""
    header = context.get("header")
    if header is None or not header.workspaces:
        return ""
    items = format_html_join(
        "",
        '<li><a href="{}"{}>{}</a></li>',
        (
            (space.url, CURRENT_WORKSPACE if space == header.page_workspace else "", space.label)
            for space in header.workspaces
        ),
    )
    return format_html(
        '<nav class="workspaces" aria-label="Workspaces">\n        <ul>\n          {}\n        </ul>\n      </nav>',
        items,
    )


@register.simple_tag(takes_context=True)
def workspace_bar(context) -> str:
    """The current workspace's navigation, the current page marked. A portal's Payouts link only for the
    company's owner (`member`, set by the portal's pages); the storefront's Cart link with the cart's count
    (`cart_summary`, read only here, so a page without that link reads no cart)."""
    header = context.get("header")
    if header is None or not header.nav:
        return ""
    member = context.get("member")
    is_owner = getattr(member, "role", None) == "owner"
    items = []
    for link in header.nav:
        if link.item.owner_of_company_only and not is_owner:
            continue
        current = format_html(' aria-current="{}"', link.current) if link.current else ""
        count = ""
        if link.item.shows_cart_count:
            cart = context.get("cart_summary")
            items_in_cart = cart.count if cart is not None else 0
            count = format_html(
                ' <span class="count" aria-label="{} item{}">{}</span>',
                items_in_cart,
                pluralize(items_in_cart),
                items_in_cart,
            )
        items.append(
            format_html(
                '\n        <li><a href="{}"{}>{}{}</a></li>', link.url, current, link.item.label, count
            )
        )
    return format_html(
        '<div class="workspace-bar">\n    <nav class="container" aria-label="{}">\n      <ul class="nav">{}\n      </ul>\n    </nav>\n  </div>',
        header.workspace.label,
        mark_safe("".join(items)),  # noqa: S308 - each item built by format_html
    )
