"""The MIS import's SQL (issues 9 and 17): the checked rows of a file are streamed with
`COPY ... FROM STDIN` into temporary tables that vanish at commit, and a handful of statements
over whole tables work out what changes (`plan`, the preview's counts and its list of students
missing from the file) and write it (`write_carers`, `write_students`, `link_carers`,
`mark_leavers`). Preview and import use the same staging and the same plan, so the counts the
office confirms are the counts the import records.

How rows are matched:
- a student by the school and the MIS id (the unique constraint `student_mis_id_per_school`);
- a carer by the school, the name exactly and the email in any case; with several such carers
  (the office may have added one by hand) the oldest is used, and a new one is made when none
  matches, so a changed email or name gives a new carer record;
- a link by student and carer (`student_carer_unique`); an import adds links and updates their
  relationship, priority and parental responsibility, and never removes one.
A student counts as changed when a field differs or one of their carers in the file is not yet
linked to them as the file says.
"""

from __future__ import annotations

import io
import re
from datetime import date

from django.db import connection

from .mis_rows import STUDENT_DB_FIELDS, Reading
from .models import Carer, Student, StudentCarer

STAGE_STUDENTS = "consents_mis_stage_student"
STAGE_CARERS = "consents_mis_stage_carer"
STAGE_CARER_IDS = "consents_mis_stage_carer_id"
STAGE_NEW_STUDENTS = "consents_mis_stage_new_student"  # the students this import adds


# --- Staging: COPY the checked rows into temporary tables ---------------------------------

# COPY's text format: tab between columns, \N for NULL, and these four escaped in values.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")
NULL = "\\N"


