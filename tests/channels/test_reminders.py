"""Beat reminders with a frozen clock: each is sent once per account and due date, however
often the task runs (4.2 approval waits, 4.5d annual reviews)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from channels import services
from channels.models import OfficialAccount
from channels.tasks import remind_overdue_approvals, remind_overdue_reviews
from notifications.models import Notification

from .factories import make_account

S = OfficialAccount.Status
LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def at(y, m, d, h=9):
    return time_machine.travel(datetime(y, m, d, h, tzinfo=LONDON), tick=False)


def reminded(kind: str) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__email", "dedupe_key")
    )


def test_approval_reminder_after_ten_school_days_is_sent_once(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.DRAFT
    )
    with at(2026, 11, 2):  # a Monday
        services.account_submit(actor=world.teacher_a, account=account)
    with at(2026, 11, 16):  # ten school days later: not yet overdue
        assert remind_overdue_approvals() == 0
    with at(2026, 11, 17):  # the eleventh school day
        assert remind_overdue_approvals() == 2
        assert remind_overdue_approvals() == 0
    with at(2026, 11, 17, 18):
        assert remind_overdue_approvals() == 0
    with at(2026, 11, 20):
        assert remind_overdue_approvals() == 0
    sent = reminded("channels.approval_overdue")
    assert [email for email, _ in sent] == [world.head_a.email, world.leader_a.email]
    assert sent[0][1] == f"channels.approval_overdue:{account.pk}:2026-11-17"


def test_weekend_days_do_not_count_towards_the_wait(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.DRAFT)
    account.deputies.set([world.staff_a])
    with at(2026, 11, 6):  # a Friday
        services.account_submit(actor=world.teacher_a, account=account)
    with at(2026, 11, 21):  # Saturday: ten school days have passed, not eleven
        assert remind_overdue_approvals() == 0
    with at(2026, 11, 23):
        assert remind_overdue_approvals() == 2


def test_resubmission_starts_a_new_wait_with_its_own_reminder(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.DRAFT
    )
    with at(2026, 11, 2):
        services.account_submit(actor=world.teacher_a, account=account)
    with at(2026, 11, 17):
        assert remind_overdue_approvals() == 2
    with at(2026, 11, 18):
        services.account_request_changes(
            actor=world.leader_a, account=account, reason="Add the deputy's school email"
        )
        services.account_submit(actor=world.teacher_a, account=account)
        assert remind_overdue_approvals() == 0
    with at(2026, 12, 3):
        assert remind_overdue_approvals() == 2
    keys = {key for _, key in reminded("channels.approval_overdue")}
    assert keys == {
        f"channels.approval_overdue:{account.pk}:2026-11-17",
        f"channels.approval_overdue:{account.pk}:2026-12-03",
    }


def test_decided_request_is_not_reminded(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.DRAFT
    )
    with at(2026, 11, 2):
        services.account_submit(actor=world.teacher_a, account=account)
    with at(2026, 11, 5):
        services.account_approve(actor=world.leader_a, account=account)
    with at(2026, 11, 30):
        assert remind_overdue_approvals() == 0


def test_overdue_review_is_reminded_once_per_due_date(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.ACTIVE
    )
    account.next_review_due = date(2026, 11, 10)
    account.save()
    with at(2026, 11, 9):
        assert remind_overdue_reviews() == 0
    with at(2026, 11, 10):
        assert remind_overdue_reviews() == 3  # leader_a, head_a and the owner
        assert remind_overdue_reviews() == 0
    with at(2026, 11, 25):
        assert remind_overdue_reviews() == 0
    with at(2026, 11, 26):
        services.account_review(
            actor=world.leader_a,
            account=account,
            checks={
                "still_needed": True,
                "content_professional": True,
                "privacy_strictest": True,
                "no_private_messaging": True,
                "owner_deputy_right": True,
                "no_follow_back": True,
            },
        )
    account.refresh_from_db()
    assert account.next_review_due == date(2027, 11, 26)
    with at(2027, 11, 25):
        assert remind_overdue_reviews() == 0
    with at(2027, 11, 26):
        assert remind_overdue_reviews() == 3
    keys = {key for _, key in reminded("channels.review_overdue")}
    assert keys == {
        f"channels.review_overdue:{account.pk}:2026-11-10",
        f"channels.review_overdue:{account.pk}:2027-11-26",
    }


def test_closed_account_is_not_reminded_for_review(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.CLOSED)
    account.next_review_due = date(2026, 1, 1)
    account.save()
    with at(2026, 11, 10):
        assert remind_overdue_reviews() == 0
