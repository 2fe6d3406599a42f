"""Benchmark: starting the consent round of a 2,000-student school (about 3,000 carers).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_bench \\
        .venv/bin/python bench/consent_round.py --students 2000

The database named by DATABASE_URL is migrated first (created when missing) and gets one
benchmark school ("Round Benchmark School") with N students, 1.5 carers each (every second
student has two; one carer in ten has no email address), all written with COPY-free
`bulk_create`. The school's round, invites and round emails from an earlier run are deleted
first, so every run starts from the same state.

Measured, DEBUG off as in production, with Celery NOT eager (the queueing after commit is
what a web request pays; a worker sends the emails afterwards): `round_start`, the real
service, from the call to the commit, with its queries counted, and the Python memory it
allocated at its peak (tracemalloc, with --memory: it slows Python, so the times of that run
are not the ones to quote). Then the same for `round_remind` (everyone is still to
answer), the reminder to every carer with email.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_bench")
# Queue, do not send: a private Redis (started below) takes the tasks, as the broker of a
# deployment would; no worker runs, so nothing is delivered.
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

sys.path.insert(0, str(ROOT / "bench"))
from consent_import import ensure_database  # noqa: E402


def build_school(students: int):
    import datetime

    from accounts.models import Membership, School, Trust, User
    from accounts.roles import SchoolRole
    from accounts.services import role_assign
    from consents.models import Carer, ConsentRound, Student, StudentCarer
    from notifications.models import Notification

    trust, _ = Trust.objects.get_or_create(name="Benchmark Trust")
    school, _ = School.objects.get_or_create(
        urn="999998",
        defaults={
            "trust": trust,
            "name": "Round Benchmark School",
            "phase": "secondary",
            "age_from": 11,
            "age_to": 18,
        },
    )
    office, _ = User.objects.get_or_create(
        email="round-office@bench.example", defaults={"full_name": "Round Office"}
    )
    if not Membership.objects.filter(user=office, school=school).exists():
        role_assign(actor=None, user=office, school=school, role=SchoolRole.CONSENT_ADMIN)
    Notification.objects.filter(school=school, kind__startswith="consents.round").delete()
    ConsentRound.objects.filter(school=school).delete()
    if Student.objects.filter(school=school).count() != students:
        StudentCarer.objects.filter(student__school=school).delete()
        Carer.objects.filter(school=school).delete()
        Student.objects.filter(school=school).delete()
        made = Student.objects.bulk_create(
            Student(
                school=school,
                mis_id=f"R{i:09d}",
                given_name=f"Child{i}",
                family_name="Bench",
                year_group=str(7 + i % 7),
                form=f"{7 + i % 7}{'ABCD'[i % 4]}",
                date_of_birth=datetime.date(2012 - i % 7, 1 + i % 12, 1 + i % 28),
            )
            for i in range(students)
        )
        carers, links = [], []
        for i, student in enumerate(made):
            for j in range(2 if i % 2 == 0 else 1):
                n = len(carers)
                carers.append(
                    Carer(
                        school=school,
                        name=f"Carer {n}",
                        email="" if n % 10 == 9 else f"carer{n}@bench.example",
                    )
                )
                links.append((student, n, "Mother" if j == 0 else "Father"))
        Carer.objects.bulk_create(carers, batch_size=2000)
        StudentCarer.objects.bulk_create(
            (StudentCarer(student=s, carer=carers[n], relationship=r) for s, n, r in links),
            batch_size=2000,
        )
    return school, office


TRACE = False  # --memory: peak Python memory with tracemalloc (which slows Python several-fold)


def measure(label: str, fn):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    if TRACE:
        tracemalloc.start()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        t = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t
    peak = 0
    if TRACE:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    memory = f", peak Python memory {peak / 1_048_576:.1f} MiB" if TRACE else ""
    print(f"{label}: {elapsed:.2f} s, {len(queries.captured_queries)} queries{memory}")
    return result, elapsed, peak


def private_redis():
    """A throw-away redis-server on a free port of 127.0.0.1 (never a shared broker)."""
    import shutil
    import socket
    import subprocess

    if shutil.which("redis-server") is None:
        sys.exit("redis-server is needed (apt-get install redis-server).")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return proc, f"redis://127.0.0.1:{port}/0"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--memory", action="store_true", help="trace peak Python memory")
    args = parser.parse_args()
    global TRACE
    TRACE = args.memory
    ensure_database(os.environ["DATABASE_URL"])
    redis, url = private_redis()
    os.environ["CELERY_BROKER_URL"] = url
    try:
        run(args)
    finally:
        redis.terminate()
        redis.wait()


def run(args) -> None:

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import datetime

    from django.utils import timezone

    from consents.models import ConsentWording, RoundInvite
    from consents.rounds import services
    from consents.selectors import current_school_year

    school, office = build_school(args.students)
    wording, _ = ConsentWording.objects.get_or_create(
        school=None,
        version="bench",
        defaults={"text": "Benchmark wording.", "effective_from": timezone.localdate()},
    )
    ends_on = datetime.date(current_school_year() + 1, 8, 31)
    if ends_on <= timezone.localdate():
        sys.exit("Run it on another day than 31 August.")
    carers = RoundInvite._meta.get_field("carer").related_model.objects.filter(school=school)
    print(
        f"{school.name}: {args.students} students, {carers.count()} carers "
        f"({carers.exclude(email='').count()} with email)"
    )
    rnd, *_ = measure(
        "round_start (invites + outbox rows + queueing)",
        lambda: services.round_start(actor=office, school=school, ends_on=ends_on, wording=wording),
    )
    emailed = RoundInvite.objects.filter(round=rnd, sent_at__isnull=False).count()
    print(f"  {RoundInvite.objects.filter(round=rnd).count()} invites, {emailed} emails queued")
    measure(
        "round_remind (one reminder each)", lambda: services.round_remind(actor=office, rnd=rnd)
    )


if __name__ == "__main__":
    main()
