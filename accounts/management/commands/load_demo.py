"""Load the demo trust and every app's demo data, then print a short summary and the logins.
Safe to re-run.

The demo's changes notify people through the normal outbox, as real changes do. The emails
that go out during the load (about 180) are not printed: with development's console backend
they would scroll the logins off a newcomer's terminal. They are delivered to memory instead,
and every outbox email can be read in the portal at /notifications/outbox/ (development only,
trust administrators). Emails sent while the portal runs still print in its console.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.urls import reverse

from accounts import demo

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
MEMORY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@contextmanager
def emails_not_printed() -> Iterator[list | None]:
    """While the demo loads: no log line per delivery task, and with the console backend the
    emails go to memory instead of the terminal. Yields the list they land in (None when a
    real relay, such as mailpit in docker compose, gets them as it would any email)."""
    trace = logging.getLogger("celery.app.trace")  # "Task ... deliver[...] succeeded"
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        if settings.EMAIL_BACKEND != CONSOLE_BACKEND:
            yield None
            return
        saved = getattr(mail, "outbox", None)
        mail.outbox = captured = []
        try:
            with override_settings(EMAIL_BACKEND=MEMORY_BACKEND):
                yield captured
        finally:
            if saved is None:
                del mail.outbox
            else:
                mail.outbox = saved
    finally:
        trace.setLevel(level)


class Command(BaseCommand):
    help = "Create the Star Multi Academy Trust demo (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        with emails_not_printed() as captured:
            ctx = demo.load()
            for config in apps.get_app_configs():
                if config.name == "accounts":
                    continue
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.load(ctx)

        self.stdout.write(self.style.SUCCESS("Demo trust ready: " + ctx.trust.name))
        for hint in ctx.hints:
            self.stdout.write(hint)
        self.stdout.write("")
        self.stdout.write(self._emails_summary(captured, ctx.people["admin"].email))
        self.stdout.write("")
        self.stdout.write(
            f"Logins (every demo password: {demo.DEMO_PASSWORD}; roles above teacher then ask "
            "for the code from `.venv/bin/python manage.py demo_totp EMAIL`):"
        )
        width = max(len(e) for e, _, _ in ctx.logins)
        for email, role, where in ctx.logins:
            self.stdout.write(f"  {email.ljust(width)}  {role} — {where}")

    def _emails_summary(self, captured: list | None, admin_email: str) -> str:
        if captured is None:
            return f"Emails: the demo's went out through the outbox to {settings.EMAIL_BACKEND}."
        if not captured:
            return "Emails: none new (the demo was already loaded)."
        text = f"Emails: {len(captured)} went out through the outbox during the load, not printed."
        if settings.DEBUG:
            text += (
                f" Read them signed in as {admin_email} at "
                f"{reverse('notifications:dev_outbox')}; emails sent while the portal runs "
                "also print in this console."
            )
        return text
