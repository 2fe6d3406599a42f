"""The policy emails render their context (reminders name the policy and its review date)."""

from django.core import mail

from notifications import delivery
from notifications.models import Notification
from policies.services import policy_digest_send, policy_reminders_send

from .helpers import school_policy


def _deliver(kind: str, user):
    n = Notification.objects.filter(kind=kind, recipient=user).latest("id")
    mail.outbox.clear()
    delivery.deliver_email(n.pk)
    (message,) = mail.outbox
    return message


def test_reminder_email_names_the_policy_and_its_review_date(world):
    policy = school_policy(world, review_in_days=20)
    policy_reminders_send()
    message = _deliver("policies.review_due", world.head_a)
    assert policy.title in message.body
    assert policy.review_due.isoformat() in message.body
    assert f"/policies/{policy.pk}/" in message.body
    assert policy.title in message.alternatives[0][0]


def test_overdue_email_says_overdue(world):
    school_policy(world, review_in_days=-3, approved_days_ago=400)
    policy_reminders_send()
    message = _deliver("policies.review_overdue", world.head_a)
    assert "overdue" in message.body


def test_digest_email_lists_what_is_due(world):
    school_policy(world, review_in_days=10)
    policy_digest_send()
    message = _deliver("policies.weekly_digest", world.head_a)
    assert "School E-safety Policy (Alder Academy)" in message.body
    assert "Social Media Policy (Trust-wide): review date 2023-03-31, OVERDUE" in message.body
