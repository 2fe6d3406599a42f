"""Benchmark: MIS import of N student rows against a plain PostgreSQL COPY of the same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_bench \
        .venv/bin/python bench/consent_import.py --rows 100000

The database named by DATABASE_URL is migrated first (created when missing) and gets one
benchmark school; nothing else is touched. Prints rows per second for both and the ratio.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
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
    from consents.imports import import_confirm, import_preview
    from consents.models import Carer, Student

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
    Student.objects.filter(school=school).delete()
    Carer.objects.filter(school=school).delete()
    office = User.objects.filter(
        email="bench-office@example.org"
    ).first() or User.objects.create_user(
        email="bench-office@example.org", full_name="Bench Office"
    )
    role_assign(actor=None, user=office, school=school, role=SchoolRole.CONSENT_ADMIN)

    with override_settings(CONSENT_IMPORT_SYNC_ROWS=10**9, CONSENT_IMPORT_MAX_BYTES=10**9):
        t0 = time.perf_counter()
        batch = import_preview(actor=office, school=school, file_name="bench.csv", data=data)
        t1 = time.perf_counter()
        assert batch.status == "previewed", batch.errors[:5]
        import_confirm(actor=office, batch=batch)
        t2 = time.perf_counter()
    assert Student.objects.filter(school=school).count() == args.rows

    with connection.cursor() as cur:
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
        t4 = time.perf_counter()
        cur.execute("DROP TABLE bench_copy")

    import_rate = args.rows / (t2 - t0)
    copy_rate = args.rows / (t4 - t3)
    print(f"rows: {args.rows} ({len(data) / 1e6:.1f} MB)")
    print(f"preview (parse + validate + plan): {t1 - t0:.2f} s")
    print(f"apply (students, carers, links):  {t2 - t1:.2f} s")
    print(f"import total: {t2 - t0:.2f} s = {import_rate:,.0f} rows/s")
    print(f"plain COPY:   {t4 - t3:.2f} s = {copy_rate:,.0f} rows/s")
    print(f"ratio import/COPY: {import_rate / copy_rate:.3f} (target >= 0.25)")


if __name__ == "__main__":
    main()
