"""Mail servers that fail, as EMAIL_BACKEND classes a test selects with a settings override."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class DownEmailBackend(BaseEmailBackend):
    """A mail server that never answers."""

    attempts = 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class FlakyEmailBackend(LocmemBackend):
    """Drops the connection on the first `failures` attempts, then delivers to `mail.outbox`."""

    failures = 2
    attempts = 0

    def send_messages(self, email_messages):
        type(self).attempts += 1
        if type(self).attempts <= self.failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(email_messages)
