"""Clause 6: entries are hash-chained and `manage.py verify_audit_chain` finds tampering done
by the database owner, who can switch the append-only trigger off."""

import os
import subprocess
import sys
import threading
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from audit.selectors import verify_chain
from audit.services import GENESIS_HASH, compute_hash, record


@pytest.fixture
def chain(db):
    """Seven entries on top of whatever is there, oldest first."""
    return [record(None, "test.chained", data={"n": n}) for n in range(7)]


def as_owner(sql: str, params=None) -> None:
    """Run `sql` as the table owner with the append-only trigger switched off."""
    with connection.cursor() as c:
        c.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        c.execute(sql, params)
        c.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def test_untouched_chain_verifies_with_its_count(chain):
    total = AuditEntry.objects.count()
    assert f"Audit chain intact: {total} entries verified." in verify()


def test_each_entry_links_to_the_previous_one(chain):
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.entry_hash
        assert after.entry_hash == compute_hash(before.entry_hash, after)


def test_changed_data_is_reported_at_exactly_that_entry(chain):
    victim = chain[3]
    as_owner("UPDATE audit_auditentry SET data = '{\"n\": 99}' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=rf"entry #{victim.pk}: content changed"):
        verify()


def test_changed_actor_is_reported_even_with_replication_role(chain):
    # The other way an owner (superuser) skips triggers.
    victim = chain[1]
    with connection.cursor() as c:
        c.execute("SET LOCAL session_replication_role = replica")
        c.execute(
            "UPDATE audit_auditentry SET actor_email = 'x@y.example' WHERE id = %s", [victim.pk]
        )
        c.execute("SET LOCAL session_replication_role = DEFAULT")
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, victim.pk)
    assert report.problem.startswith("content changed")


def test_deleted_middle_entry_is_reported_as_missing(chain):
    gone, next_one = chain[3], chain[4]
    as_owner("DELETE FROM audit_auditentry WHERE id = %s", [gone.pk])
    with pytest.raises(CommandError) as exc:
        verify()
    message = str(exc.value)
    assert f"entry #{next_one.pk}: entry missing" in message
    assert f"between #{chain[2].pk} and #{next_one.pk}" in message


def test_deleted_last_entry_is_reported_from_the_chain_head(chain):
    as_owner("DELETE FROM audit_auditentry WHERE id = %s", [chain[-1].pk])
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, chain[-1].pk)
    assert "chain head expects" in report.problem


def test_deleted_first_entry_is_reported(chain):
    first = AuditEntry.objects.order_by("id").first()
    second = AuditEntry.objects.filter(id__gt=first.pk).order_by("id").first()
    as_owner("DELETE FROM audit_auditentry WHERE id = %s", [first.pk])
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, second.pk)
    assert report.problem.startswith("entry missing")


def test_rewritten_entry_with_a_fresh_hash_breaks_the_next_link(chain):
    victim, next_one = chain[2], chain[3]
    victim.data = {"n": 1000}
    forged = compute_hash(victim.prev_hash, victim)
    as_owner(
        "UPDATE audit_auditentry SET data = '{\"n\": 1000}', entry_hash = %s WHERE id = %s",
        [forged, victim.pk],
    )
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, next_one.pk)
    assert report.problem.startswith("chain link broken")


def test_chain_is_read_in_batches_not_row_by_row(chain):
    total = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        report = verify_chain(batch_size=3)
    assert report.ok and report.checked == total
    # ceil(total / 3) batches, one empty-or-short last read at most, and the chain head.
    assert len(ctx.captured_queries) <= total // 3 + 2


def test_chain_starts_from_the_genesis_hash(chain):
    first = AuditEntry.objects.order_by("id").first()
    assert first.prev_hash == GENESIS_HASH
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_still_form_one_chain():
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                record(None, "test.concurrent", data={"writer": n, "i": i})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = verify_chain()
    assert report.ok, report.problem
    assert AuditEntry.objects.filter(action="test.concurrent").count() == 40


@pytest.mark.django_db(transaction=True)
def test_command_exits_non_zero_on_a_broken_chain():
    """The real command line, against the committed test database."""
    entries = [record(None, "test.cli", data={"n": n}) for n in range(3)]
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
    }
    cmd = [sys.executable, "manage.py", "verify_audit_chain"]
    ok = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert ok.returncode == 0, ok.stderr
    assert "Audit chain intact: 3 entries verified." in ok.stdout

    as_owner("UPDATE audit_auditentry SET action = 'test.forged' WHERE id = %s", [entries[1].pk])
    broken = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert broken.returncode != 0
    assert f"entry #{entries[1].pk}: content changed" in broken.stderr
