"""`make run` loads the demo on every start: it must be complete, safe to run twice, and print a
short summary with the logins, not the demo's emails (issue 13)."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from accounts import demo as accounts_demo
from accounts.models import Membership, School, TrustRole, User
from accounts.roles import SchoolRole, TrustRoleKind
from notifications import demo as notifications_demo
from notifications.emails import build_message
from notifications.models import Notification


@pytest.mark.django_db
def test_demo_has_a_person_in_every_role_at_every_school_and_loads_twice(
    settings, capfd, monkeypatch
):
    # As in development (config/settings/dev.py): DEBUG on, emails printed to the console. The
    # command runs in autocommit there, so delivery runs as each change commits, while the
    # command runs; inside the test's transaction it would wait for the end of the test.
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    call_command("load_demo")
    first = capfd.readouterr()
    counts = (User.objects.count(), Membership.objects.count(), TrustRole.objects.count())
    call_command("load_demo")
    second = capfd.readouterr()
    assert (User.objects.count(), Membership.objects.count(), TrustRole.objects.count()) == counts

    schools = list(
        School.objects.filter(email_domains__domain__endswith="starmat.example").distinct()
    )
    assert len(schools) >= 3
    for school in schools:
        held = set(Membership.objects.filter(school=school).values_list("role", flat=True))
        assert held >= set(SchoolRole.values), (school, set(SchoolRole.values) - held)
    assert set(TrustRole.objects.values_list("role", flat=True)) == set(TrustRoleKind.values)
    # The logins are printed, with the password.
    for user in User.objects.filter(email__endswith="starmat.example"):
        assert user.email in first.out
    assert "star-demo-pass-2026" in first.out

    # A short summary: no email, no log line per delivery, the logins last.
    printed = first.out + first.err
    assert "Subject:" not in printed and "succeeded in" not in printed
    assert len(printed.splitlines()) < 60, printed
    assert first.out.rstrip().splitlines()[-1].startswith("  leaver@")
    # The emails went through the outbox all the same, and the summary says where to read them.
    sent = Notification.objects.filter(email_status=Notification.EmailStatus.SENT).count()
    assert sent > 100
    assert f"Emails: {sent} went out through the outbox during the load" in first.out
    assert "/notifications/outbox/" in first.out
    assert mail.outbox == [], "the test's own mailbox is left as it was"
    assert "Emails: none new (the demo was already loaded)." in second.out


@pytest.mark.django_db
def test_demo_role_change_email_names_the_role_each_person_holds():
    ctx = accounts_demo.load()
    notifications_demo.load(ctx)
    emails = {
        n.recipient.email: build_message(n).body
        for n in Notification.objects.filter(
            kind="accounts.role_changed", dedupe_key="demo:welcome"
        )
    }
    assert (
        "Role: Teacher / channel owner (assigned)" in emails["teacher@northfield.starmat.example"]
    )
    assert "Role: School leader (assigned)" in emails["leader@northfield.starmat.example"]
    assert not any("demo role" in body for body in emails.values())
