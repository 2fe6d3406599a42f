"""Benchmark: MIS import of N student rows against a plain PostgreSQL COPY of the same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_bench \
        .venv/bin/python bench/consent_import.py --rows 100000

The database named by DATABASE_URL is migrated first (created when missing) and gets one
benchmark school; nothing else is touched. The school's students and carers are deleted and
the three tables vacuumed before the run, so every run starts from the same state.

Measured, with the real services (`import_preview`, then `import_confirm` applying the batch
in one transaction, DEBUG off as in production):
1. a first import of the file: every student, carer and link is new;
2. the same file again: nothing changes (the usual termly re-import);
3. plain `COPY ... FROM STDIN (FORMAT csv)` of the same bytes into an unindexed table of text
   columns, best of three.
Prints rows per second, the ratio of 1 to 3 (issue 9's target: at least 0.25), and where the
import's time goes, step by step (the steps are timed by wrapping the service's functions).
"""

from __future__ import annotations

import argparse
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
    "UPN,Legal Surname,Legal Forename,Preferred Forename,Year,Reg,Admission Date,"
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
        out.write(
            f'B{i:012d},"{fam}",{first},,Year {year},{year}{"ABCD"[i % 4]},01/09/2025,'
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
    "read": "decode, parse and check every row (Python)",
    "_stage": "COPY into staging tables, index, resolve known carers",
    "_plan": "plan: counts of created / changed / unchanged / left",
    "_write_carers": "INSERT new carers",
    "_write_students": "UPDATE changed + INSERT new students",
    "_link_carers": "INSERT / update student-carer links",
    "_mark_leavers": "UPDATE leavers",
    "commit": "COMMIT (the deferred foreign-key checks of every new row)",
}


def instrument(imports, connection, spent: dict[str, float]) -> None:
    """Time each step of the import service by wrapping its module-level functions, and the
    commits of the database connection."""

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t

        return wrapper

    for name in STEPS:
        if name == "commit":
            connection.commit = timed(name, connection.commit)
        else:
            setattr(imports, name, timed(name, getattr(imports, name)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
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
    from consents.imports import import_confirm, import_preview
    from consents.models import Carer, Student, StudentCarer

    data = make_csv(args.rows)
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
    tables = {m: m._meta.db_table for m in (Student, Carer, StudentCarer)}
    with connection.cursor() as cur:
        # The benchmark school has no consent records, so three DELETEs empty it.
        cur.execute(
            f"DELETE FROM {tables[StudentCarer]} WHERE student_id IN"
            f" (SELECT id FROM {tables[Student]} WHERE school_id = %s)",
            [school.pk],
        )
        cur.execute(f"DELETE FROM {tables[Student]} WHERE school_id = %s", [school.pk])
        cur.execute(f"DELETE FROM {tables[Carer]} WHERE school_id = %s", [school.pk])
        for table in tables.values():
            cur.execute(f"VACUUM ANALYZE {table}")
    office = User.objects.filter(
        email="bench-office@example.org"
    ).first() or User.objects.create_user(
        email="bench-office@example.org", full_name="Bench Office"
    )
    role_assign(actor=None, user=office, school=school, role=SchoolRole.CONSENT_ADMIN)

    spent: dict[str, float] = defaultdict(float)
    instrument(imports, connection, spent)
    runs = []
    with override_settings(CONSENT_IMPORT_SYNC_ROWS=10**9, CONSENT_IMPORT_MAX_BYTES=10**9):
        for label in ("first import", "same file again"):
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
            runs.append((label, t1 - t0, t2 - t1, preview_steps, dict(spent), batch.summary))
    assert Student.objects.filter(school=school).count() == args.rows

    copy_times = []
    with connection.cursor() as cur:
        for _ in range(3):
            cur.execute("DROP TABLE IF EXISTS bench_copy")
            cur.execute(
                "CREATE TABLE bench_copy (upn text, surname text, forename text, preferred text,"
                " year text, reg text, admitted text, c1_name text, c1_rel text, c1_email text,"
                " c2_name text, c2_rel text, c2_email text)"
            )
            t3 = time.perf_counter()
            cur.copy_expert(
                "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)",
                io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")),
            )
            copy_times.append(time.perf_counter() - t3)
            cur.execute("DROP TABLE bench_copy")
    copy_rate = args.rows / min(copy_times)

    print(f"rows: {args.rows} ({len(data) / 1e6:.1f} MB)")
    for label, preview, apply, preview_steps, apply_steps, summary in runs:
        total = preview + apply
        print(f"\n{label}: {summary}")
        for phase, took, steps in (
            ("preview", preview, preview_steps),
            ("apply", apply, apply_steps),
        ):
            print(f"  {phase}: {took:.2f} s")
            for name, what in STEPS.items():
                if name in steps:
                    print(f"    {steps[name]:6.2f} s  {what}")
            rest = (
                "check the role, store the file (ImportBatch)"
                if phase == "preview"
                else "batch status, fetch the file, audit"
            )
            print(f"    {took - sum(steps.values()):6.2f} s  the rest: {rest}")
        print(f"  total: {total:.2f} s = {args.rows / total:,.0f} rows/s")
    first_rate = args.rows / (runs[0][1] + runs[0][2])
    print(f"\nplain COPY: {min(copy_times):.2f} s (best of 3) = {copy_rate:,.0f} rows/s")
    print(f"ratio first import / COPY: {first_rate / copy_rate:.3f} (target >= 0.25)")


if __name__ == "__main__":
    main()
