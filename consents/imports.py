"""Import of students and carers from a MIS export (issues 6 and 9): preview, then all or nothing.

Re-importing the same file changes nothing; students missing from a new file are marked as
left (never deleted). Large files run as a Celery task that reports progress in the cache.

Set-based, so that 100,000 rows take seconds (issue 9, docs/benchmarks.md): the file is checked
row by row in Python (`mis_csv.read`), the good rows are streamed with `COPY ... FROM STDIN`
into two temporary tables that vanish at commit, and a handful of SQL statements work out what
changes (`_plan`, the preview's counts) and write it (`_write_carers`, `_write_students`,
`_link_carers`, `_mark_leavers`). Preview and apply use the same staging and the same plan, so
the counts the office confirms are the counts the import records.

How rows are matched:
- a student by the school and the MIS id (the unique constraint `student_mis_id_per_school`);
- a carer by the school, the name exactly and the email in any case; with several such carers
  (the office may have added one by hand) the oldest is used, and a new one is made when none
  matches, so a changed email or name gives a new carer record;
- a link by student and carer (`student_carer_unique`); an import adds links and updates their
  relationship, and never removes one (a carer added by the office stays).
A student counts as changed when a field differs or one of their carers in the file is not yet
linked to them with that relationship.
"""

from __future__ import annotations

import io
import re

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from accounts.access import require
from accounts.roles import Perm
from accounts.selectors import user_has_school_perm
from audit.services import record
from portal.errors import ServiceError

from .mis_csv import STUDENT_FIELDS, Reading, read
from .models import Carer, ColumnMapping, ImportBatch, Student, StudentCarer

# Share of the work done after each step, for the progress bar (the writes are a few big
# statements, so progress moves by step, not by row).
PROGRESS_AFTER = {"read": 0.2, "staged": 0.35, "carers": 0.55, "students": 0.75, "links": 0.95}
STAGE_STUDENTS = "consents_mis_stage_student"
STAGE_CARERS = "consents_mis_stage_carer"
STAGE_CARER_IDS = "consents_mis_stage_carer_id"


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
    reading = read(data, mapping)
    errors = [[e.line, e.reason] for e in reading.errors]
    with transaction.atomic():
        summary = {}
        if not errors:
            with connection.cursor() as cursor:
                _stage(cursor, reading, school.pk)
                summary = _plan(cursor, school.pk)
                _unstage(cursor)
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
            reading = read(bytes(batch.content), batch.mapping)
            if reading.errors:
                raise ImportRefused("The file no longer reads cleanly.")
            _progress(batch, "read")
            school_id = batch.school_id
            with connection.cursor() as cursor:
                # One import per school at a time (the lock is held until commit): the plan
                # must still hold when it is written, and two imports must not both add the
                # same new carer (Carer has no unique key: the office may add namesakes).
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"mis:{school_id}"])
                _stage(cursor, reading, school_id)
                _progress(batch, "staged")
                summary = _plan(cursor, school_id)
                _write_carers(cursor, school_id)
                _progress(batch, "carers")
                _write_students(cursor, school_id)
                _progress(batch, "students")
                _link_carers(cursor, school_id)
                _progress(batch, "links")
                _mark_leavers(cursor, school_id, timezone.localdate())
                _unstage(cursor)
            batch.status = ImportBatch.Status.DONE
            batch.summary = summary
            batch.finished_at = timezone.now()
            batch.processed_rows = batch.total_rows
            batch.content = b""
            batch.save(
                update_fields=["status", "summary", "finished_at", "processed_rows", "content"]
            )
            record(None, "consent.imported", batch, batch.school_id, summary)
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, finished_at=timezone.now()
        )
        raise


# --- Staging: COPY the checked rows into temporary tables ---------------------------------

# COPY's text format: tab between columns, \N for NULL, and these four escaped in values.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")
NULL = "\\N"


