"""Import of students and carers from a MIS export (issues 6, 9 and 17): preview, then all or
nothing.

The preview (`import_preview`) reads every row (`mis_rows.read`), reports every bad one and
writes no student; it lists by name the students on roll missing from the file, and warns when
they are more than a tenth of the roll (the file looks partial). The import (`import_confirm`)
marks them as left only when the office ticked its own confirmation for exactly that list.
Columns the portal does not recognise stop the preview until the office maps or ignores them
(`column_mapping_save`, remembered for the school). Re-importing the same file changes nothing.
Large files run as a Celery task that reports progress in the cache. The SQL is in
`mis_staging`.

The preview keeps the checked rows (as the COPY text staging streams) in the cache, Redis in
production where a Celery worker finds them too, under a digest of everything the reading
depends on: the file's bytes, the columns, the year groups taught and the day. The import
uses them when the digest of its own inputs matches, and reads the file again otherwise (the
cache lost them, the school's ages or the day changed): the result is the same either way.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from accounts.access import require
from accounts.models import School, User
from accounts.roles import Perm
from accounts.selectors import user_has_school_perm
from audit.services import record
from portal.errors import ServiceError

from . import mis_staging as staging
from .mis_columns import resolve, valid_targets
from .mis_rows import CARER_COLUMNS, STUDENT_COLUMNS, Reading, read
from .mis_values import years_taught
from .models import ColumnMapping, ImportBatch

# Share of the work done after each step, for the progress bar (the writes are a few big
# statements, so progress moves by step, not by row).
PROGRESS_AFTER = {"read": 0.2, "staged": 0.35, "carers": 0.55, "students": 0.75, "links": 0.95}
# Students missing from a file, as a share of the roll, above which the file looks partial.
PARTIAL_FILE_SHARE = 0.10
# How long the preview's checked rows wait in the cache for the office to confirm.
STAGED_ROWS_SECONDS = 3600


class ImportRefused(ServiceError):
    """The import cannot go ahead; the message is for the user."""


def progress_key(batch_id: int) -> str:
    return f"consents:import-progress:{batch_id}"


def import_progress(batch: ImportBatch) -> int:
    """Rows done so far, by step. The import runs in one transaction, so progress is kept in the
    cache (Redis in production) where the page can read it before the commit."""
    if batch.status == ImportBatch.Status.DONE:
        return batch.total_rows
    return int(cache.get(progress_key(batch.pk), 0))


def _progress(batch: ImportBatch, step: str) -> None:
    cache.set(progress_key(batch.pk), int(batch.total_rows * PROGRESS_AFTER[step]), 3600)


def _require_keeper(actor: User, school_id: int) -> None:
    require(
        user_has_school_perm(actor, Perm.MANAGE_CONSENT, school_id),
        "Only the school's consent administrators import students.",
    )


def read_for_school(
    school: School, data: bytes, mapping: dict[str, str] | None, today: date | None = None
) -> Reading:
    """The file read with the school's remembered columns and the year groups it teaches."""
    return read(
        data,
        mapping,
        years=years_taught(school.age_from, school.age_to),
        today=today or timezone.localdate(),
    )


def staged_rows_key(school: School, data: bytes, mapping: dict[str, str], today: date) -> str:
    """The cache key of a file's checked rows: a digest of all that `read` depends on, and of
    the rows' columns (a release that changes them between preview and import reads again)."""
    digest = hashlib.sha256(data)
    years = years_taught(school.age_from, school.age_to)
    inputs = [sorted(mapping.items()), years, today.isoformat(), STUDENT_COLUMNS, CARER_COLUMNS]
    digest.update(json.dumps(inputs).encode())
    return f"consents:import-rows:{digest.hexdigest()}"


def _keep_rows(school: School, data: bytes, reading: Reading, today: date) -> tuple[str, str]:
    """The good rows of a clean reading as COPY text, kept for the import when reading the
    file with the columns the batch records (`reading.mapping`) finds the same columns."""
    rows = staging.copy_text(reading)
    columns = reading.columns
    if columns and resolve(reading.headers, reading.mapping).targets == columns.targets:
        key = staged_rows_key(school, data, reading.mapping, today)
        cache.set(key, rows, STAGED_ROWS_SECONDS)
    return rows


def _kept_rows(school: School, data: bytes, mapping: dict[str, str]) -> tuple[str, str]:
    """The rows the preview kept for exactly this file, columns, years and day; else the
    file read again, which must still be clean."""
    key = staged_rows_key(school, data, mapping, timezone.localdate())
    rows = cache.get(key)
    if rows is None:
        reading = read_for_school(school, data, mapping)
        if reading.errors:
            raise ImportRefused("The file no longer reads cleanly.")
        rows = staging.copy_text(reading)
    cache.delete(key)
    return rows


def saved_mapping(school: School) -> dict[str, str]:
    saved = ColumnMapping.objects.filter(school=school).first()
    return dict(saved.mapping) if saved else {}


