from django.db import models


class OutboxMessage(models.Model):
    """A Celery task to send (an e-mail is the task `outbox.send_email`), written in the same transaction as
    the change that calls for it.

    After commit a relay sends it and stamps `sent_at`; a beat-driven sweeper sends whatever is still unsent
    (the broker was down, the process died). Sending is at least once: the receiving task must be idempotent.
    `dedup_key` makes writing the same message twice a no-op (e.g. the webhook and the confirm response both
    applying one payment).
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    dedup_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    celery_task_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"], name="outbox_unsent_idx", condition=models.Q(sent_at__isnull=True)
            )
        ]

    def __str__(self):
        return f"{self.task_name} ({'sent' if self.sent_at else 'pending'})"
