"""Every role at home (issue 16, "done means"): Chromium walks the main pages of every role of the demo network —
customer, supplier, carrier, designer, staff, finance and the network's owner — at 1280×800 and again at a 390×844 phone,
and the walk fails on any page that

- scrolls sideways (`document.documentElement.scrollWidth > innerWidth`),
- logs a console error (a CSP refusal, a failed script, an uncaught exception),
- shows people a raw minor-unit amount (an amount of the network's orders, statements or transfers written as
  the bare integer it is stored as, e.g. "16884" for €168.84), an ISO date or timestamp, or a process code
  (`cnc_milling`) in its visible text,
- has no workspace navigation in its header (`header nav[aria-label]` inside the workspace bar).

One browser, one context per person (its session made once, as a sign-in would make it); each page is loaded once at desktop size, checked, then
resized to the phone and checked again (media queries apply on resize; reading the sizes forces the new layout). Every problem is collected, so one run
lists them all. Phone shots of an order's plan and of the supplier's schedule, and the staff dashboard, go to
README's tour (`make tour`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db.models import Q
from django.test import Client
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page

from apps.accounts.models import User
from apps.catalog.selectors import template_list_active
from apps.matching.models import MatchingRun
from apps.orders.models import Order, TransportLeg, WorkItem
from apps.payouts.models import ProfitShareStatement, Transfer
from apps.processes.models import Process
from tests.browser.conftest import network_url, tour_shot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b")
NAVIGATION = "header .workspace-bar nav[aria-label] a"


@dataclass(frozen=True)
class Walker:
    role: str
    email: str
    paths: tuple[str, ...]


def _demo_facts(tenant) -> dict:
    """What the walk needs from the demo network: detail pages to open, and the values that must never show raw."""
    with schema_context(tenant.schema_name):
        customers = Order.objects.filter(customer__email="customer@demo.localhost", work_items__isnull=False)
        # An order on its way (its plan ahead of it) shows the most; any planned one will do.
        customer_order = (
            customers.filter(status__in=("planned", "in_production"))
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        ) or customers.order_by("-pk").values_list("pk", flat=True).first()
        job = (
            WorkItem.objects.filter(asset_owner__members__user__email="supplier@demo.localhost")
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        leg = (
            TransportLeg.objects.filter(carrier__members__user__email="carrier@demo.localhost")
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        run = MatchingRun.objects.exclude(explanation=[]).order_by("-pk").values_list("pk", flat=True).first()
        money_order = ProfitShareStatement.objects.order_by("-pk").values_list("order_id", flat=True).first()
        amounts = set(Order.objects.values_list("total_minor", flat=True))
        amounts |= set(ProfitShareStatement.objects.values_list("amount_minor", flat=True))
        amounts |= set(ProfitShareStatement.objects.values_list("cost_minor", flat=True))
        amounts |= set(Transfer.objects.values_list("amount_minor", flat=True))
        amounts |= set(WorkItem.objects.values_list("cost_minor", flat=True))
        amounts |= set(TransportLeg.objects.values_list("cost_minor", flat=True))
        explained = MatchingRun.objects.filter(pk=run).values_list("explanation", flat=True).first() or []
        amounts |= {
            c.get("cost_minor") for row in explained for c in row.get("candidates", ()) if c.get("cost_minor")
        }
        codes = set(Process.objects.filter(Q(code__contains="_")).values_list("code", flat=True))
        template = template_list_active().order_by("pk").values_list("slug", flat=True).first()
    # Four digits and more (a smaller number is as likely a quantity), never a year.
    raw_amounts = sorted(str(a) for a in amounts if a and abs(a) >= 1000 and not 1900 <= abs(a) <= 2100)
    return {
        "order": customer_order,
        "job": job,
        "leg": leg,
        "run": run,
        "money_order": money_order,
        "template": template,
        "raw_money": re.compile(r"(?<![\w.,/-])(" + "|".join(raw_amounts) + r")(?![\w.,])")
        if raw_amounts
        else None,
        "codes": re.compile(r"\b(" + "|".join(sorted(codes)) + r")\b") if codes else None,
    }


def _walkers(facts: dict) -> list[Walker]:
    detail = lambda path, key: (path.format(facts[key]),)  # noqa: E731
    return [
        Walker(
            "customer",
            "customer@demo.localhost",
            (
                "/",
                "/catalog/",
                *detail("/catalog/{}/", "template"),
                "/designs/",
                "/cart/",
                "/orders/",
                *detail("/orders/{}/", "order"),
            ),
        ),
        Walker(
            "supplier",
            "supplier@demo.localhost",
            (
                "/portal/",
                "/portal/jobs/",
                *detail("/portal/jobs/{}/", "job"),
                "/portal/resources/",
                "/portal/earnings/",
                "/portal/members/",
            ),
        ),
        Walker(
            "carrier",
            "carrier@demo.localhost",
            (
                "/portal/carrier/",
                "/portal/carrier/legs/",
                *detail("/portal/carrier/legs/{}/", "leg"),
                "/portal/carrier/earnings/",
            ),
        ),
        Walker(
            "designer",
            "designer@demo.localhost",
            ("/designer/", "/designer/payouts/", "/designers/studio-lotte/"),
        ),
        Walker(
            "staff and owner",
            "staff@demo.localhost",
            (
                "/backoffice/",
                "/backoffice/matching/",
                *detail("/backoffice/matching/runs/{}/", "run"),
                "/backoffice/setup/",  # the owner's own pages
                "/backoffice/exports/",
            ),
        ),
        Walker(
            "finance",
            "finance@demo.localhost",
            (
                "/backoffice/finance/",
                "/backoffice/finance/statements/",
                *detail("/backoffice/finance/orders/{}/", "money_order"),
            ),
        ),
    ]


LOOK = """selector => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    navigation: document.querySelectorAll(selector).length,
    text: document.body.innerText,
})"""


def _session_cookie(tenant, email: str, base: str) -> dict:
    """A signed-in session for the person, stored in the network's schema as a sign-in would (the journeys
    sign in through the form; here the time goes to the pages walked)."""
    with schema_context(tenant.schema_name):
        client = Client()
        client.force_login(User.objects.get(email=email))
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base}


def _problems_on(page: Page, facts: dict, where: str, errors: list[str]) -> list[str]:
    """Everything a page is checked for, read in one round trip to the browser."""
    look = page.evaluate(LOOK, NAVIGATION)
    found = []
    if look["overflow"] > 0:
        found.append(f"{where}: scrolls sideways by {look['overflow']} px")
    if look["navigation"] == 0:
        found.append(f"{where}: no workspace navigation in the header")
    text = look["text"]
    if match := ISO_DATE.search(text):
        found.append(f"{where}: ISO date in the text: {match.group(0)!r}")
    if facts["raw_money"] and (match := facts["raw_money"].search(text)):
        found.append(f"{where}: raw minor-unit amount in the text: {match.group(0)!r}")
    if facts["codes"] and (match := facts["codes"].search(text)):
        found.append(f"{where}: process code in the text: {match.group(0)!r}")
    found.extend(f"{where}: console error: {error}" for error in errors)
    errors.clear()
    return found


# README's tour: (path pattern, viewport, what to scroll to, shot name).
TOUR = (
    (re.compile(r"^/orders/\d+/$"), "phone", "#plan-title", "phone-order"),
    (re.compile(r"^/portal/$"), "phone", "#schedule-title", "phone-supplier-schedule"),
    (re.compile(r"^/backoffice/$"), "desktop", "h1", "staff-dashboard"),
)


def _tour_shots(page: Page, path: str, viewport: str) -> None:
    for pattern, size, anchor, name in TOUR:
        if size == viewport and pattern.match(path):
            page.locator(anchor).first.scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -8)")
            tour_shot(page, name)
            page.evaluate("window.scrollTo(0, 0)")


def test_every_main_page_of_every_role_reads_like_a_product_on_desktop_and_phone(
    browser: Browser, platform_server, demo_network, django_db_blocker
):
    base = network_url(platform_server, demo_network.slug)
    with django_db_blocker.unblock():
        facts = _demo_facts(demo_network)
    # A check with nothing to look for, or a detail page with nothing to open, would pass by walking less.
    missing = [key for key, value in facts.items() if not value]
    assert not missing, f"the demo network has nothing for {missing}"
    problems: list[str] = []
    walked = 0
    for walker in _walkers(facts):
        context = browser.new_context(viewport=DESKTOP, locale="en-GB")
        with django_db_blocker.unblock():
            context.add_cookies([_session_cookie(demo_network, walker.email, base)])
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console", lambda message, errors=errors: message.type == "error" and errors.append(message.text)
        )
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        for path in walker.paths:
            page.set_viewport_size(DESKTOP)
            response = page.goto(f"{base}{path}", wait_until="load")
            if response is None or response.status != 200:
                problems.append(
                    f"{walker.role} {path}: answered {response.status if response else 'nothing'}"
                )
                continue
            problems += _problems_on(page, facts, f"{walker.role} {path} at 1280", errors)
            _tour_shots(page, path, "desktop")
            page.set_viewport_size(PHONE)  # the next read forces the layout at the phone's width
            problems += _problems_on(page, facts, f"{walker.role} {path} at 390", errors)
            _tour_shots(page, path, "phone")
            walked += 1
        context.close()
    assert not problems, "\n".join(problems)
    assert walked == sum(len(walker.paths) for walker in _walkers(facts)), f"only {walked} pages walked"
