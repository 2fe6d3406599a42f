"""Benchmark: the trustees' dashboard on the scale data set (issues 8 and 9).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_scale \
        .venv/bin/python manage.py seed_scale          # once, about a few minutes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_scale DJANGO_DEBUG=false \
        CACHE_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/dashboard.py --rounds 40

Signs in the trustee that seed_scale prints (verified second factor, as after a TOTP code)
and times GET of `dashboard:trust` with the Django test client in this process: no web
server, no network, so the figures are the view's own cost (queries, rendering) and not what
gunicorn would serve. Two series (dashboard/cache.py):

- cold: before each request the trustee is marked as having just changed something (as
  `audit.signals.change_committed` does), so every figure is recomputed and re-rendered
  and the cache entries written again: the cost after one's own change, or once per scope
  every DASHBOARD_CACHE_SECONDS;
- warm: the entry is fresh, so the page is the session, the scope and one cache read.

Prints median, p95, the CPU time of this process per request (Python's share, steadier than
the wall clock on a busy machine; PostgreSQL's and Redis's work is not in it), the SQL queries
per request and their time for each (BENCH_SHOW_QUERIES=1 prints each query with its time).
Uses whatever cache CACHE_URL names (locmem by default).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_scale")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--email", default="trustee@scale-trust.example")
    parser.add_argument("--path", default=None, help="Another URL path to time instead.")
    parser.add_argument("--mode", choices=["cold", "warm", "both"], default="both")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from dashboard.cache import note_change

    user = User.objects.filter(email=args.email).first()
    if user is None:
        sys.exit(f"No user {args.email}: run manage.py seed_scale on this database first.")
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    url = args.path or reverse("dashboard:trust")
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    ttl = settings.DASHBOARD_CACHE_SECONDS
    print(f"url: {url} as {args.email}; cache {cache}, DASHBOARD_CACHE_SECONDS={ttl}, "
          f"DEBUG={settings.DEBUG}")  # fmt: skip
    print(f"rounds: {args.rounds} per series (after {args.warmup} warm-up rounds)")

    def before(cold: bool) -> None:
        if cold:
            note_change(actor_id=user.pk)  # as after the trustee's own audited change

    modes = ["cold", "warm"] if args.mode == "both" else [args.mode]
    for mode in modes:
        cold = mode == "cold"
        times, cpu = [], []
        for i in range(args.warmup + args.rounds):
            before(cold)
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, response.status_code
            if i >= args.warmup:
                times.append(elapsed)
                cpu.append((time.process_time() - c0) * 1000)
        before(cold)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(f"{mode}: median {statistics.median(times):.1f} ms, "
              f"p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms, "
              f"CPU of this process median {statistics.median(cpu):.1f} ms; "
              f"{len(ctx.captured_queries)} queries, {sql_ms:.0f} ms in the database; "
              f"{len(response.content):,} bytes")  # fmt: skip
        if os.environ.get("BENCH_SHOW_QUERIES"):
            for q in ctx.captured_queries:
                print(f"{q['time']}s  {q['sql'][:3000]}\n")


if __name__ == "__main__":
    main()
