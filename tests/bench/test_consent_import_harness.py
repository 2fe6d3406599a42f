"""bench/consent_import.py runs end to end on a fresh database, as docs/benchmarks.md tells a
user to run it, with tiny files: the honest COPY into the real tables, the imports through the
services, the re-import, and the small school's file.

The figures of such a short run mean nothing; this checks that the harness works: every file
is imported (the script asserts the rows are there), every step it times still exists in the
services (a renamed function would silently drop out of the breakdown), and it prints the
ratio and the small file's verdict.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.deploy.conftest import PYTHON, run

from .conftest import fresh_database


@pytest.fixture
def bench_database():
    with fresh_database("smp_benchmis") as url:
        yield url


def test_bench_consent_import_compares_with_copy_into_the_same_tables(bench_database):
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=bench_database)
    bench = run(
        [PYTHON, "bench/consent_import.py", "--rows", "60", "--small", "20", "--repeat", "2"],
        env=env,
        timeout=600,
    )
    output = bench.stdout + bench.stderr
    assert bench.returncode == 0, output
    assert "=== 60 students" in output and "=== 20 students" in output, output
    assert len(re.findall(r"ratio COPY / first import: \d+\.\d+ \(target >= 0\.5\)", output)) == 2
    assert re.search(r"upload to done: \d+\.\d+ s \(target < 1 s: (met|missed)\)", output), output
    # Every step the script times was called: the services still have these functions.
    for step in (
        "decode, parse and check every row",
        "COPY into staging tables",
        "plan: counts",
        "INSERT new carers",
        "UPDATE changed + INSERT new students",
        "INSERT / update student-carer links",
        "the preview's checked rows from the cache",
        "COMMIT (the deferred foreign-key checks of every new row)",
    ):
        assert step in output, f"{step!r} missing from the breakdown\n{output}"
    assert "'create': 60" in output and "'unchanged': 60" in output, output
