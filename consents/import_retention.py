"""Uploaded MIS files are kept only while they may still be imported (issue 14; UK GDPR
storage limitation). A batch that was applied drops its file at once (imports.apply_batch);
one rejected for errors, or checked and never confirmed, drops it a day after upload
(IMPORT_FILE_KEEP). The batch row stays (file name, counts, the errors found): the record
of what was tried."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from .models import ImportBatch

IMPORT_FILE_KEEP = timedelta(days=1)
STALE = (ImportBatch.Status.REJECTED, ImportBatch.Status.PREVIEWED)


def import_files_purge(now: datetime | None = None) -> int:
    """Empty the stored file of every rejected or never-confirmed batch older than a day; the
    number of batches emptied. One UPDATE; safe to run twice."""
    cutoff = (now or timezone.now()) - IMPORT_FILE_KEEP
    return (
        ImportBatch.objects.filter(status__in=STALE, created_at__lt=cutoff)
        .exclude(content=b"")
        .update(content=b"")
    )
