"""A matching run's explanation as staff read it.

The run stores, per step, every candidate's verdict with its cost in minor units and when its output could be
ready (ISO); the engine's own `detail` for time and cost verdicts carries raw minutes and minor units ("costs
16884 vs 10900", "ready at 989 vs 891"), fine in a log, not on a page. Here each verdict is said again from the
stored numbers: money in the network's currency, moments in the one date format, processes by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.core.money import format_minor
from apps.core.when import format_moment, format_span

VERDICT_LABELS = {
    "chosen": "chosen",
    "incapable": "cannot do it",
    "later": "too slow or too far",
    "closed": "closed then",
    "busy": "booked then",
    "dearer": "dearer",
    "tie": "as good",
}
_TIME_VERDICTS = {"later", "closed", "busy"}


@dataclass(frozen=True)
class CandidateRow:
    resource: str
    owner: str
    verdict: str
    verdict_label: str
    cost: str
    detail: str


@dataclass(frozen=True)
class StepRow:
    step: str
    process: str
    pinned: bool
    chosen: str
    chosen_owner: str
    window: str
    candidates: list[CandidateRow]


def explanation_rows(
    explanation: list[dict], *, currency: str, process_names: dict[str, str]
) -> list[StepRow]:
    return [_step_row(row, currency=currency, process_names=process_names) for row in explanation or []]


def _step_row(row: dict, *, currency: str, process_names: dict[str, str]) -> StepRow:
    candidates = row.get("candidates") or []
    chosen = next((c for c in candidates if c.get("verdict") == "chosen"), None)
    return StepRow(
        step=row.get("step", ""),
        process=process_names.get(row.get("process", ""), row.get("process", "")),
        pinned=bool(row.get("pinned")),
        chosen=row.get("chosen", ""),
        chosen_owner=row.get("chosen_owner", ""),
        window=format_span(row.get("start"), row.get("end")) if row.get("start") else "",
        candidates=[_candidate_row(c, chosen, currency=currency) for c in candidates],
    )


def _money(amount_minor, currency: str) -> str:
    return "" if amount_minor is None else format_minor(int(amount_minor), currency)


def _candidate_row(candidate: dict, chosen: dict | None, *, currency: str) -> CandidateRow:
    verdict = candidate.get("verdict", "")
    cost = _money(candidate.get("cost_minor"), currency)
    chosen_cost = _money(chosen.get("cost_minor"), currency) if chosen else ""
    ready = candidate.get("ready")
    chosen_ready = chosen.get("ready") if chosen else None
    if verdict == "chosen":
        detail = f"ready {format_moment(ready)}" if ready else (candidate.get("detail") or "")
    elif verdict == "dearer":
        detail = f"costs {cost} against {chosen_cost} for the chosen one"
    elif verdict in _TIME_VERDICTS:
        at_best = f"ready {format_moment(ready)} at the earliest" if ready else "no room before the horizon"
        detail = f"{at_best}, the chosen one {format_moment(chosen_ready)}" if chosen_ready else at_best
    else:  # incapable and tie: the engine's and the problem builder's words carry no raw numbers
        detail = candidate.get("detail") or ""
    return CandidateRow(
        resource=candidate.get("resource", ""),
        owner=candidate.get("owner", ""),
        verdict=verdict,
        verdict_label=VERDICT_LABELS.get(verdict, verdict.replace("_", " ")),
        cost=cost,
        detail=detail,
    )