def _e(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


def _student_copy(students: list[tuple]) -> str:
    """Student tuples (mis_rows.STUDENT_COLUMNS) as COPY text. Year groups and ISO dates never
    need escaping; the names, the MIS id and the form are escaped when any holds a special."""
    out = []
    for line, mis_id, given, family, preferred, year, form, on_roll, left, born in students:
        if _NEEDS_ESCAPE.search(f"{mis_id}{given}{family}{preferred}{form}"):
            mis_id, given, family, preferred, form = map(
                _e, (mis_id, given, family, preferred, form)
            )
        out.append(
            f"{line}\t{mis_id}\t{given}\t{family}\t{preferred}\t{year}\t{form}"
            f"\t{on_roll or NULL}\t{left or NULL}\t{born or NULL}\n"
        )
    return "".join(out)


def _carer_copy(carers: list[tuple]) -> str:
    """Carer tuples (mis_rows.CARER_COLUMNS) as COPY text."""
    out = []
    flag = {True: "t", False: "f", None: NULL}
    for line, mis_id, position, name, relationship, email, priority, resp in carers:
        if _NEEDS_ESCAPE.search(f"{mis_id}{name}{relationship}{email}"):
            mis_id, name, relationship, email = map(_e, (mis_id, name, relationship, email))
        out.append(
            f"{line}\t{mis_id}\t{position}\t{name}\t{relationship}\t{email}"
            f"\t{NULL if priority is None else priority}\t{flag[resp]}\n"
        )
    return "".join(out)


def copy_text(reading: Reading) -> tuple[str, str]:
    """The good rows of a reading as COPY text: (students, carers). What `stage` streams, and
    what the preview keeps for the import (`imports`)."""
    return _student_copy(reading.students), _carer_copy(reading.carers)


def stage(cursor, rows: tuple[str, str], school_id: int) -> None:
    """Stream the checked rows (`copy_text`) into temporary tables (dropped at commit) and
    resolve the carers the school already knows.

    A test's transaction may still hold the tables of an earlier step, hence the DROP first.
    """
    cursor.execute(
        f"""
        -- Room to hash and sort 100,000s of rows in memory, for this transaction only.
        SET LOCAL work_mem = '64MB';
        DROP TABLE IF EXISTS
            pg_temp.{STAGE_STUDENTS}, pg_temp.{STAGE_CARERS}, pg_temp.{STAGE_CARER_IDS},
            pg_temp.{STAGE_NEW_STUDENTS};
        CREATE TEMPORARY TABLE {STAGE_STUDENTS} (
            line integer, mis_id text, given_name text, family_name text, preferred_name text,
            year_group text, form text, on_roll_from date, left_on date, date_of_birth date
        ) ON COMMIT DROP;
        CREATE TEMPORARY TABLE {STAGE_CARERS} (
            line integer, mis_id text, position smallint, name text, relationship text,
            email text, priority smallint, responsibility boolean
        ) ON COMMIT DROP;
        """
    )
    for table, payload in zip((STAGE_STUDENTS, STAGE_CARERS), rows, strict=True):
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
    # completed by write_carers with the carers it adds.
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
            CREATE UNIQUE INDEX {stage_carer_ids}_key ON {stage_carer_ids} (name, email_key);
            ANALYZE {stage_carer_ids};
            """
        ),
        {"school": school_id},
    )


def unstage(cursor) -> None:
    cursor.execute(
        f"DROP TABLE IF EXISTS {STAGE_STUDENTS}, {STAGE_CARERS}, {STAGE_CARER_IDS},"
        f" {STAGE_NEW_STUDENTS}"
    )


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
        stage_new_students=STAGE_NEW_STUDENTS,
        fields=", ".join(STUDENT_DB_FIELDS),
        s_fields=", ".join(f"s.{f}" for f in STUDENT_DB_FIELDS),
        st_fields=", ".join(f"st.{f}" for f in STUDENT_DB_FIELDS),
        set_fields=", ".join(f"{f} = st.{f}" for f in STUDENT_DB_FIELDS),
    )


def plan(cursor, school_id: int) -> dict[str, int]:
    """What the staged file changes for the school: created, changed, unchanged, left."""
    cursor.execute(
        _sql(
            """
            WITH carer_changed AS MATERIALIZED (
                -- Existing students with a contact in the file not linked to them with that
                -- relationship (a carer unknown to the school counts: it has no id yet).
                -- Worked out once: the live tables' statistics lag behind an import, and a
                -- plan that thinks the school has one student would run it once per student.
                -- Per student and carer the first contact of the row counts, as in
                -- link_carers ("C": a byte-order sort, only to group equal values).
                SELECT DISTINCT f.student_id
                FROM (
                    SELECT DISTINCT ON (s.id, c.name COLLATE "C", lower(c.email) COLLATE "C")
                        s.id AS student_id, c.name, lower(c.email) AS email_key, c.relationship,
                        c.priority, c.responsibility
                    FROM {stage_carers} c
                    JOIN {student} s ON s.school_id = %(school)s AND s.mis_id = c.mis_id
                    ORDER BY s.id, c.name COLLATE "C", lower(c.email) COLLATE "C", c.position
                ) f
                LEFT JOIN {stage_carer_ids} k ON k.name = f.name AND k.email_key = f.email_key
                WHERE NOT EXISTS (
                    SELECT 1 FROM {link} l
                    WHERE l.student_id = f.student_id AND l.carer_id = k.id
                        AND l.relationship = f.relationship
                        AND l.priority IS NOT DISTINCT FROM f.priority
                        AND l.parental_responsibility IS NOT DISTINCT FROM f.responsibility
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


def write_carers(cursor, school_id: int) -> None:
    """Add the carers the school does not know yet (by name and email in any case), in file
    order with the first spelling of the email in the file, and note their ids for
    link_carers. The first contact of each name and email is found by hashing, not by
    sorting the file's names and emails."""
    cursor.execute(
        _sql(
            """
            -- link_carers joins the whole table: no index to keep up to date.
            DROP INDEX {stage_carer_ids}_key;
            WITH added AS (
                INSERT INTO {carer} (school_id, name, email)
                SELECT %(school)s, c.name, c.email
                FROM {stage_carers} c
                WHERE NOT EXISTS (
                    SELECT 1 FROM {stage_carer_ids} k
                    WHERE k.name = c.name AND k.email_key = lower(c.email)
                ) AND NOT EXISTS (
                    SELECT 1 FROM {stage_carers} e
                    WHERE e.name = c.name AND lower(e.email) = lower(c.email)
                        AND (e.line, e.position, e.ctid) < (c.line, c.position, c.ctid)
                )
                ORDER BY c.line, c.position
                RETURNING id, name, email
            )
            INSERT INTO {stage_carer_ids} (name, email_key, id)
            SELECT name, lower(email), id FROM added;
            ANALYZE {stage_carer_ids};
            """
        ),
        {"school": school_id},
    )


def write_students(cursor, school_id: int) -> None:
    """Update the students whose fields differ, then add the new ones in file order. The
    new students' ids are noted: their links go in without looking for links that cannot
    exist yet."""
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
            CREATE TEMPORARY TABLE {stage_new_students} (id integer, mis_id text)
                ON COMMIT DROP;
            WITH added AS (
                INSERT INTO {student} (school_id, mis_id, {fields})
                SELECT %(school)s, st.mis_id, {st_fields}
                FROM {stage_students} st
                WHERE NOT EXISTS (
                    SELECT 1 FROM {student} s
                    WHERE s.school_id = %(school)s AND s.mis_id = st.mis_id
                )
                ORDER BY st.line
                RETURNING id, mis_id
            )
            INSERT INTO {stage_new_students} SELECT id, mis_id FROM added;
            CREATE UNIQUE INDEX ON {stage_new_students} (mis_id);
            ANALYZE {stage_new_students};
            """
        ),
        {"school": school_id},
    )


def link_carers(cursor, school_id: int) -> None:
    """Link every student to the carers the file gives them; update a changed relationship.
    Links already there with the same relationship are left alone (no row lock, no write).
    Per student and carer the first contact of the row wins ("Contact 1" over "Contact 2"
    when the same person is given twice), so the relationship does not flip between imports.
    A student this import adds has no link yet, and no one else can see them to add one: their
    links are plain inserts; the others' may meet a link the office added by hand meanwhile.
    """
    cursor.execute(
        _sql(
            """
            INSERT INTO {link} (
                student_id, carer_id, relationship, priority, parental_responsibility
            )
            SELECT DISTINCT ON (n.id, k.id) n.id, k.id,
                c.relationship, c.priority, c.responsibility
            FROM {stage_carers} c
            JOIN {stage_new_students} n ON n.mis_id = c.mis_id
            JOIN {stage_carer_ids} k ON k.name = c.name AND k.email_key = lower(c.email)
            ORDER BY n.id, k.id, c.position
            """
        )
    )
    cursor.execute(
        _sql(
            """
            INSERT INTO {link} (
                student_id, carer_id, relationship, priority, parental_responsibility
            )
            SELECT f.student_id, f.carer_id, f.relationship, f.priority, f.responsibility
            FROM (
                SELECT DISTINCT ON (s.id, k.id) s.id AS student_id, k.id AS carer_id,
                    c.relationship, c.priority, c.responsibility
                FROM {stage_carers} c
                JOIN {student} s ON s.school_id = %(school)s AND s.mis_id = c.mis_id
                JOIN {stage_carer_ids} k ON k.name = c.name AND k.email_key = lower(c.email)
                WHERE NOT EXISTS (SELECT 1 FROM {stage_new_students} n WHERE n.id = s.id)
                ORDER BY s.id, k.id, c.position
            ) f
            WHERE NOT EXISTS (
                SELECT 1 FROM {link} l
                WHERE l.student_id = f.student_id AND l.carer_id = f.carer_id
                    AND l.relationship = f.relationship
                    AND l.priority IS NOT DISTINCT FROM f.priority
                    AND l.parental_responsibility IS NOT DISTINCT FROM f.responsibility
            )
            ON CONFLICT (student_id, carer_id) DO UPDATE SET
                relationship = EXCLUDED.relationship, priority = EXCLUDED.priority,
                parental_responsibility = EXCLUDED.parental_responsibility
            """
        ),
        {"school": school_id},
    )


def missing_students(cursor, school_id: int) -> list[int]:
    """Ids of the school's students on roll who are not in the staged file (the preview lists
    them by name; marking them as left needs its own confirmation)."""
    cursor.execute(
        _sql(
            """
            SELECT s.id FROM {student} s
            WHERE s.school_id = %(school)s AND s.left_on IS NULL AND NOT EXISTS (
                SELECT 1 FROM {stage_students} st WHERE st.mis_id = s.mis_id
            )
            ORDER BY s.family_name, s.given_name, s.id
            """
        ),
        {"school": school_id},
    )
    return [row[0] for row in cursor.fetchall()]


def on_roll(cursor, school_id: int) -> int:
    cursor.execute(
        _sql("SELECT count(*) FROM {student} WHERE school_id = %(school)s AND left_on IS NULL"),
        {"school": school_id},
    )
    return cursor.fetchone()[0]


def mark_leavers(cursor, school_id: int, ids: list[int], today: date) -> int:
    """The students listed in the preview and confirmed by the office leave today (never
    deleted), unless they are in the file after all or left already."""
    cursor.execute(
        _sql(
            """
            UPDATE {student} s SET left_on = %(today)s
            WHERE s.school_id = %(school)s AND s.left_on IS NULL AND s.id = ANY(%(ids)s)
                AND NOT EXISTS (SELECT 1 FROM {stage_students} st WHERE st.mis_id = s.mis_id)
            """
        ),
        {"school": school_id, "today": today, "ids": list(ids)},
    )
    return cursor.rowcount
