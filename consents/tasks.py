from celery import shared_task


@shared_task(acks_late=True)
def run_import(batch_id: int) -> None:
    """Apply a confirmed MIS import (safe to run twice: a finished batch is left alone)."""
    from .imports import apply_batch

    apply_batch(batch_id)


@shared_task
def rollover() -> int:
    from .retention import consent_rollover

    return sum(consent_rollover().values())


@shared_task
def purge_left() -> int:
    from .retention import purge_left_students

    return purge_left_students()


@shared_task
def remind_takedowns() -> int:
    from .retention import remind_open_takedowns

    return remind_open_takedowns()


@shared_task
def purge_import_files() -> int:
    """Beat (daily): rejected or never-confirmed MIS files go after a day."""
    from .import_retention import import_files_purge

    return import_files_purge()
