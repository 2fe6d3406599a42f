"""Issue 14, "Done when": the subject of a case signs in after every action the handlers can
take on it and finds no trace of it: pages, notifications, emails (the outbox), escrow pages,
dashboard figures, activity export. Also leak 2: a report naming an official account tells
its owner nothing, and leak 3: a headteacher's figures leave out a case about her."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from breaches import services
from breaches.account_actions import case_account_review_start, case_account_rotation_start
from breaches.models import BreachCase
from breaches.selectors import case_visible_to
from channels.tasks import remind_overdue_reviews
from escrow.tasks import send_reminders
from notifications.emails import build_message
from notifications.models import Notification
from tests.breaches.factories import report
from tests.conftest import sign_in
from tests.escrow.factories import escrowed_account

DESCRIPTION = "Posted a defamatory remark about a parent from the PE account."
NOTE = "Spoke to the parent; screenshots kept by the office."
SUMMARY = "Remark removed the same day; advice given."
# Words a page of the subject's may hold no more often than before the report.
WORDS = re.compile(r"breach|report|case|defamatory|investigat|outcome|disciplin", re.I)


def subject_pages(account) -> list[str]:
    return [
        reverse("dashboard:home"),
        reverse("notifications:list"),
        reverse("escrow:index"),
        reverse("escrow:account", args=[account.pk]),
        reverse("channels:account_detail", args=[account.pk]),
        reverse("channels:account_list"),
        reverse("breaches:my_reports"),
        reverse("audit:my_activity"),
        reverse("audit:my_activity_export"),
    ]


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def snapshot(client, account) -> dict[str, dict[str, int]]:
    seen = {}
    for url in subject_pages(account):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        counts: dict[str, int] = {}
        for match in WORDS.finditer(text):
            counts[match.group(0).lower()] = counts.get(match.group(0).lower(), 0) + 1
        seen[url] = {"counts": counts, "text": text}
    return seen


def assert_no_trace(client, account, case: BreachCase, baseline, after: str) -> None:
    markers = [case.reference, str(case.pk), str(case.pk)[:8], DESCRIPTION, NOTE, SUMMARY]
    now = snapshot(client, account)
    for url, page in now.items():
        for marker in markers:
            assert marker.lower() not in page["text"].lower(), (after, url, marker)
        for word, n in page["counts"].items():
            assert n <= baseline[url]["counts"].get(word, 0), (after, url, word)
    subject = case.subject
    for n in Notification.objects.filter(recipient=subject):
        message = build_message(n)
        text = " ".join([message.subject, message.body, str(n.context), n.link or ""])
        assert not WORDS.search(text), (after, n.kind, text)
        for marker in markers:
            assert marker.lower() not in text.lower(), (after, n.kind)
        assert not n.kind.startswith("breaches."), (after, n.kind)


@pytest.mark.parametrize("subject_role", ["owner", "deputy"])
def test_the_subject_finds_no_trace_after_any_handler_action(world, subject_role):
    account = escrowed_account(world)  # owner teacher_a, deputy staff_a, school A
    subject = world.teacher_a if subject_role == "owner" else world.staff_a
    client = sign_in(Client(), subject)
    baseline = snapshot(client, account)
    Notification.objects.filter(recipient=subject).delete()

    case = services.breach_report(
        actor=world.dsl_a,
        school=world.school_a,
        category="defamatory",
        seen_at=timezone.now() - timedelta(hours=1),
        subject=subject,
        account=account,
        description=DESCRIPTION,
    )
    head = world.head_a
    steps = [
        ("reported", lambda: None),
        ("acknowledged", lambda: services.case_acknowledge(actor=head, case=case)),
        ("investigating", lambda: services.case_investigate(actor=head, case=case)),
        ("note", lambda: services.case_add_note(actor=head, case=case, text=NOTE)),
        ("owner", lambda: services.case_assign_owner(actor=head, case=case, owner=head)),
        (
            "content removed",
            lambda: services.case_record_action(
                actor=head, case=case, action="content_removed", text=NOTE
            ),
        ),
        (
            "account suspended",
            lambda: services.case_record_action(actor=head, case=case, action="account_suspended"),
        ),
        (
            "referred",
            lambda: services.case_record_action(actor=head, case=case, action="referred_lado"),
        ),
        ("rotation", lambda: case_account_rotation_start(actor=head, case=case)),
        ("review", lambda: case_account_review_start(actor=head, case=case)),
        ("reminders", lambda: (remind_overdue_reviews(), send_reminders())),
        (
            "outcome",
            lambda: services.case_decide_outcome(
                actor=head, case=case, outcome="informal_advice", summary=SUMMARY
            ),
        ),
        ("closed", lambda: services.case_close(actor=head, case=case)),
        ("opened again", lambda: head_opens(world, case)),
    ]
    for name, step in steps:
        step()
        case.refresh_from_db()
        assert_no_trace(client, account, case, baseline, name)
    # What the subject was told (the rotation, the review) came, without a reason.
    kinds = set(Notification.objects.filter(recipient=subject).values_list("kind", flat=True))
    assert "escrow.rotation_required" in kinds
    # And the case page does not open for them.
    assert client.get(reverse("breaches:case_detail", args=[case.pk])).status_code == 404


def head_opens(world, case):
    sign_in(Client(), world.head_a).get(reverse("breaches:case_detail", args=[case.pk]))


def test_a_report_naming_the_account_sends_its_owner_nothing(world):
    account = escrowed_account(world)
    before = Notification.objects.filter(recipient__in=[world.teacher_a, world.staff_a]).count()
    report(
        world, actor=world.dsl_a, category="defamatory", subject=world.teacher_a, account=account
    )
    after = Notification.objects.filter(recipient__in=[world.teacher_a, world.staff_a]).count()
    assert after == before
    client = sign_in(Client(), world.teacher_a)
    page = client.get(reverse("escrow:account", args=[account.pk])).content.decode()
    assert "names this account" not in page and "must be changed" not in page


def test_headteacher_figures_leave_out_a_case_about_her_that_went_to_trust_hr(world):
    client = sign_in(Client(), world.head_a)
    url = reverse("dashboard:trust_csv")
    before = client.get(url).content.decode()
    case = report(world, actor=world.leader_a, category="defamatory", subject=world.head_a)
    assert (
        not BreachCase.objects.filter(pk=case.pk)
        .filter(pk__in=case_visible_to(world.head_a).values("pk"))
        .exists()
    )
    after = client.get(url).content.decode()
    assert after == before
    page = client.get(reverse("dashboard:trust")).content.decode()
    assert "by category and month" not in page
    # Trust HR, who handle it, see it counted and broken down by month for the school.
    hr = sign_in(Client(), world.trust_hr)
    hr_csv = hr.get(url, {"school": world.school_a.pk}).content.decode()
    assert "Defamatory" in hr_csv
    # A trustee sees the whole trust by category and month, not one school's.
    trustee = sign_in(Client(), world.trustee)
    assert "Defamatory" in trustee.get(url).content.decode()
    assert "Defamatory" not in trustee.get(url, {"school": world.school_a.pk}).content.decode()
