"""The outbox against a real Redis broker and a real Celery worker (issue: notifications).

With the broker down, a change still commits its notification and the request does not hang;
once the broker is back, the sweep delivers the email exactly once even if it runs twice.

Needs `redis-server` on PATH (CI installs it: .ci/run). Each test starts its own server on a
free port, so it never touches a Redis that something else uses.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import redis
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import sweep_pending
from tests.factories import SchoolFactory, UserFactory

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

QUEUE = "celery"  # the default queue's Redis list


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A private, throwaway redis-server process (no persistence)."""

    def __init__(self, port: int, workdir) -> None:
        self.port = port
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def up() -> bool:
            assert self.proc.poll() is None, "redis-server exited at start"
            try:
                return self.client().ping()
            except redis.exceptions.ConnectionError:
                return False

        wait_until(up, 10, f"redis-server on port {self.port}")

    def kill(self) -> None:
        """Stop the broker as a crash would (SIGKILL), and wait until it is gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(_free_port(), tmp_path)
    server.start()
    yield server
    server.kill()  # finalizer: never leave a redis-server behind, pass or fail


def _reset_producer_pools(app) -> None:
    # Pools are bound to the broker URL they were created with.
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_app_on(redis_server):
    """The project's Celery app pointed at the private broker, not eager, for one test."""
    from config.celery_app import app

    overrides = {
        "broker_url": redis_server.url,
        "task_always_eager": False,
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
    }
    saved = {key: app.conf[key] for key in overrides}
    app.conf.update(overrides)
    _reset_producer_pools(app)
    yield app
    _reset_producer_pools(app)
    app.conf.update(saved)


@pytest.fixture
def deliveries():
    """Return values of every `deliver` task the worker ran ("sent", "skipped", ...)."""
    results: list[str] = []

    def on_postrun(sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == "notifications.tasks.deliver":
            results.append(retval)

    signals.task_postrun.connect(on_postrun, weak=False)
    yield results
    signals.task_postrun.disconnect(on_postrun)


def _worker(app):
    return start_worker(app, perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING")


def test_broker_outage_keeps_the_notification_and_the_sweep_delivers_it_exactly_once(
    redis_server, celery_app_on, deliveries
):
    app = celery_app_on
    school = SchoolFactory()
    person = UserFactory(email="tara.teacher@example.org")
    broker = redis_server.client()

    # 1. Broker up, worker running: delivery on commit, through the broker.
    with _worker(app):
        with transaction.atomic():
            notify([person], "accounts.role_changed", link="/", school=school)
        wait_until(lambda: len(mail.outbox) == 1, 30, "the first email via the worker")
    assert deliveries == ["sent"]

    # 2. Broker down: the change commits, its row stays pending, the commit does not hang.
    redis_server.kill()
    started = time.monotonic()
    with transaction.atomic():
        (n,) = notify([person], "accounts.role_changed", link="/", school=school)
    elapsed = time.monotonic() - started
    print(f"notify + commit with the broker down took {elapsed:.3f}s")
    assert elapsed < 3, f"commit with the broker down took {elapsed:.1f}s"
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.PENDING
    assert len(mail.outbox) == 1

    # 3. Broker back. The sweep runs twice before any worker picks up: two tasks, one row.
    redis_server.start()
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert sweep_pending() == 1
    assert sweep_pending() == 1
    assert broker.llen(QUEUE) == 2

    with _worker(app):
        wait_until(lambda: len(deliveries) == 3, 30, "both swept tasks to run")
        wait_until(
            lambda: broker.llen(QUEUE) == 0 and broker.hlen("unacked") == 0,
            10,
            "the queue to drain",
        )
    assert sorted(deliveries[1:]) == ["sent", "skipped"]
    assert len(mail.outbox) == 2  # one for step 1, exactly one for the swept row
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.SENT
    assert n.email_attempts == 1

    # A third sweep finds nothing left to do.
    assert sweep_pending() == 0


def test_broker_that_never_answers_does_not_hang_the_commit(celery_app_on):
    """A broker host that accepts TCP connections but never replies (a hung Redis, a
    half-open proxy): publishing gives up after the socket timeout and the row is kept."""
    app = celery_app_on
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # the kernel completes the handshakes; nobody ever reads or writes
    try:
        app.conf.broker_url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        _reset_producer_pools(app)
        person = UserFactory()
        started = time.monotonic()
        with transaction.atomic():
            (n,) = notify([person], "accounts.role_changed")
        elapsed = time.monotonic() - started
        print(f"notify + commit with a silent broker took {elapsed:.3f}s")
    finally:
        silent.close()
    assert elapsed < 3.5, f"commit with a silent broker took {elapsed:.1f}s"
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.PENDING
    assert mail.outbox == []
