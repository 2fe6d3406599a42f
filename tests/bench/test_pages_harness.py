"""bench/pages.py runs end to end, as the README tells a user to run it: a fresh database,
migrated, `seed_scale` at a small scale, then gunicorn with production settings driven by wrk.

The figures of such a short run mean nothing (they are in docs/benchmarks.md, from full runs);
this checks that the harness works: every page of issue 9 answers 200 to its person before and
after the load (no silent redirect to sign-in), wrk counts no error, and the table has a row
with a throughput for each page. wrk comes from Debian (`make bench-deps`; .ci/run installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import socket

import pytest

from tests.deploy.conftest import PYTHON, ROOT, run

from .conftest import fresh_database

PAGES = [
    "reference: bare Django page",
    "reference: bare Django page (before)",
    "reference: bare Django page (after)",
    "floor: notification bell",
    "home: teacher",
    "home: leader",
    "home: headteacher",
    "home: safeguarding lead",
    "home: consent administrator",
    "home: staff member",
    "home: trustee",
    "home: trust administrator",
    "home: trust HR",
    "account list (leader)",
    "breach case list (headteacher)",
    "breach case list (trust HR)",
    "consent list of a school",
    "publication check, 30 students",
    "credential retrieval",
    "trustees' dashboard",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scale_database():
    with fresh_database("smp_benchsmoke") as url:
        yield url


def test_bench_pages_runs_every_page_of_issue_9_under_gunicorn(scale_database):
    assert shutil.which("wrk"), "wrk is missing: `make bench-deps` (apt-get install wrk)"
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=scale_database)
    for command in (["migrate", "--noinput", "-v0"], ["seed_scale", "--scale", "0.002"]):
        done = run([PYTHON, "manage.py", *command], env=env, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr

    bench = run(
        [
            PYTHON,
            "bench/pages.py",
            "--duration",
            "1",
            "--warmup",
            "0",
            "--port",
            str(free_port()),
            "--markdown",
        ],  # fmt: skip
        env=env,
        timeout=600,
    )
    output = bench.stdout + bench.stderr
    assert bench.returncode == 0, output
    rows = {}
    for line in bench.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 9 and cells[0] in PAGES:
            rows[cells[0]] = cells
    assert sorted(rows) == sorted(PAGES), output
    for name, cells in rows.items():
        assert float(cells[1]) > 0, f"{name}: no request completed\n{output}"
        assert cells[8] == "0", f"{name}: wrk counted errors or non-2xx answers\n{output}"
    assert re.search(r"gunicorn sync workers: \d+", bench.stdout), output
    assert (ROOT / "var" / "bench-gunicorn.log").exists()
    assert (ROOT / "var" / "bench-bare-gunicorn.log").exists()
    assert "reference: mean of the bare page before and after" in bench.stdout, output
