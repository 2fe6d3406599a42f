"""Owners' review reminders at 60, 30 and 7 days and weekly while overdue, each sent once, and
the leads' weekly digest. The beat task runs repeatedly under a frozen clock."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from notifications.models import Notification
from policies.models import ApprovingBody, PolicyCategory
from policies.services import policy_create
from policies.tasks import send_review_reminders, send_weekly_digest

from .helpers import pdf

LONDON = ZoneInfo("Europe/London")
DUE = date(2027, 6, 30)


def _at(day: date):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 6, 30, tzinfo=LONDON), tick=False
    )


def _policy(world, owner):
    with _at(date(2026, 1, 10)):
        return policy_create(
            actor=world.trust_admin, trust=world.trust, school=world.school_a,
            title="School E-safety Policy", category=PolicyCategory.ESAFETY, owner=owner,
            approving_body=ApprovingBody.LOCAL_GOVERNING_BODY, approved_on=date(2026, 1, 5),
            review_due=DUE, document=pdf(),
        )  # fmt: skip


def _reminders(user):
    return list(
        Notification.objects.filter(
            recipient=user, kind__in=["policies.review_due", "policies.review_overdue"]
        )
        .order_by("id")
        .values_list("kind", "dedupe_key")
    )


def test_owner_is_reminded_at_60_30_and_7_days_and_weekly_when_overdue_each_once(world):
    policy = _policy(world, world.head_a)
    days = {
        -61: 0, -60: 1, -59: 1, -45: 1, -30: 2, -29: 2, -7: 3, -3: 3, 0: 3,
        1: 4, 2: 4, 7: 4, 8: 5, 14: 5, 15: 6,
    }  # fmt: skip
    for offset, expected in days.items():
        with _at(DUE + timedelta(days=offset)):
            send_review_reminders()
            send_review_reminders()  # the beat task may run twice: nothing new
        assert len(_reminders(world.head_a)) == expected, offset
    keys = [key for _, key in _reminders(world.head_a)]
    prefix = f"policies.review:{policy.pk}:{DUE.isoformat()}:"
    assert keys == [prefix + s for s in
                    ("60-days", "30-days", "7-days", "overdue-week-0", "overdue-week-1",
                     "overdue-week-2")]  # fmt: skip
    kinds = [kind for kind, _ in _reminders(world.head_a)]
    assert kinds[:3] == ["policies.review_due"] * 3
    assert kinds[3:] == ["policies.review_overdue"] * 3


def test_a_new_review_date_starts_the_reminders_again(world):
    from policies.services import policy_review_record

    policy = _policy(world, world.head_a)
    with _at(DUE - timedelta(days=10)):
        send_review_reminders()
        policy_review_record(
            actor=world.head_a, policy=policy, new_version=False, approved_on=DUE - timedelta(days=10),
            approved_by=ApprovingBody.HEADTEACHER, next_review_due=DUE + timedelta(days=50),
        )  # fmt: skip
        send_review_reminders()
    keys = [key for _, key in _reminders(world.head_a)]
    assert keys == [
        f"policies.review:{policy.pk}:{DUE.isoformat()}:30-days",
        f"policies.review:{policy.pk}:{(DUE + timedelta(days=50)).isoformat()}:60-days",
    ]


def test_weekly_digest_goes_to_trust_admins_and_headteachers_once_a_week(world):
    _policy(world, world.head_a)
    monday = date(2027, 6, 7)
    with _at(monday):
        send_weekly_digest()
        send_weekly_digest()
    digests = Notification.objects.filter(kind="policies.weekly_digest")
    assert set(digests.values_list("recipient__email", flat=True)) == {
        world.trust_admin.email, world.head_a.email, world.head_b.email,
    }  # fmt: skip
    to_a = digests.get(recipient=world.head_a).context["due_policies"]
    to_b = digests.get(recipient=world.head_b).context["due_policies"]
    assert {p["title"] for p in to_a} == {"School E-safety Policy", "Social Media Policy"}
    assert {p["title"] for p in to_b} == {"Social Media Policy"}  # never school A's
    with _at(monday + timedelta(days=7)):
        send_weekly_digest()
    assert Notification.objects.filter(kind="policies.weekly_digest").count() == 6
