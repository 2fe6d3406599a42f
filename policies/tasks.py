"""Beat tasks of the policy register. Safe to run any number of times: every notification
carries a dedupe key (once per policy, due date and reminder stage; once per digest week)."""

from celery import shared_task


@shared_task
def send_review_reminders() -> int:
    from .services import policy_reminders_send

    return policy_reminders_send()


@shared_task
def send_weekly_digest() -> int:
    from .services import policy_digest_send

    return policy_digest_send()
