"""Beat tasks of official accounts. Each is safe to run any number of times: a reminder is
sent once per account and due date (notifications' dedupe_key)."""

from celery import shared_task


@shared_task
def remind_overdue_approvals() -> int:
    """4.2: requests waiting more than the limit of school days are reminded to approvers."""
    from .services import send_approval_reminders

    return send_approval_reminders()


@shared_task
def remind_overdue_reviews() -> int:
    """4.5(d): overdue annual reviews are reminded to the school's leaders and the owner."""
    from .services import send_review_reminders

    return send_review_reminders()


@shared_task
def remind_due_followups() -> int:
    """4.5(d): follow-ups of reviews that found a concern, at their due date, to the school's
    leaders and the follow-up's owner (once per follow-up and due date)."""
    from .followups import send_followup_reminders

    return send_followup_reminders()
