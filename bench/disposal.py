"""Benchmark: the retention schedule's disposal of a year's leavers at the largest trust's
scale (issue 19).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_bench_disposal \
        .venv/bin/python bench/disposal.py --leavers 15000

The largest trust (dashboard/scale.py) has 100,000 students, 200,000 carers and a million
consent decisions; a year's leavers are about one in seven students (Year 11/13 leavers and
moves), so 15,000 by default. The script migrates the database named by DATABASE_URL, builds
in a school of its own, set-based: the leavers (left two years ago), two carers each, ten
decisions each with an item per purpose and medium, current consent, one appearance in a post
each, and an audit key per student and carer (as entries about them would have made), plus
a few real audited decisions (sealed entries) so the chain has something to verify. Then it
times `privacy.retention.dispose_due()` (what the nightly beat task runs) and the whole-chain
check after it, and prints both with what was disposed of. A second run of the script builds
a new batch (the first was disposed of).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_bench_disposal")

BUILD = """
WITH s AS (
    INSERT INTO consents_student (school_id, mis_id, given_name, family_name, preferred_name,
                                  year_group, form, on_roll_from, left_on)
    SELECT %(school)s, %(tag)s || g, 'Given' || g, 'Leaver' || g, '', '11', '11A',
           DATE '2015-09-01', %(left_on)s
    FROM generate_series(1, %(n)s) g
    RETURNING id
), c AS (
    INSERT INTO consents_carer (school_id, name, email)
    SELECT %(school)s, 'Carer ' || g, 'carer' || g || '@bench.example'
    FROM generate_series(1, 2 * %(n)s) g
    RETURNING id
), sn AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM s),
   cn AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM c)
INSERT INTO consents_studentcarer (student_id, carer_id, relationship)
SELECT sn.id, cn.id, CASE WHEN cn.k %% 2 = 0 THEN 'Mother' ELSE 'Father' END
FROM sn JOIN cn ON cn.k IN (2 * sn.k - 1, 2 * sn.k)
"""

DECISIONS = """
INSERT INTO consents_consentdecision (student_id, carer_id, method, wording_id, given_on,
    school_year, naming, is_withdrawal, entered_by_id, created_at)
SELECT l.student_id, l.carer_id, 'paper', %(wording)s,
       DATE '2022-09-10' + (y || ' years')::interval, 2022 + y, 'initials', false, %(user)s, now()
FROM consents_studentcarer l JOIN consents_student st ON st.id = l.student_id
CROSS JOIN generate_series(0, 4) y
WHERE st.school_id = %(school)s AND st.mis_id LIKE %(tag)s || '%%'
"""

ITEMS = """
INSERT INTO consents_consentitem (decision_id, purpose, medium, allowed)
SELECT d.id, p, m, true
FROM consents_consentdecision d JOIN consents_student st ON st.id = d.student_id
CROSS JOIN unnest(%(purposes)s::text[]) p CROSS JOIN unnest(%(media)s::text[]) m
WHERE st.school_id = %(school)s AND st.mis_id LIKE %(tag)s || '%%'
"""

CURRENT = """
INSERT INTO consents_currentconsent (student_id, school_year, purpose, medium, allowed, naming,
    disagreement, updated_at)
