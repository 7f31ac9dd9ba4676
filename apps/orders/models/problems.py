from django.conf import settings
from django.db import models

from apps.orders.status import WorkItemStatus

# The longest problem report (the portal form and the API take as much).
PROBLEM_TEXT_MAX = 2000


class JobProblemStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class JobProblem(models.Model):
    """A problem an asset owner reported on one of its jobs, for the network's staff (never shown to customers).

    Append-only: the report is not edited afterwards. Staff resolve it once (job_problem_resolve, a
    compare-and-swap on status), which fills the resolution fields. The company's name is kept as it was when it
    reported, so a renamed company does not rewrite history.
    """

    work_item = models.ForeignKey("orders.WorkItem", on_delete=models.CASCADE, related_name="problems")
    # The work item's order, kept on the row: the order admin lists its problems inline (a direct foreign key).
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="job_problems")
    company_name = models.CharField(max_length=200, help_text="The asset owner's name when it reported.")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    job_status = models.CharField(max_length=20, blank=True, help_text="The job's state when reported.")
    gave_back = models.BooleanField(
        default=False, help_text="The job was given back with this report (declined and re-planned)."
    )
    status = models.CharField(max_length=10, choices=JobProblemStatus.choices, default=JobProblemStatus.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="job_problem_text_not_empty"),
            models.CheckConstraint(
                condition=models.Q(status=JobProblemStatus.OPEN) | models.Q(resolved_at__isnull=False),
                name="job_problem_resolved_when",
            ),
        ]

    def __str__(self):
        return f"Problem {self.pk} on job {self.work_item_id}"

    @property
    def job_status_label(self) -> str:
        """The job's state when reported, in words."""
        if self.job_status in WorkItemStatus.values:
            return WorkItemStatus(self.job_status).label
        return self.job_status