def _e(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


def _student_copy(students: list[tuple]) -> str:
    """Student tuples (mis_csv.STUDENT_COLUMNS) as COPY text. Year groups and ISO dates never
    need escaping; the names, the MIS id and the form are escaped when any holds a special."""
    out = []
    for line, mis_id, given, family, preferred, year, form, on_roll, left in students:
        if _NEEDS_ESCAPE.search(f"{mis_id}{given}{family}{preferred}{form}"):
            mis_id, given, family, preferred, form = map(
                _e, (mis_id, given, family, preferred, form)
            )
        out.append(
            f"{line}\t{mis_id}\t{given}\t{family}\t{preferred}\t{year}\t{form}"
            f"\t{on_roll or NULL}\t{left or NULL}\n"
        )
    return "".join(out)


def _carer_copy(carers: list[tuple]) -> str:
    """Carer tuples (mis_csv.CARER_COLUMNS) as COPY text."""
    out = []
    for line, mis_id, position, name, relationship, email in carers:
        if _NEEDS_ESCAPE.search(f"{mis_id}{name}{relationship}{email}"):
            mis_id, name, relationship, email = map(_e, (mis_id, name, relationship, email))
        out.append(f"{line}\t{mis_id}\t{position}\t{name}\t{relationship}\t{email}\n")
    return "".join(out)


def _stage(cursor, reading: Reading, school_id: int) -> None:
    """Stream the checked rows into temporary tables (dropped at commit) and resolve the
    carers the school already knows.

    A test's transaction may still hold the tables of an earlier step, hence the DROP first.
    """
    cursor.execute(
        f"""
        -- Room to hash and sort 100,000s of rows in memory, for this transaction only.
        SET LOCAL work_mem = '64MB';
        DROP TABLE IF EXISTS
            pg_temp.{STAGE_STUDENTS}, pg_temp.{STAGE_CARERS}, pg_temp.{STAGE_CARER_IDS};
        CREATE TEMPORARY TABLE {STAGE_STUDENTS} (
            line integer, mis_id text, given_name text, family_name text, preferred_name text,
            year_group text, form text, on_roll_from date, left_on date
        ) ON COMMIT DROP;
        CREATE TEMPORARY TABLE {STAGE_CARERS} (
            line integer, mis_id text, position smallint, name text, relationship text,
            email text
        ) ON COMMIT DROP;
        """
    )
    for table, payload in (
        (STAGE_STUDENTS, _student_copy(reading.students)),
        (STAGE_CARERS, _carer_copy(reading.carers)),
    ):
        if payload:
            cursor.copy_expert(f"COPY {table} FROM STDIN", io.StringIO(payload), 1 << 20)
    # Indexes and statistics, so that no join below can fall back to scanning a staging
    # table once per row (the live tables' statistics lag behind a bulk import). A small
    # sample is enough for row counts and spread, and ANALYZE then takes a tenth of the time.
    cursor.execute(
        f"""
        CREATE UNIQUE INDEX ON {STAGE_STUDENTS} (mis_id);
        CREATE INDEX ON {STAGE_CARERS} (mis_id);
        SET LOCAL default_statistics_target = 10;
        ANALYZE {STAGE_STUDENTS}, {STAGE_CARERS};
        """
    )
    # The carer each (name, email in any case) of the file stands for: the school's oldest
    # carer with that name and email. Built once, used by the plan and the links, and
    # completed by _write_carers with the carers it adds.
    cursor.execute(
        _sql(
            """
            CREATE TEMPORARY TABLE {stage_carer_ids} ON COMMIT DROP AS
            SELECT k.name::text AS name, lower(k.email) AS email_key, min(k.id) AS id
            FROM {carer} k
            WHERE k.school_id = %(school)s AND EXISTS (
                SELECT 1 FROM {stage_carers} c
                WHERE c.name = k.name AND lower(c.email) = lower(k.email)
            )
            GROUP BY k.name, lower(k.email);
            CREATE UNIQUE INDEX ON {stage_carer_ids} (name, email_key);
            ANALYZE {stage_carer_ids};
            """
        ),
        {"school": school_id},
    )


def _unstage(cursor) -> None:
    cursor.execute(f"DROP TABLE {STAGE_STUDENTS}, {STAGE_CARERS}, {STAGE_CARER_IDS}")


# --- Plan and writes: set-based SQL over the staged rows ------------------------------------


def _sql(template: str) -> str:
    """Fill in the table names (from the models) and the staging tables."""
    qn = connection.ops.quote_name
    return template.format(
        student=qn(Student._meta.db_table),
        carer=qn(Carer._meta.db_table),
        link=qn(StudentCarer._meta.db_table),
        stage_students=STAGE_STUDENTS,
        stage_carers=STAGE_CARERS,
        stage_carer_ids=STAGE_CARER_IDS,
        fields=", ".join(STUDENT_FIELDS),
        s_fields=", ".join(f"s.{f}" for f in STUDENT_FIELDS),
        st_fields=", ".join(f"st.{f}" for f in STUDENT_FIELDS),
        set_fields=", ".join(f"{f} = st.{f}" for f in STUDENT_FIELDS),
    )


def _plan(cursor, school_id: int) -> dict[str, int]:
    """What the staged file changes for the school: created, changed, unchanged, left."""
    cursor.execute(
        _sql(
            """
            WITH carer_changed AS (
                -- Existing students with a contact in the file not linked to them with that
                -- relationship (a carer unknown to the school counts: it has no id yet).
                -- Per student and carer the first contact of the row counts, as in
                -- _link_carers ("C": a byte-order sort, only to group equal values).
                SELECT DISTINCT f.student_id
                FROM (
                    SELECT DISTINCT ON (s.id, c.name COLLATE "C", lower(c.email) COLLATE "C")
                        s.id AS student_id, c.name, lower(c.email) AS email_key, c.relationship
                    FROM {stage_carers} c
                    JOIN {student} s ON s.school_id = %(school)s AND s.mis_id = c.mis_id
                    ORDER BY s.id, c.name COLLATE "C", lower(c.email) COLLATE "C", c.position
                ) f
                LEFT JOIN {stage_carer_ids} k ON k.name = f.name AND k.email_key = f.email_key
                WHERE NOT EXISTS (
                    SELECT 1 FROM {link} l
                    WHERE l.student_id = f.student_id AND l.carer_id = k.id
                        AND l.relationship = f.relationship
                )
            )
            SELECT
                count(*) FILTER (WHERE s.id IS NULL),
                count(*) FILTER (
                    WHERE s.id IS NOT NULL AND (
                        ({s_fields}) IS DISTINCT FROM ({st_fields})
                        OR cc.student_id IS NOT NULL
                    )
                ),
                count(*),
                (
                    SELECT count(*) FROM {student} s
                    WHERE s.school_id = %(school)s AND s.left_on IS NULL AND NOT EXISTS (
                        SELECT 1 FROM {stage_students} st WHERE st.mis_id = s.mis_id
                    )
                )
            FROM {stage_students} st
            LEFT JOIN {student} s ON s.school_id = %(school)s AND s.mis_id = st.mis_id
            LEFT JOIN carer_changed cc ON cc.student_id = s.id
            """
        ),
        {"school": school_id},
    )
    create, change, total, leave = cursor.fetchone()
    return {
        "create": create,
        "change": change,
        "unchanged": total - create - change,
        "leave": leave,
    }


def _write_carers(cursor, school_id: int) -> None:
    """Add the carers the school does not know yet (by name and email in any case), the
    first spelling of the email in the file, and note their ids for _link_carers."""
    cursor.execute(
        _sql(
            """
            WITH added AS (
                INSERT INTO {carer} (school_id, name, email)
                SELECT DISTINCT ON (c.name COLLATE "C", lower(c.email) COLLATE "C")
                    %(school)s, c.name, c.email
                FROM {stage_carers} c
                WHERE NOT EXISTS (
                    SELECT 1 FROM {stage_carer_ids} k
                    WHERE k.name = c.name AND k.email_key = lower(c.email)
                )
                ORDER BY c.name COLLATE "C", lower(c.email) COLLATE "C", c.line, c.position
                RETURNING id, name, email
            )
            INSERT INTO {stage_carer_ids} (name, email_key, id)
            SELECT name, lower(email), id FROM added;
            ANALYZE {stage_carer_ids};
            """
        ),
        {"school": school_id},
    )


def _write_students(cursor, school_id: int) -> None:
    """Update the students whose fields differ, then add the new ones in file order."""
    cursor.execute(
        _sql(
            """
            UPDATE {student} s SET {set_fields}
            FROM {stage_students} st
            WHERE s.school_id = %(school)s AND s.mis_id = st.mis_id
                AND ({s_fields}) IS DISTINCT FROM ({st_fields})
            """
        ),
        {"school": school_id},
    )
    # The advisory lock keeps other imports of the school out, so NOT EXISTS is enough here;
    # ON CONFLICT would cost every new row a speculative insertion.
    cursor.execute(
        _sql(
            """
            INSERT INTO {student} (school_id, mis_id, {fields})
            SELECT %(school)s, st.mis_id, {st_fields}
            FROM {stage_students} st
            WHERE NOT EXISTS (
                SELECT 1 FROM {student} s WHERE s.school_id = %(school)s AND s.mis_id = st.mis_id
            )
            ORDER BY st.line
            """
        ),
        {"school": school_id},
    )


def _link_carers(cursor, school_id: int) -> None:
    """Link every student to the carers the file gives them; update a changed relationship.
    Links already there with the same relationship are left alone (no row lock, no write).
    Per student and carer the first contact of the row wins ("Contact 1" over "Contact 2"
    when the same person is given twice), so the relationship does not flip between imports.
    """
    cursor.execute(
        _sql(
            """
            INSERT INTO {link} (student_id, carer_id, relationship)
            SELECT f.student_id, f.carer_id, f.relationship
            FROM (
                SELECT DISTINCT ON (s.id, k.id) s.id AS student_id, k.id AS carer_id,
                    c.relationship
                FROM {stage_carers} c
                JOIN {student} s ON s.school_id = %(school)s AND s.mis_id = c.mis_id
                JOIN {stage_carer_ids} k ON k.name = c.name AND k.email_key = lower(c.email)
                ORDER BY s.id, k.id, c.position
            ) f
            WHERE NOT EXISTS (
                SELECT 1 FROM {link} l
                WHERE l.student_id = f.student_id AND l.carer_id = f.carer_id
                    AND l.relationship = f.relationship
            )
            ON CONFLICT (student_id, carer_id) DO UPDATE SET relationship = EXCLUDED.relationship
            """
        ),
        {"school": school_id},
    )


def _mark_leavers(cursor, school_id: int, today) -> None:
    """Students of the school missing from the file leave today (never deleted)."""
    cursor.execute(
        _sql(
            """
            UPDATE {student} s SET left_on = %(today)s
            WHERE s.school_id = %(school)s AND s.left_on IS NULL AND NOT EXISTS (
                SELECT 1 FROM {stage_students} st WHERE st.mis_id = s.mis_id
            )
            """
        ),
        {"school": school_id, "today": today},
    )
