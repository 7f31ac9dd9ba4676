"""E-mail leaves through the outbox and is sent by a task that retries: a mail server outage neither fails the
change that asked for the mail nor holds back the change's other work."""

import pytest
from django.core import mail
from django.db import transaction

from apps.outbox.models import OutboxMessage
from apps.outbox.services import EMAIL_TASK, outbox_enqueue_email
from apps.outbox.tasks import EMAIL_MAX_RETRIES, send_email
from tests.outbox.backends import DownEmailBackend, FlakyEmailBackend

pytestmark = pytest.mark.django_db

MESSAGE = {"to": ["ada@alpha.test"], "subject": "Your order is planned", "body": "See you soon."}


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.outbox.backends.FlakyEmailBackend"
    FlakyEmailBackend.attempts = 0
    return FlakyEmailBackend


@pytest.fixture
def mail_down(settings):
    settings.EMAIL_BACKEND = "tests.outbox.backends.DownEmailBackend"
    DownEmailBackend.attempts = 0
    return DownEmailBackend


def test_a_dropped_smtp_connection_is_retried_until_the_mail_goes_out(in_tenant_a, flaky_mail):
    result = send_email.apply(kwargs=MESSAGE)
    assert result.successful(), result.traceback
    assert flaky_mail.attempts == flaky_mail.failures + 1
    (sent,) = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (MESSAGE["to"], MESSAGE["subject"], MESSAGE["body"])


def test_a_mail_server_that_stays_down_is_retried_then_given_up(in_tenant_a, mail_down):
    result = send_email.apply(kwargs=MESSAGE)
    assert result.failed() and "SMTPServerDisconnected" in result.traceback
    assert mail_down.attempts == EMAIL_MAX_RETRIES + 1
    assert mail.outbox == []


def test_an_email_waits_in_the_outbox_until_its_change_commits(
    in_tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        written = outbox_enqueue_email(to=["B@x.test", "b@x.test", ""], subject=" Hi \n", body="Body")
    row = OutboxMessage.objects.get(pk=written.pk)
    assert row.task_name == EMAIL_TASK and row.sent_at is None and len(callbacks) == 1
    assert row.kwargs == {"to": ["B@x.test", "b@x.test"], "subject": "Hi", "body": "Body"}
    callbacks[0]()
    assert OutboxMessage.objects.get(pk=written.pk).sent_at is not None


def test_an_email_of_a_rolled_back_change_is_never_sent(in_tenant_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue_email(to=["ada@alpha.test"], subject="Paid", body="Thanks", dedup_key="rolled-back")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.filter(dedup_key="email:rolled-back").exists()


def test_nobody_to_write_to_writes_nothing(in_tenant_a):
    assert outbox_enqueue_email(to=["", ""], subject="x", body="y") is None
    assert not OutboxMessage.objects.filter(task_name=EMAIL_TASK).exists()
