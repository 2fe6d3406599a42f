"""Beat tasks of the escrow; each is safe to run any number of times."""

from celery import shared_task


@shared_task
def send_reminders() -> int:
    """5.19: rotation due / overdue and the yearly check, once per due date."""
    from .services import send_rotation_reminders

    return send_rotation_reminders()


@shared_task
def destroy_old_versions() -> int:
    """4.5c: earlier versions past ESCROW_KEEP_OLD_DAYS lose their ciphertext."""
    from .services import destroy_old_versions as destroy

    return destroy()
