"""A matching run's explanation as staff read it: the engine's details carry raw minutes and minor units
("costs 16884 vs 10900", "ready at 989 vs 891"); the page says them again as money, dates and process names."""

from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.backoffice.explanation import explanation_rows

STORED = [
    {
        "operation": "o1",
        "step": "Table top",
        "process": "cnc_milling",
        "chosen": "Homag CNC",
        "chosen_owner": "Nijmeegse Houtwerken",
        "start": "2026-12-08T08:00:00+00:00",
        "end": "2026-12-08T10:30:00+00:00",
        "pinned": False,
        "candidates": [
            {
                "resource": "Homag CNC",
                "owner": "Nijmeegse Houtwerken",
                "verdict": "chosen",
                "cost_minor": 10900,
                "finish": "2026-12-08T10:30:00+00:00",
                "ready": "2026-12-08T12:00:00+00:00",
                "detail": "",
            },
            {
                "resource": "Haas VF-2",
                "owner": "Brainport Precision",
                "verdict": "dearer",
                "cost_minor": 16884,
                "finish": None,
                "ready": None,
                "detail": "costs 16884 vs 10900",
            },
            {
                "resource": "DMG Mori",
                "owner": "Brainport Precision",
                "verdict": "later",
                "cost_minor": 9000,
                "finish": None,
                "ready": "2026-12-09T07:00:00+00:00",
                "detail": "ready at 989 at best vs 891",
            },
            {
                "resource": "Old mill",
                "owner": "Spaarne Makers",
                "verdict": "busy",
                "cost_minor": 9000,
                "finish": None,
                "ready": None,
                "detail": "other bookings allow ready at never (before the horizon) vs 891",
            },
            {
                "resource": "Tiny mill",
                "owner": "Spaarne Makers",
                "verdict": "incapable",
                "cost_minor": None,
                "finish": None,
                "ready": None,
                "detail": "incapable: too small for 1800 × 900 mm",
            },
        ],
    }
]


def test_costs_and_times_read_as_money_and_dates_never_as_raw_numbers():
    with timezone.override(ZoneInfo("Europe/Amsterdam")):
        (row,) = explanation_rows(STORED, currency="EUR", process_names={"cnc_milling": "CNC milling"})
    assert row.process == "CNC milling"
    assert row.window == "Tue 8 Dec 2026, 09:00 – 11:30"
    chosen, dearer, later, busy, incapable = row.candidates
    assert chosen.cost == "€109.00" and chosen.detail == "ready Tue 8 Dec 2026, 13:00"
    assert dearer.detail == "costs €168.84 against €109.00 for the chosen one"
    assert later.detail == "ready Wed 9 Dec 2026, 08:00 at the earliest, the chosen one Tue 8 Dec 2026, 13:00"
    assert busy.detail.startswith("no room before the horizon")
    assert incapable.detail == "incapable: too small for 1800 × 900 mm" and incapable.cost == ""
    shown = " ".join(f"{c.verdict_label} {c.cost} {c.detail}" for c in row.candidates)
    for raw in ("16884", "10900", "989", "891", "2026-12"):
        assert raw not in shown


def test_an_unknown_process_keeps_its_code_and_an_empty_explanation_is_no_rows():
    (row,) = explanation_rows(STORED, currency="EUR", process_names={})
    assert row.process == "cnc_milling"
    assert explanation_rows([], currency="EUR", process_names={}) == []
