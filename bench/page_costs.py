"""Where a page's time goes: the pages of bench/pages.py timed in this process, no web server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smp_scale \
        .venv/bin/python bench/page_costs.py [name substrings...] [--rounds 15] [--sql 5]

Same people, sessions and settings as bench/pages.py (production settings, DEBUG off), through
Django's test client: per page the mean time per request, the number of SQL queries and their
time in the database; `--sql N` prints the N slowest queries of each page, `--profile` a
cProfile summary. For finding what to fix; the figures to report come from bench/pages.py.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages as bench  # noqa: E402  (bench/pages.py)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("only", nargs="*", help="substrings of page names")
    parser.add_argument("--database", default=os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_scale"))  # fmt: skip
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sql", type=int, default=0, help="print the N slowest queries")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    args.workers, args.port = 0, 0
    env = bench.server_env(args)
    env["ALLOWED_HOSTS"] = "testserver"
    os.environ.update(env)
    pages, cookies = bench.prepare(args)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        client = Client()
        for part in cookies[page.email].split("; "):
            key, value = part.split("=", 1)
            client.cookies[key] = value

        def request(client=client, page=page):
            if page.method == "POST":
                return client.post(page.path, page.form)
            return client.get(page.path)

        for _ in range(3):
            response = request()
        if response.status_code != 200:
            sys.exit(f"{page.name}: {response.status_code}")
        start = time.perf_counter()
        for _ in range(args.rounds):
            request()
        ms = (time.perf_counter() - start) * 1000 / args.rounds
        with CaptureQueriesContext(connection) as ctx:
            request()
        db_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        queries = len(ctx.captured_queries)
        print(
            f"{page.name:34s} {ms:7.1f} ms  {queries:3d} queries  {db_ms:6.1f} ms in the database"
        )
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[: args.sql]:
            print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:500]}")
        if args.profile and not page.name.startswith("reference"):
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.rounds):
                request()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
