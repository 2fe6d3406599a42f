"""Beat tasks of the retention schedule and the subject access deadlines (issue 19)."""

from celery import shared_task

from . import retention, services


@shared_task
def dispose() -> dict[str, int]:
    """Dispose of everything due under DATA_RETENTION_DAYS (safe to run twice)."""
    return retention.dispose_due().counts


@shared_task
def remind_deadlines() -> int:
    return services.remind_deadlines()