SELECT st.id, 2024, p, m, true, 'initials', false, now()
FROM consents_student st
CROSS JOIN unnest(%(purposes)s::text[]) p CROSS JOIN unnest(%(media)s::text[]) m
WHERE st.school_id = %(school)s AND st.mis_id LIKE %(tag)s || '%%'
"""

APPEARANCES = """
INSERT INTO consents_publicationstudent (publication_id, student_id, naming, consent_existed)
SELECT %(publication)s, st.id, 'initials', true
FROM consents_student st WHERE st.school_id = %(school)s AND st.mis_id LIKE %(tag)s || '%%'
"""

KEYS = """
INSERT INTO audit_auditsubjectkey (subject, wrapped, wrap_key_id, created_at)
SELECT 'consents.student:' || st.id, gen_random_bytes(40), %(key_id)s, now()
FROM consents_student st WHERE st.school_id = %(school)s AND st.mis_id LIKE %(tag)s || '%%'
UNION ALL
SELECT 'consents.carer:' || l.carer_id, gen_random_bytes(40), %(key_id)s, now()
FROM consents_studentcarer l JOIN consents_student st ON st.id = l.student_id
WHERE st.school_id = %(school)s AND st.mis_id LIKE %(tag)s || '%%'
ON CONFLICT (subject) DO NOTHING
"""


def build(n: int) -> dict:
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import School, Trust, User
    from audit.keys import chain_keyring
    from channels.models import OfficialAccount
    from consents.models import ConsentWording, Medium, Publication, Purpose
    from consents.services import consent_record
    from tests.consents.factories import student_with_carers

    tag = f"B{int(time.time())}-"
    with transaction.atomic():
        trust = Trust.objects.first() or Trust.objects.create(name="Bench Trust")
        school, _ = School.objects.get_or_create(
            urn="990019",
            defaults={
                "trust": trust,
                "name": "Disposal Bench School",
                "phase": "secondary",
                "age_from": 11,
                "age_to": 18,
            },
        )
        user, _ = User.objects.get_or_create(
            email="office@disposal-bench.example", defaults={"full_name": "Bench Office"}
        )
        wording, _ = ConsentWording.objects.get_or_create(
            school=school,
            version="bench",
            defaults={"text": "Bench wording", "effective_from": datetime.date(2015, 9, 1)},
        )
        account = OfficialAccount.objects.filter(school=school).first()
        publication = None
        if account is None:
            account = OfficialAccount.objects.first()
        if account is not None:
            publication = Publication.objects.create(
                account=account,
                school=school,
                purpose="social_media",
                medium="photo",
                post_url="https://example.org/bench",
                published_on=timezone.localdate(),
                checked_by=user,
            )
        params = {
            "school": school.pk,
            "tag": tag,
            "n": n,
            "left_on": timezone.localdate() - datetime.timedelta(days=730),
            "wording": wording.pk,
            "user": user.pk,
            "purposes": [p.value for p in Purpose],
            "media": [m.value for m in Medium],
            "publication": publication.pk if publication else None,
            "key_id": chain_keyring().current_id,
        }
        with connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
            for sql in (BUILD, DECISIONS, ITEMS, CURRENT, KEYS):
                cur.execute(sql, params)
            if publication:
                cur.execute(APPEARANCES, params)
        # A few decisions through the service: real sealed audit entries for the chain check.
        from accounts.roles import SchoolRole
        from accounts.services import role_assign

        role_assign(actor=None, user=user, school=school, role=SchoolRole.CONSENT_ADMIN)
        for _ in range(20):
            student, (carer,) = student_with_carers(school, left_on=params["left_on"])
            consent_record(
                actor=user,
                student=student,
                carer=carer,
                method="paper",
                wording=wording,
                given_on=params["left_on"] - datetime.timedelta(days=30),
                naming="initials",
                allowed={(p.value, m.value): True for p in Purpose for m in Medium},
            )
    return params


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leavers", type=int, default=15_000)
    args = parser.parse_args()
    from consent_import import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from io import StringIO

    from django.core.management import call_command

    call_command("migrate", verbosity=0, stdout=StringIO())
    from audit.chain import verify_chain
    from consents.models import ConsentDecision, Student
    from privacy.retention import dispose_due

    t0 = time.perf_counter()
    build(args.leavers)
    built = time.perf_counter() - t0
    due = Student.objects.filter(left_on__isnull=False).count()
    decisions = ConsentDecision.objects.count()
    print(f"built {args.leavers} leavers in {built:.1f} s ({due} left, {decisions} decisions)")
    t0 = time.perf_counter()
    run = dispose_due()
    took = time.perf_counter() - t0
    print(
        f"dispose_due: {took:.1f} s; disposed {run.counts}; audit keys destroyed "
        f"{run.audit_keys_destroyed}"
    )
    t0 = time.perf_counter()
    report = verify_chain()
    print(
        f"verify_chain: ok={report.ok} over {report.checked} entries in "
        f"{time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