def import_preview(
    *, actor: User, school: School, file_name: str, data: bytes, mapping: dict | None = None
) -> ImportBatch:
    """Check the file and work out what would change; write no student."""
    _require_keeper(actor, school.pk)
    if len(data) > settings.CONSENT_IMPORT_MAX_BYTES:
        raise ImportRefused(
            f"The file is larger than {settings.CONSENT_IMPORT_MAX_BYTES // 1_000_000} MB."
        )
    if mapping is None:
        mapping = saved_mapping(school)
    today = timezone.localdate()
    reading = read_for_school(school, data, mapping, today)
    errors = [[e.line, e.reason] for e in reading.errors]
    warnings = [[w.line, w.reason] for w in reading.warnings]
    with transaction.atomic():
        summary: dict = {}
        leavers: list[int] = []
        with connection.cursor() as cursor:
            # The file is kept until the import (a day at most): compressed with lz4 when the
            # server has it, in half the time of the default (pglz) for a large file.
            cursor.execute(
                "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings"
                " WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
            )
        if not errors:
            with connection.cursor() as cursor:
                staging.stage(cursor, _keep_rows(school, data, reading, today), school.pk)
                summary = staging.plan(cursor, school.pk)
                leavers = staging.missing_students(cursor, school.pk)
                roll = staging.on_roll(cursor, school.pk)
                staging.unstage(cursor)
            summary["on_roll"] = roll
            summary["partial"] = bool(roll and len(leavers) > PARTIAL_FILE_SHARE * roll)
        summary["kind"] = reading.kind
        summary["not_kept"] = reading.columns.not_kept if reading.columns else []
        summary["ignored"] = reading.columns.ignored if reading.columns else []
        return ImportBatch.objects.create(
            school=school,
            uploaded_by=actor,
            file_name=file_name[:200],
            content=data,
            mapping=reading.mapping,
            status=ImportBatch.Status.REJECTED if errors else ImportBatch.Status.PREVIEWED,
            total_rows=len(reading.students) + len([e for e in reading.errors if e.line]),
            summary=summary,
            errors=errors,
            warnings=warnings,
            leavers=leavers,
        )


def column_mapping_save(
    *, actor: User, batch: ImportBatch, decisions: dict[str, str]
) -> ImportBatch:
    """The office's answer for the columns of this file (column -> target, or "ignore"):
    remembered for the school, and the file checked again with it (a new preview)."""
    _require_keeper(actor, batch.school_id)
    allowed = set(valid_targets())
    chosen = {k: v for k, v in decisions.items() if v in allowed}
    with transaction.atomic():
        row, _ = ColumnMapping.objects.select_for_update().get_or_create(school=batch.school)
        row.mapping = {**row.mapping, **chosen}
        row.save(update_fields=["mapping", "updated_at"])
        record(
            actor,
            "consent.import_columns_mapped",
            batch,
            batch.school_id,
            {"columns": len(chosen), "ignored": sum(1 for v in chosen.values() if v == "ignore")},
        )
        mapping = dict(row.mapping)
    return import_preview(
        actor=actor,
        school=batch.school,
        file_name=batch.file_name,
        data=bytes(batch.content),
        mapping=mapping,
    )


def import_confirm(*, actor: User, batch: ImportBatch, mark_left: bool = False) -> ImportBatch:
    """Apply a previewed batch: small files at once, large ones in a Celery task. The students
    missing from the file are marked as left only with `mark_left`, the office's own
    confirmation of the list the preview showed."""
    _require_keeper(actor, batch.school_id)
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ImportRefused("Only a checked file without errors can be imported.")
    mark_left = bool(mark_left and batch.leavers)
    with transaction.atomic():
        # Its file is still there (consents/import_retention.py drops it after a day).
        queued = (
            ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED)
            .exclude(content=b"")
            .update(status=ImportBatch.Status.QUEUED, mark_left=mark_left)
        )
        if not queued:
            raise ImportRefused("This check has expired: upload the file again.")
        ColumnMapping.objects.update_or_create(
            school_id=batch.school_id,
            defaults={"mapping": {**saved_mapping(batch.school), **batch.mapping}},
        )
        record(
            actor,
            "consent.import_confirmed",
            batch,
            batch.school_id,
            {
                "file": batch.file_name,
                **{k: v for k, v in batch.summary.items() if isinstance(v, int | bool)},
                "mark_left": mark_left,
            },
        )
        if batch.total_rows > settings.CONSENT_IMPORT_SYNC_ROWS:
            # Found in Celery's registry (consents.tasks imports this module to run it).
            current_app.tasks["consents.tasks.run_import"].delay_on_commit(batch.pk)
    if batch.total_rows <= settings.CONSENT_IMPORT_SYNC_ROWS:
        apply_batch(batch.pk)
    batch.refresh_from_db()
    return batch


def apply_batch(batch_id: int) -> None:
    """Write the batch in one transaction: all rows or none. Safe to run twice."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in (ImportBatch.Status.QUEUED,):
            return
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.RUNNING)
    try:
        with transaction.atomic():
            school = School.objects.get(pk=batch.school_id)
            rows = _kept_rows(school, bytes(batch.content), batch.mapping)
            _progress(batch, "read")
            school_id = batch.school_id
            with connection.cursor() as cursor:
                # One import per school at a time (the lock is held until commit): the plan
                # must still hold when it is written, and two imports must not both add the
                # same new carer (Carer has no unique key: the office may add namesakes).
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"mis:{school_id}"])
                staging.stage(cursor, rows, school_id)
                _progress(batch, "staged")
                summary = {**batch.summary, **staging.plan(cursor, school_id)}
                staging.write_carers(cursor, school_id)
                _progress(batch, "carers")
                staging.write_students(cursor, school_id)
                _progress(batch, "students")
                staging.link_carers(cursor, school_id)
                _progress(batch, "links")
                left = 0
                if batch.mark_left:
                    left = staging.mark_leavers(
                        cursor, school_id, batch.leavers, timezone.localdate()
                    )
                summary["left"] = left
                staging.unstage(cursor)
            batch.status = ImportBatch.Status.DONE
            batch.summary = summary
            batch.finished_at = timezone.now()
            batch.processed_rows = batch.total_rows
            batch.content = b""
            batch.save(
                update_fields=["status", "summary", "finished_at", "processed_rows", "content"]
            )
            record(
                None,
                "consent.imported",
                batch,
                batch.school_id,
                {k: v for k, v in summary.items() if isinstance(v, int | bool)},
            )
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, finished_at=timezone.now()
        )
        raise
