"""Reads of the process taxonomy: choices for forms, names for pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from apps.processes.models import Process


def process_choices() -> list[tuple[str, str]]:
    """(code, name) of every process, by name: what a resource may declare. Inactive ones say so (a resource
    declared before staff retired its process keeps it)."""
    rows = Process.objects.order_by("-active", "name").values_list("code", "name", "active")
    return [(code, name if active else f"{name} (inactive)") for code, name, active in rows]


def process_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Name by code, for the given codes (all processes when None). One query."""
    queryset = Process.objects.all()
    if codes is not None:
        queryset = queryset.filter(code__in=set(codes))
    return dict(queryset.values_list("code", "name"))


def process_label(code: str) -> str:
    """The name of one process; the code itself when no process has it (a row deleted since)."""
    return process_names([code]).get(code, code)


def process_name_annotation(code_field: str = "process") -> Coalesce:
    """An expression for `.annotate(process_name=…)`: the name of the process in `code_field`, else the code."""
    name = Process.objects.filter(code=OuterRef(code_field)).values("name")[:1]
    return Coalesce(Subquery(name), F(code_field))
