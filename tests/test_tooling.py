"""The test command refuses to run without PostgreSQL rather than testing something else."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _check(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_database.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_no_postgresql_answering_is_said_plainly_and_fails():
    result = _check(f"postgres://postgres@127.0.0.1:{_free_port()}/smp_portal")
    assert result.returncode != 0
    assert "No PostgreSQL answers" in result.stderr


def test_sqlite_is_refused_for_the_test_suite():
    result = _check("sqlite:///tmp/x.sqlite3")
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


def test_the_local_postgresql_is_accepted():
    result = _check(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smp_portal"))
    assert result.returncode == 0, result.stderr


def test_ci_script_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci
    first_block = readme.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
