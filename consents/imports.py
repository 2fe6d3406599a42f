"""Import of students and carers from a MIS export (issue 6): preview, then all or nothing.

Re-importing the same file changes nothing; students missing from a new file are marked as
left (never deleted). Large files run as a Celery task that reports progress in the batch row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.access import require
from accounts.roles import Perm
from accounts.selectors import user_has_school_perm
from audit.services import record

from .mis_csv import ParseResult, StudentRow, parse
from .models import Carer, ColumnMapping, ImportBatch, Student, StudentCarer

STUDENT_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "year_group",
    "form",
    "on_roll_from",
)
BATCH = 2000


class ImportRefused(Exception):
    """The import cannot go ahead; the message is for the user."""


@dataclass
class Plan:
    create: list[StudentRow]
    change: list[tuple[Student, StudentRow]]
    unchanged: int
    leave: list[Student]

    @property
    def summary(self) -> dict[str, int]:
        return {
            "create": len(self.create),
            "change": len(self.change),
            "unchanged": self.unchanged,
            "leave": len(self.leave),
        }


def _values(obj) -> tuple:
    return tuple(getattr(obj, f) for f in (*STUDENT_FIELDS, "left_on"))


def _plan(school_id: int, result: ParseResult) -> Plan:
    existing = {s.mis_id: s for s in Student.objects.filter(school_id=school_id)}
    create, change, unchanged = [], [], 0
    seen: set[str] = set()
    for row in result.rows:
        seen.add(row.mis_id)
        student = existing.get(row.mis_id)
        if student is None:
            create.append(row)
        elif _values(student) != _values(row):
            change.append((student, row))
        else:
            unchanged += 1
    leave = [s for mis_id, s in existing.items() if mis_id not in seen and s.left_on is None]
    return Plan(create, change, unchanged, leave)


def progress_key(batch_id: int) -> str:
    return f"consents:import-progress:{batch_id}"


def import_progress(batch: ImportBatch) -> int:
    """Rows written so far. The import runs in one transaction, so progress is kept in the
    cache (Redis in production) where the page can read it before the commit."""
    if batch.status == ImportBatch.Status.DONE:
        return batch.total_rows
    return int(cache.get(progress_key(batch.pk), 0))


def import_preview(
    *, actor, school, file_name: str, data: bytes, mapping: dict | None = None
) -> ImportBatch:
    """Check the file and work out what would change; write no student."""
    require(
        user_has_school_perm(actor, Perm.MANAGE_CONSENT, school.pk),
        "Only the school's consent administrators import students.",
    )
    if len(data) > settings.CONSENT_IMPORT_MAX_BYTES:
        raise ImportRefused(
            f"The file is larger than {settings.CONSENT_IMPORT_MAX_BYTES // 1_000_000} MB."
        )
    if mapping is None:
        saved = ColumnMapping.objects.filter(school=school).first()
        mapping = saved.mapping if saved else None
    result = parse(data, mapping)
    errors = [[e.line, e.reason] for e in result.errors]
    summary = _plan(school.pk, result).summary if not errors else {}
    return ImportBatch.objects.create(
        school=school,
        uploaded_by=actor,
        file_name=file_name[:200],
        content=data,
        mapping=result.mapping,
        status=ImportBatch.Status.REJECTED if errors else ImportBatch.Status.PREVIEWED,
        total_rows=len(result.rows) + len([e for e in result.errors if e.line]),
        summary=summary,
        errors=errors,
    )


def import_confirm(*, actor, batch: ImportBatch) -> ImportBatch:
    """Apply a previewed batch: small files at once, large ones in a Celery task."""
    require(
        user_has_school_perm(actor, Perm.MANAGE_CONSENT, batch.school_id),
        "Only the school's consent administrators import students.",
    )
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ImportRefused("Only a checked file without errors can be imported.")
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.QUEUED)
        ColumnMapping.objects.update_or_create(
            school_id=batch.school_id, defaults={"mapping": batch.mapping}
        )
        record(
            actor,
            "consent.import_confirmed",
            batch,
            batch.school_id,
            {"file": batch.file_name, **batch.summary},
        )
        if batch.total_rows > settings.CONSENT_IMPORT_SYNC_ROWS:
            from .tasks import run_import

            run_import.delay_on_commit(batch.pk)
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
            result = parse(bytes(batch.content), batch.mapping)
            if result.errors:
                raise ImportRefused("The file no longer reads cleanly.")
            plan = _plan(batch.school_id, result)
            _write(batch, plan)
            batch.status = ImportBatch.Status.DONE
            batch.summary = plan.summary
            batch.finished_at = timezone.now()
            batch.processed_rows = batch.total_rows
            batch.content = b""
            batch.save(
                update_fields=["status", "summary", "finished_at", "processed_rows", "content"]
            )
            record(None, "consent.imported", batch, batch.school_id, plan.summary)
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, finished_at=timezone.now()
        )
        raise


def _write(batch: ImportBatch, plan: Plan) -> None:
    school_id = batch.school_id
    today = timezone.localdate()
    new_students = [
        Student(
            school_id=school_id,
            mis_id=r.mis_id,
            left_on=r.left_on,
            **{f: getattr(r, f) for f in STUDENT_FIELDS},
        )
        for r in plan.create
    ]
    for i in range(0, len(new_students), BATCH):
        Student.objects.bulk_create(new_students[i : i + BATCH])
        cache.set(progress_key(batch.pk), i + len(new_students[i : i + BATCH]), 3600)
    for student, row in plan.change:
        for f in STUDENT_FIELDS:
            setattr(student, f, getattr(row, f))
        student.left_on = row.left_on
    Student.objects.bulk_update(
        [s for s, _ in plan.change], [*STUDENT_FIELDS, "left_on"], batch_size=BATCH
    )
    for student in plan.leave:
        student.left_on = today
    Student.objects.bulk_update(plan.leave, ["left_on"], batch_size=BATCH)
    _link_carers(school_id, plan)


def _link_carers(school_id: int, plan: Plan) -> None:
    rows = plan.create + [row for _, row in plan.change]
    if not any(r.carers for r in rows):
        return
    ids = dict(
        Student.objects.filter(
            school_id=school_id, mis_id__in=[r.mis_id for r in rows]
        ).values_list("mis_id", "pk")
    )
    by_key: dict[tuple[str, str], Carer] = {}
    for c in Carer.objects.filter(school_id=school_id):
        by_key[(c.name, c.email.lower())] = c
    new_carers: list[Carer] = []
    for r in rows:
        for c in r.carers:
            key = (c.name, c.email.lower())
            if key not in by_key:
                by_key[key] = Carer(school_id=school_id, name=c.name, email=c.email)
                new_carers.append(by_key[key])
    Carer.objects.bulk_create(new_carers, batch_size=BATCH)
    links = [
        StudentCarer(
            student_id=ids[r.mis_id],
            carer=by_key[(c.name, c.email.lower())],
            relationship=c.relationship,
        )
        for r in rows
        for c in r.carers
    ]
    StudentCarer.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
