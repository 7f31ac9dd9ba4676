"""The header's two lists of links (templates/_header.html): the workspaces this person may enter and the current
workspace's navigation, from `header` (apps.accounts.context_processors.Header).

Written in Python rather than as template loops: they are on every page, and the loops' ~40 variable look-ups
(many of them failing ones, such as `member` on a page without a company) cost ~0.5 ms of a signed-in page's
~3 ms; this costs ~20 µs. Labels and addresses are escaped here (`html.escape`, as Django's `escape`)."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

CURRENT_WORKSPACE = ' aria-current="true"'


@register.simple_tag(takes_context=True)
def workspace_switcher(context) -> str:
    """The workspaces to switch between (none when there is only one to be in), the page's own one marked."""
    header = context.get("header")
    if header is None or not header.workspaces:
        return ""
    items = "".join(
        f'<li><a href="{escape(space.url)}"{CURRENT_WORKSPACE if space == header.page_workspace else ""}>'
        f"{escape(space.label)}</a></li>"
        for space in header.workspaces
    )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<nav class="workspaces" aria-label="Workspaces">\n        <ul>\n          {items}\n        </ul>\n      </nav>'
    )


@register.simple_tag(takes_context=True)
def workspace_bar(context) -> str:
    """The current workspace's navigation, the current page marked. A portal's Payouts link only for the
    company's owner (`member`, set by the portal's pages); the storefront's Cart link with the cart's count
    (`cart_summary`, read only here, so a page without that link reads no cart)."""
    header = context.get("header")
    if header is None or not header.nav:
        return ""
    is_owner = getattr(context.get("member"), "role", None) == "owner"
    items = []
    for link in header.nav:
        if link.item.owner_of_company_only and not is_owner:
            continue
        current = f' aria-current="{link.current}"' if link.current else ""
        count = ""
        if link.item.shows_cart_count:
            cart = context.get("cart_summary")
            in_cart = int(cart.count) if cart is not None else 0
            plural = "" if in_cart == 1 else "s"
            count = f' <span class="count" aria-label="{in_cart} item{plural}">{in_cart}</span>'
        items.append(
            f'\n        <li><a href="{escape(link.url)}"{current}>{escape(link.item.label)}{count}</a></li>'
        )
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<div class="workspace-bar">\n    <nav class="container" aria-label="{escape(header.workspace.label)}">'
        f'\n      <ul class="nav">{"".join(items)}\n      </ul>\n    </nav>\n  </div>'
    )
