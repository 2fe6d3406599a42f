from celery import shared_task


@shared_task(acks_late=True)
def run_import(batch_id: int) -> None:
    """Apply a confirmed MIS import (safe to run twice: a finished batch is left alone)."""
    from .imports import apply_batch

    apply_batch(batch_id)
