"""Beat tasks of the audit chain (clause 6; docs/security.md). Both are safe to run twice: a
second checkpoint simply anchors the same head again, a second check records a second run."""

from celery import shared_task


@shared_task
def checkpoint() -> int | None:
    """Hourly: check the entries since the last checkpoint, then anchor the head outside the
    database. Returns the checkpoint's number (None when none was written)."""
    from .services import chain_checkpoint

    check = chain_checkpoint()
    return check.checkpoint_number if check else None


@shared_task
def verify() -> bool:
    """Daily: the whole chain against every checkpoint. Returns whether it is intact."""
    from .services import chain_verify

    return chain_verify().ok
