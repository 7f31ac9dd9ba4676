"""Reads of matching: settings, runs (with what the back office shows next to them)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from apps.core.singletons import singleton_get
from apps.matching.models import MatchingRun, MatchingSettings, RunMode


def matching_settings_get() -> MatchingSettings:
    """The network's matching settings; a row with defaults on first use."""
    return singleton_get(MatchingSettings)


def run_list(
    *, mode: str = "", order_id: int | None = None, include_quotes: bool = False
) -> QuerySet[MatchingRun]:
    runs = MatchingRun.objects.select_related("order", "requested_by").defer("explanation")
    if mode:
        runs = runs.filter(mode=mode)
    elif not include_quotes:
        runs = runs.exclude(mode=RunMode.QUOTE)
    if order_id is not None:
        runs = runs.filter(order_id=order_id)
    return runs.order_by("-created_at", "-id")


def run_get(*, run_id: int) -> MatchingRun:
    """A run of the current network, or 404 (the schema is the network: another network's id is not found)."""
    run = MatchingRun.objects.select_related("order", "requested_by").filter(pk=run_id).first()
    if run is None:
        raise Http404("No such matching run.")
    return run


def run_latest_for_order(*, order_id: int) -> MatchingRun | None:
    return (
        MatchingRun.objects.filter(order_id=order_id)
        .exclude(mode=RunMode.QUOTE)
        .order_by("-created_at", "-id")
        .first()
    )
