"""Matching's rows: the network's matching settings and one MatchingRun per solve (quote, commit, re-plan, batch).

The solver itself is pure (engine/: solver.py over domain.py); these rows record what it was asked, what it answered and
why, so staff can watch a run live and audit it afterwards.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class MatchingSettings(models.Model):
    """The network's matching rules. One row per tenant schema (pk=1), created with defaults on first use.

    Weights are in the network currency's minor units: lateness per minute late against the promised day, and
    for quotes the value of a minute sooner (so the quote trades price against speed instead of picking the
    cheapest workshop whatever the wait).
    """

    lateness_weight_per_minute = models.PositiveIntegerField(
        default=50,
        help_text="Cost of one minute of lateness against a paid order's promised date (minor units).",
    )
    quote_time_value_per_minute = models.PositiveIntegerField(
        default=1,
        help_text="What one minute sooner is worth in a quote (minor units); 1 cent/min ≈ €14 a day.",
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=42,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="How far ahead calendars are expanded; nothing is planned beyond it.",
    )
    quote_time_limit_ms = models.PositiveIntegerField(
        default=120,
        validators=[MaxValueValidator(5000)],
        help_text=(
            "CP-SAT search time a quote may spend after the constructive plan, shared by its lead-time options "
            "(0: constructive plan only)."
        ),
    )
    quote_max_lots = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=(
            "Into how many lots a long batch may be split across workshops for a faster delivery "
            "(1: a line's batch of each step stays at one workshop)."
        ),
    )
    commit_time_limit_s = models.FloatField(
        default=5.0, validators=[MinValueValidator(0.1), MaxValueValidator(120)]
    )
    replan_time_limit_s = models.FloatField(
        default=5.0, validators=[MinValueValidator(0.1), MaxValueValidator(120)]
    )
    batch_time_limit_s = models.FloatField(
        default=30.0, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    batch_min_improvement_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="A batch re-optimisation is applied only if it lowers the objective by at least this much.",
    )
    batch_freeze_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Work planned to start within this many hours is left where it is by the batch."
    )
    workers = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(16)],
        help_text="CP-SAT search threads.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Matching settings"
        verbose_name_plural = "Matching settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="matching_settings_singleton")]

    def __str__(self):
        return "Matching settings"


class RunMode(models.TextChoices):
    QUOTE = "quote", "Quote"
    COMMIT = "commit", "Commit"
    REPLAN = "replan", "Re-plan"
    BATCH = "batch", "Batch re-optimisation"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


RUN_OPEN = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})


class RunOutcome(models.TextChoices):
    """What became of the plan a finished run found."""

    NONE = "", "—"
    APPLIED = "applied", "Applied"
    UNCHANGED = "unchanged", "Unchanged (the plan already in place)"
    SKIPPED = "skipped", "Skipped (nothing to do)"
    NOT_BETTER = "not_better", "Not applied (not enough better)"
    INFEASIBLE = "infeasible", "No plan (see reasons)"
    QUOTED = "quoted", "Quoted"


class MatchingRun(models.Model):
    """One solve: its inputs (hash and parameters), its answer (objective, bound, gap, explanation, reasons) and,
    while it runs, its progress (written at most every half second from the solver's callback)."""

    mode = models.CharField(max_length=10, choices=RunMode.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    outcome = models.CharField(max_length=12, choices=RunOutcome.choices, default=RunOutcome.NONE, blank=True)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="matching_runs"
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Why the run was asked for.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    inputs_hash = models.CharField(max_length=64, blank=True, db_index=True)
    parameters = models.JSONField(default=dict, blank=True)
    statistics = models.JSONField(default=dict, blank=True)
    objective = models.BigIntegerField(null=True, blank=True)
    best_bound = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    wall_s = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    progress_elapsed_s = models.FloatField(null=True, blank=True)
    progress_objective = models.FloatField(null=True, blank=True)
    progress_bound = models.FloatField(null=True, blank=True)
    progress_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["mode", "-created_at"]),
            models.Index(fields=["order", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RunStatus.values), name="matching_run_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=RunMode.values), name="matching_run_mode_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} run {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in RUN_OPEN
