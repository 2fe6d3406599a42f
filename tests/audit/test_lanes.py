"""Clause 6 under load: transactions that record at the same time append to separate lanes of
the chain instead of queueing behind one row, and everything the chain guarantees holds in
every lane (audit/chain.py). Real concurrent transactions: each thread has its own database
connection."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from audit import anchor
from audit.chain import ChainKeyError, canonical_content, verify_chain
from audit.keys import chain_keyring
from audit.models import AuditChainHead, AuditEntry
from audit.services import chain_checkpoint, chain_verify, record, record_many

from .conftest import as_superuser
from .test_keys import NEW, OLD
from .test_record_many import rows

pytestmark = pytest.mark.django_db(transaction=True)


class Holder(threading.Thread):
    """Another request: a transaction that records `count` entries, then stays open (holding
    its lane) until released."""

    def __init__(self, count: int = 1, action: str = "test.lane_held"):
        super().__init__(daemon=True)
        self.count, self.action = count, action
        self.ready, self.release = threading.Event(), threading.Event()
        self.entries: list[AuditEntry] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                for n in range(self.count):
                    self.entries.append(record(None, self.action, data={"n": n}))
                self.ready.set()
                self.release.wait(20)
        except BaseException as exc:  # noqa: BLE001 - reported by finish()
            self.error = exc
        finally:
            self.ready.set()
            connections.close_all()

    def start_and_wait(self) -> Holder:
        self.start()
        assert self.ready.wait(20)
        assert self.error is None, self.error
        return self

    def finish(self) -> None:
        self.release.set()
        self.join(20)
        assert self.error is None, self.error


@contextmanager
def holding(n: int):
    """`n` open transactions, each holding the lane it recorded in (taken one after another,
    so lanes 1..n)."""
    holders: list[Holder] = []
    try:
        for _ in range(n):
            holders.append(Holder().start_and_wait())
        yield holders
    finally:
        for holder in holders:
            holder.finish()


def lock_timeout(seconds: float) -> None:
    """Make this transaction fail instead of waiting longer than `seconds` for a lock."""
    with connection.cursor() as c:
        c.execute(f"SET LOCAL lock_timeout = '{int(seconds * 1000)}ms'")


def test_a_second_transaction_appends_while_the_first_holds_its_lane():
    with holding(1) as (first,):
        with transaction.atomic():
            lock_timeout(2)  # with one head row for all, this would wait for the first
            second = record(None, "test.second")
        # Committed while the first transaction is still open, in a lane of its own.
        assert first.is_alive() and not first.release.is_set()
        assert AuditEntry.objects.filter(pk=second.pk).exists()
        assert not AuditEntry.objects.filter(pk=first.entries[0].pk).exists()  # not yet
        assert (first.entries[0].lane, second.lane) == (1, 2)
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == AuditEntry.objects.count()


def test_a_transaction_keeps_its_lane_and_order_when_other_lanes_come_free():
    first = Holder().start_and_wait()  # lane 1
    with transaction.atomic():
        a = record(None, "test.own_lane", data={"n": 0})
        first.finish()  # lane 1 is free again
        b = record(None, "test.own_lane", data={"n": 1})
        c = record(None, "test.own_lane", data={"n": 2})
    assert a.lane == b.lane == c.lane == 2
    assert (b.prev_hash, c.prev_hash) == (a.entry_hash, b.entry_hash)
    assert a.pk < b.pk < c.pk
    assert AuditChainHead.objects.get(id=2).last_entry_id == c.pk
    assert verify_chain().ok


def test_a_rolled_back_savepoint_gives_its_lane_back():
    with holding(1), transaction.atomic():
        try:
            with transaction.atomic():
                record(None, "test.rolled_back")  # lane 2, in the savepoint
                raise RuntimeError
        except RuntimeError:
            pass
        kept = record(None, "test.kept")
    assert kept.lane == 2 and kept.prev_hash == "0" * 64
    assert verify_chain().ok


def test_with_every_lane_held_the_next_writer_waits_for_one(settings):
    settings.AUDIT_CHAIN_LANES = 2
    done: list[AuditEntry] = []
    with holding(2) as holders:
        waiter = threading.Thread(
            target=lambda: (done.append(record(None, "test.waited")), connections.close_all())
        )
        waiter.start()
        time.sleep(0.5)
        assert waiter.is_alive() and not done  # waiting: no third lane beyond the setting
        holders[0].finish()
        holders[1].finish()
        waiter.join(20)
    assert done and done[0].lane in (1, 2)
    assert AuditChainHead.objects.count() == 2
    assert verify_chain().ok


def test_the_chain_verifies_after_concurrent_writers(anchor_dir):
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                with transaction.atomic():
                    record(None, "test.concurrent", data={"writer": n, "i": i, "step": 0})
                    time.sleep(0.01)  # the page's own work, with the lane held
                    record(None, "test.concurrent", data={"writer": n, "i": i, "step": 1})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    entries = list(AuditEntry.objects.filter(action="test.concurrent").order_by("id"))
    assert len(entries) == 60
    assert len({e.lane for e in entries}) > 1
    # Both entries of one transaction are in one lane, one after the other.
    by_transaction: dict[tuple, list[AuditEntry]] = {}
    for e in entries:
        by_transaction.setdefault((e.data["writer"], e.data["i"]), []).append(e)
    for step0, step1 in by_transaction.values():
        assert step0.lane == step1.lane and step1.prev_hash == step0.entry_hash
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == AuditEntry.objects.count()

    check = chain_checkpoint()
    assert check.ok, check.problem
    line = json.loads(check.checkpoint)
    heads = {h.id: (h.last_entry_id, h.last_hash) for h in AuditChainHead.objects.all()}
    assert {lane: (entry_id, h) for lane, entry_id, h, _ in line["lanes"]} == heads
    assert line["entry_id"] == max(entry_id for entry_id, _ in heads.values())
    full = chain_verify()
    assert full.ok and full.checkpoints_compared == 1


# --- tampering in one lane ------------------------------------------------------------------


@pytest.fixture
def lane_three():
    """One entry in each of lanes 1 and 2, three in lane 3, all committed; lane 3's."""
    with holding(2):
        return [record(None, "test.lane_three", data={"n": n}) for n in range(3)]


