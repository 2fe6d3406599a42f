"""A fresh clone of this repository as a newcomer gets it, for the first-contact tests (issue 13):
the README's commands run there with nothing configured, and nothing may be left running after.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
# What `make install` makes; the clone links to them instead of installing for minutes again.
INSTALLED = (".venv", "node_modules")
INSTALL_INPUTS = (
    "requirements/base.txt",
    "requirements/dev.txt",
    "package.json",
    "package-lock.json",
)
STAMP = ROOT / ".venv" / ".installed"


def readme_commands() -> list[str]:
    """The commands of the README's first code block, without their comments."""
    block = (ROOT / "README.md").read_text().split("```")[1]
    lines = block.splitlines()[1:]  # the first line is the block's language
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def clone_repository(dest: Path) -> Path:
    """`git clone` of the commit the tests run from, with the installed .venv and node_modules
    linked in (and marked up to date, so `make install` in the clone has nothing to do)."""
    assert STAMP.is_file(), "run `make install` first: the clone reuses .venv and node_modules"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(dest)], check=True, timeout=120)
    for name in INSTALLED:
        (dest / name).symlink_to(ROOT / name)
    # A fresh checkout's files are newer than the stamp; they are the same files, so give them
    # an older time rather than let make reinstall (npm ci would empty the linked node_modules).
    older = STAMP.stat().st_mtime - 60
    for name in INSTALL_INPUTS:
        os.utime(dest / name, (older, older))
    return dest


def newcomer_env(**extra: str) -> dict[str, str]:
    """The environment of someone who has configured nothing: no DATABASE_URL, no settings
    module, nothing inherited from the make and pytest this test runs in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_", "MAKE", "MFLAGS"))
        and key not in {"DATABASE_URL", "SITE_URL", "PORT"}
    }
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A port on which nothing answers (taken from the free ones, so nothing listens there)."""
    return free_port()


def processes_under(folder: Path) -> list[str]:
    """Processes that run from `folder` (working directory or command line), as text."""
    folder = folder.resolve()
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "cwd", "status"]):
        info = proc.info
        if info["status"] == psutil.STATUS_ZOMBIE:
            continue
        places = [info["cwd"] or "", *(info["cmdline"] or [])]
        if any(str(folder) in place for place in places):
            found.append(f"{info['pid']} {' '.join(info['cmdline'] or [])} (in {info['cwd']})")
    return found


def stop_group(process: subprocess.Popen, sig: int = signal.SIGINT, timeout: float = 60) -> None:
    """Send `sig` to the process group of `process` (what Ctrl-C in its terminal does), wait,
    and SIGKILL the group if it is still there after `timeout`."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def stop_leftovers(folder: Path) -> list[str]:
    """Last resort for a failed test: stop every process still running from `folder`, the
    embedded PostgreSQL included, and say what was left."""
    left = processes_under(folder)
    # PostgreSQL's processes run in their data folder, so the postmaster is among them.
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        places = [proc.info["cwd"] or "", *(proc.info["cmdline"] or [])]
        if any(str(folder.resolve()) in place for place in places):
            with contextlib.suppress(psutil.Error):
                proc.kill()
    return left


def wait_for_nothing_under(folder: Path, timeout: float = 20) -> list[str]:
    """Processes still running from `folder` after up to `timeout` seconds (PostgreSQL's
    backends take a moment to go after the postmaster)."""
    deadline = time.monotonic() + timeout
    left = processes_under(folder)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = processes_under(folder)
    return left


CODE = re.compile(r"Code now: (\d{6})")


@contextlib.contextmanager
def scratch_folder(prefix: str = "smp-first-contact-"):
    """A temporary folder for clones and embedded PostgreSQL data, outside pytest's tmp_path:
    PostgreSQL runs as another user when we are root and must reach its data, but every pytest
    that starts on the machine makes its own temp root private again (mode 0700). At the end,
    whatever still runs from the folder (a failed test) is stopped, and the folder removed."""
    folder = Path(tempfile.mkdtemp(prefix=prefix)).resolve()
    try:
        yield folder
    finally:
        stop_leftovers(folder)
        shutil.rmtree(folder, ignore_errors=True)
