"""Email backends for delivery tests: a relay that fails a set number of times."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """Raises SMTPServerDisconnected for the first `failures` sends, then delivers (locmem)."""

    failures = 0
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("relay went away")
        return super().send_messages(messages)