def verify(*args) -> str:
    out = StringIO()
    call_command("verify_audit_chain", *args, stdout=out)
    return out.getvalue()


def test_lanes_other_than_the_first_hash_their_number(lane_three):
    ring = chain_keyring()
    before, after = lane_three[0], lane_three[1]
    assert after.lane == 3 and after.prev_hash == before.entry_hash
    message = f"v2\n3\ntestchain1\n{before.entry_hash}\n{canonical_content(after.__dict__)}"
    expected = hmac.new(ring.keys["testchain1"], message.encode(), hashlib.sha256)
    assert after.entry_hash == expected.hexdigest()
    assert f"Audit chain intact: {AuditEntry.objects.count()} entries verified" in verify()


def test_changed_entry_in_lane_three_is_reported_at_that_entry(lane_three):
    victim = lane_three[1]
    as_superuser("UPDATE audit_auditentry SET data = '{\"n\": 99}' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=rf"entry #{victim.pk}: content changed"):
        verify()


def test_entry_moved_to_another_lane_is_reported(lane_three):
    victim = lane_three[2]
    as_superuser("UPDATE audit_auditentry SET lane = 2 WHERE id = %s", [victim.pk])
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, victim.pk)


def test_entry_removed_from_the_middle_of_lane_three_is_reported(lane_three):
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [lane_three[1].pk])
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, lane_three[2].pk)
    assert report.problem.startswith("entry missing: the chain of lane 3 breaks between")


