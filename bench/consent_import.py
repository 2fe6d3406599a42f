"""Benchmark: MIS import of N students, upload to done, against a COPY of the same file into
the same tables (the honest limit), measured in the same run; then a small school's file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_bench_mis \
        .venv/bin/python bench/consent_import.py --rows 100000 --small 2000

Options: --rows (default 100,000), --small (the second, small school's file: default 2,000;
0 skips it), --repeat (runs of each measure, the best counts: default 3), --no-again (skip
the re-import of the same file).

The database named by DATABASE_URL is migrated first (created when missing) and gets one
benchmark school; nothing else is touched. The file is SIMS-style, made here: accented names
and apostrophes, a date of birth, two contacts each (UTF-8 with BOM, CRLF). Before every timed
run the school's links, students and carers are deleted and the three tables vacuumed, so
every run starts from the same state.

Measured for each file size:
1. the honest limit: the file's bytes decoded and parsed, turned into the tables' columns with
   the least work (ids reserved from the sequences, year groups stripped of "Year ", dates
   left to PostgreSQL), three `COPY ... FROM STDIN` into the real `consents` student, carer
   and link tables (all their indexes, constraints and deferred foreign keys) in one
   transaction, committed; best of --repeat, each then deleted again;
2. the import as the office experiences it, through the services with DEBUG off: the preview
   (`import_preview`: read and check every row, stage, plan, store the batch; committed),
   then the import (`import_confirm` applying the batch in one transaction; committed); best
   of --repeat first imports, each into the emptied school;
3. the same file again: nothing changes (the usual termly re-import), once.
Prints, per file, the time of each step of the preview and the import (each step's own time:
the steps are timed by wrapping the functions the services call), the COPY's parts, the ratio
COPY time / first import time (target: at least 0.5) and, for a file of at most 2,000
students, whether upload to done took under a second (the target).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")  # no query log: as in production
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_bench")

FIRST = ["Amara", "Siobhán", "Zoë", "José", "Thảo", "Kofi", "Niamh", "Dáithí", "Priya", "Tomasz"]
FAMILY = ["O'Brien", "Nguyễn", "Müller-Lüdenscheidt", "Smith", "D'Souza", "Ó Sé", "Kowalski"]
HEADER = (
    "UPN,Legal Surname,Legal Forename,Preferred Forename,Date of Birth,Year,Reg,Admission Date,"
    "Contact 1 Name,Contact 1 Relationship,Contact 1 Email,"
    "Contact 2 Name,Contact 2 Relationship,Contact 2 Email\r\n"
)


def make_csv(rows: int) -> bytes:
    out = io.StringIO()
    out.write(HEADER)
    for i in range(rows):
        fam = FAMILY[i % len(FAMILY)]
        first = FIRST[i % len(FIRST)]
        year = 7 + i % 7
        day, month = 1 + i % 28, 1 + i // 28 % 12
        born = f"{day:02d}/{month:02d}/{2025 - year - (5 if month >= 9 else 4)}"
        out.write(
            f'B{i:012d},"{fam}",{first},,{born},Year {year},{year}{"ABCD"[i % 4]},01/09/2025,'
            f'"{first} {fam} Sr",Mother,m{i}@example.org,"{fam}, Pat",Father,f{i}@example.org\r\n'
        )
    return out.getvalue().encode("utf-8-sig")


def ensure_database(url: str) -> None:
    import environ
    import psycopg2

    cfg = environ.Env.db_url_config(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=cfg["USER"] or "postgres",
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    conn.close()


STEPS = {
    # (module, function): what it does. The steps are timed by wrapping the functions the
    # services call; each step's time excludes the steps it calls (listed on their own).
    ("imports", "read"): "decode, parse and check every row (Python)",
    ("staging", "copy_text"): "the checked rows as COPY text (Python)",
    ("imports", "_keep_rows"): "keep the checked rows in the cache for the import",
    ("imports", "_kept_rows"): "the preview's checked rows from the cache (digest of the file)",
    ("staging", "stage"): "COPY into staging tables, index, resolve known carers",
    ("staging", "plan"): "plan: counts of created / changed / unchanged / left",
    ("staging", "missing_students"): "students on roll missing from the file",
    ("staging", "write_carers"): "INSERT new carers",
    ("staging", "write_students"): "UPDATE changed + INSERT new students",
    ("staging", "link_carers"): "INSERT / update student-carer links",
    ("staging", "mark_leavers"): "UPDATE leavers",
    ("connection", "commit"): "COMMIT (the deferred foreign-key checks of every new row)",
}


def instrument(modules: dict, spent: dict[str, float]) -> None:
    """Time each step of the import by wrapping the module-level functions the services call
    (and the commits of the database connection). A name a module does not have is skipped."""
    inner: list[float] = []  # per running step, the time of the steps it called

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            inner.append(0.0)
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                took = time.perf_counter() - t
                spent[name] += took - inner.pop()
                if inner:
                    inner[-1] += took

        return wrapper

    for module, name in STEPS:
        target = modules[module]
        if hasattr(target, name):
            setattr(target, name, timed(f"{module}.{name}", getattr(target, name)))


def wipe(cursor, school_id: int, tables: dict) -> None:
    """Delete the school's links, students and carers, then vacuum: every timed run starts
    from the same state (the benchmark school has no consent records)."""
    student, carer, link = tables["student"], tables["carer"], tables["link"]
    # Statistics first, and the links' dead rows gone before the carers' DELETE: its
    # foreign-key checks would otherwise scan them once per carer.
    cursor.execute(f"ANALYZE {student}, {carer}, {link}")
    cursor.execute(
        f"DELETE FROM {link} WHERE student_id IN (SELECT id FROM {student} WHERE school_id = %s)",
        [school_id],
    )
    cursor.execute(f"VACUUM ANALYZE {link}")
    cursor.execute(f"DELETE FROM {student} WHERE school_id = %s", [school_id])
    cursor.execute(f"DELETE FROM {carer} WHERE school_id = %s", [school_id])
    for table in (student, carer, link):
        cursor.execute(f"VACUUM ANALYZE {table}")


NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_into_tables(data: bytes, school_id: int, tables: dict) -> tuple[float, float, float]:
    """The honest limit: the same file's rows into the same tables (their indexes, constraints
    and deferred foreign keys) by COPY, with the least work in between, committed. The ids
    are reserved from the tables' sequences, so students, carers and links go in by three
    COPYs. Returns the seconds from the bytes to the committed rows, and of them the seconds
    of the three COPYs and of the COMMIT (the deferred foreign-key checks)."""
    from django.db import connection, transaction

    t0 = time.perf_counter()
    text = data.decode("utf-8-sig")
    escape = any(c in text for c in "\t\\") or "\n" in text.replace("\r\n", "")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    rows = list(reader)
    n = len(rows)
    copying = 0.0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL DateStyle = 'ISO, DMY'")  # the file's DD/MM/YYYY as they are
        first = {}
        for key, count in (("student", n), ("carer", 2 * n)):
            cur.execute(
                "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, 'id') s",
                [count, tables[key].strip('"')],
            )
            first[key] = cur.fetchone()[0] - count + 1
        students, carers, links = [], [], []
        sid, cid = first["student"], first["carer"]
        for upn, surname, forename, preferred, born, year, reg, admitted, *contacts in rows:
            if escape:
                upn, surname, forename, preferred, reg = (
                    v.translate(_COPY_ESCAPES) for v in (upn, surname, forename, preferred, reg)
                )
            students.append(
                f"{sid}\t{school_id}\t{upn}\t{forename}\t{surname}\t{preferred}"
                f"\t{year.removeprefix('Year ')}\t{reg}\t{admitted or NULL}\t{born or NULL}\n"
            )
            for k in (0, 3):
                name, relationship, email = contacts[k : k + 3]
                if escape:
                    name, relationship, email = (
                        v.translate(_COPY_ESCAPES) for v in (name, relationship, email)
                    )
                carers.append(f"{cid}\t{school_id}\t{name}\t{email}\n")
                links.append(f"{sid}\t{cid}\t{relationship}\n")
                cid += 1
            sid += 1
        for table, columns, lines in (
            (
                tables["student"],
                "id, school_id, mis_id, given_name, family_name, preferred_name, year_group,"
                " form, on_roll_from, date_of_birth",
                students,
            ),
            (tables["carer"], "id, school_id, name, email", carers),
            (tables["link"], "student_id, carer_id, relationship", links),
        ):
            payload = io.StringIO("".join(lines))
            t1 = time.perf_counter()
            cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", payload, 1 << 20)
            copying += time.perf_counter() - t1
        t2 = time.perf_counter()
    t3 = time.perf_counter()
    return t3 - t0, copying, t3 - t2


def import_once(office, school, data: bytes, spent: dict[str, float]) -> tuple:
    """Upload to done through the services: preview (read, check, stage, plan, store the
    batch; committed), then confirm (apply in one transaction, committed)."""
    from consents.imports import import_confirm, import_preview

    spent.clear()
    t0 = time.perf_counter()
    batch = import_preview(actor=office, school=school, file_name="bench.csv", data=data)
    t1 = time.perf_counter()
    preview_steps = dict(spent)
    spent.clear()
    assert batch.status == "previewed", batch.errors[:5]
    batch = import_confirm(actor=office, batch=batch)
    t2 = time.perf_counter()
    assert batch.status == "done"
    return t1 - t0, t2 - t1, preview_steps, dict(spent), batch.summary


def print_run(label: str, rows: int, run: tuple) -> float:
    preview, apply, preview_steps, apply_steps, summary = run
    total = preview + apply
    print(f"\n{label}: {summary}")
    for phase, took, steps in (("preview", preview, preview_steps), ("apply", apply, apply_steps)):
        print(f"  {phase}: {took:.3f} s")
        for (module, name), what in STEPS.items():
            key = f"{module}.{name}"
            if key in steps:
                print(f"    {steps[key]:7.3f} s  {what}")
        outer = sum(steps.values())
        rest = (
            "check the role, saved columns, store the file (ImportBatch)"
            if phase == "preview"
            else "batch status, audit, fetch the file"
        )
        print(f"    {took - outer:7.3f} s  the rest: {rest}")
    print(f"  total, upload to done: {total:.3f} s = {rows / total:,.0f} rows/s")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="students in the file")
    parser.add_argument(
        "--small", type=int, default=2_000, help="students of the small school's file (0: skip)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument(
        "--no-again", action="store_true", help="skip the second import of the same file"
    )
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    from accounts.models import School, Trust, User
    from accounts.roles import SchoolRole
    from accounts.services import role_assign
    from consents import imports
    from consents import mis_staging as staging
    from consents.models import Carer, Student, StudentCarer

    qn = connection.ops.quote_name
    tables = {
        "student": qn(Student._meta.db_table),
        "carer": qn(Carer._meta.db_table),
        "link": qn(StudentCarer._meta.db_table),
    }
    trust, _ = Trust.objects.get_or_create(name="Benchmark Trust")
    school, _ = School.objects.get_or_create(
        urn="999999",
        defaults={
            "trust": trust,
            "name": "Benchmark School",
            "phase": "secondary",
            "age_from": 11,
            "age_to": 18,
        },
    )
    office = User.objects.filter(
        email="bench-office@example.org"
    ).first() or User.objects.create_user(
        email="bench-office@example.org", full_name="Bench Office"
    )
    role_assign(actor=None, user=office, school=school, role=SchoolRole.CONSENT_ADMIN)

    spent: dict[str, float] = defaultdict(float)
    instrument({"imports": imports, "staging": staging, "connection": connection}, spent)

    def measure(rows: int) -> tuple[bytes, tuple, list, tuple | None]:
        """Best of `repeat` COPYs into the real tables, then best of `repeat` first imports
        (each from the same empty, vacuumed state), then the same file again once."""
        data = make_csv(rows)
        with connection.cursor() as cur:
            wipe(cur, school.pk, tables)
        copies = []
        for _ in range(args.repeat):
            copies.append(copy_into_tables(data, school.pk, tables))
            assert Student.objects.filter(school=school).count() == rows
            with connection.cursor() as cur:
                wipe(cur, school.pk, tables)
        firsts = []
        for i in range(args.repeat):
            if i:
                with connection.cursor() as cur:
                    wipe(cur, school.pk, tables)
            firsts.append(import_once(office, school, data, spent))
        assert Student.objects.filter(school=school).count() == rows
        again = None if args.no_again else import_once(office, school, data, spent)
        return data, min(copies), firsts, again

    with override_settings(CONSENT_IMPORT_SYNC_ROWS=10**9, CONSENT_IMPORT_MAX_BYTES=10**9):
        results = []
        for rows in (args.rows, args.small):
            if rows:
                results.append((rows, *measure(rows)))
        with connection.cursor() as cur:
            wipe(cur, school.pk, tables)

    for rows, data, copy_times, firsts, again in results:
        print(f"\n=== {rows:,} students ({len(data) / 1e6:.2f} MB) ===")
        best = min(firsts, key=lambda r: r[0] + r[1])
        print(f"first imports, upload to done: {', '.join(f'{r[0] + r[1]:.3f}' for r in firsts)} s")
        total = print_run("first import (the best)", rows, best)
        if again:
            print_run("same file again", rows, again)
        copy_time, copying, committing = copy_times
        print(
            f"\nCOPY into the same tables (best of {args.repeat}): {copy_time:.3f} s"
            f" = {rows / copy_time:,.0f} rows/s\n    {copying:7.3f} s  the three COPYs"
            f"\n    {committing:7.3f} s  COMMIT (the deferred foreign-key checks)"
            f"\n    {copy_time - copying - committing:7.3f} s  decode, parse, COPY text (Python)"
        )
        print(f"ratio COPY / first import: {copy_time / total:.3f} (target >= 0.5)")
        if rows <= 2_000:
            verdict = "met" if total < 1 else "missed"
            print(f"upload to done: {total:.3f} s (target < 1 s: {verdict})")


if __name__ == "__main__":
    main()