def test_tail_of_one_lane_cut_is_found_by_the_checkpoint(lane_three, anchor_dir):
    assert chain_checkpoint().ok
    kept, cut = lane_three[1], lane_three[2]
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [cut.pk])
    as_superuser(
        "UPDATE audit_auditchainhead SET last_entry_id = %s, last_hash = %s WHERE id = 3",
        [kept.pk, kept.entry_hash],
        table="audit_auditchainhead",
    )
    assert verify_chain().ok  # nothing inside the database shows the cut

    with pytest.raises(CommandError) as exc:
        verify()
    message = str(exc.value)
    assert f"broken at entry #{cut.pk}: entry missing: checkpoint 1 of" in message
    assert f"but the chain goes from #{kept.pk} of lane 3" in message

    check = chain_checkpoint()
    assert not check.ok and check.broken_entry_id == cut.pk and check.checkpoint == ""


def test_head_row_of_a_lane_removed_is_reported(lane_three):
    as_superuser("DELETE FROM audit_auditchainhead WHERE id = 3", table="audit_auditchainhead")
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, lane_three[-1].pk)
    assert report.problem == "chain head of lane 3 missing"


def test_hourly_check_reads_only_what_the_lanes_appended_since_the_checkpoint(
    lane_three, anchor_dir
):
    assert chain_checkpoint().ok
    with holding(1) as (holder,):
        newer = record(None, "test.after_checkpoint")  # lane 2: lane 1 is held
    check = chain_checkpoint()
    assert check.ok, check.problem
    assert check.checked == 2  # the holder's entry in lane 1 and this one
    assert {holder.entries[0].pk, newer.pk} == {check.first_entry_id, check.last_entry_id}
    assert chain_verify().ok


def test_checkpoints_from_before_the_lanes_still_verify(anchor_dir):
    before = [record(None, "test.single_chain", data={"n": n}) for n in range(2)]
    old_line = anchor.sign(
        number=1,
        entry_id=before[-1].pk,
        entry_hash=before[-1].entry_hash,
        entry_key_id=before[-1].key_id,
        prev=anchor.NO_PREVIOUS,
    )
    (anchor_dir / anchor.FILE_NAME).write_text(old_line.line + "\n")
    assert json.loads(old_line.line)["v"] == 1 and "lanes" not in json.loads(old_line.line)
    with holding(1):
        record(None, "test.in_lane_two")

    check = chain_checkpoint()

    assert check.ok, check.problem
    first, second = anchor.read_file(anchor_dir / anchor.FILE_NAME)
    assert [mark.lane for mark in first.lanes] == [1] and first.entry_id == before[-1].pk
    assert [mark.lane for mark in second.lanes] == [1, 2]
    assert chain_verify().ok
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [before[-1].pk])
    with pytest.raises(CommandError, match=rf"entry #{before[-1].pk}"):
        verify()


def test_bulk_append_takes_a_lane_of_its_own():
    with holding(1), transaction.atomic():
        assert record_many(rows(5)) == 5
    bulk = list(AuditEntry.objects.filter(action="test.bulk").order_by("id"))
    assert {e.lane for e in bulk} == {2}
    assert AuditChainHead.objects.get(id=2).last_entry_id == bulk[-1].pk
    assert verify_chain().ok


def test_a_process_without_the_newest_key_stops_once_any_lane_has_it(settings):
    with holding(1):
        record(None, "test.lane_two")  # lane 2, under the old key
    settings.AUDIT_CHAIN_KEYS = f"{NEW},{OLD}"
    assert record(None, "test.after_rotation").lane == 1  # lane 1 moves on to k2
    settings.AUDIT_CHAIN_KEYS = OLD  # a process still running with the old configuration
    locked, release = threading.Event(), threading.Event()

    def hold_lane_one() -> None:
        try:
            with transaction.atomic(), connection.cursor() as c:
                c.execute("SELECT id FROM audit_auditchainhead WHERE id = 1 FOR UPDATE")
                locked.set()
                release.wait(20)
        finally:
            locked.set()
            connections.close_all()

    holder = threading.Thread(target=hold_lane_one)
    holder.start()
    assert locked.wait(20)
    try:
        # Lane 2 is free and still on the old key, but the chain has moved on to k2.
        with pytest.raises(ChainKeyError, match="uses key 'k2'"), transaction.atomic():
            record(None, "test.stale_process")
    finally:
        release.set()
        holder.join(20)
    assert not AuditEntry.objects.filter(action="test.stale_process").exists()
