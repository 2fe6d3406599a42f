"""audit.services.record_many: entries appended in bulk carry the same keyed hashes as
record() would give them (the benchmark seed appends two million this way)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from audit.chain import compute_hash, verify_chain
from audit.masking import MASK
from audit.models import AuditChainHead, AuditEntry
from audit.services import record, record_many


def rows(n: int, **overrides):
    start = timezone.now() - timedelta(days=1)
    for i in range(n):
        yield {
            "created_at": start + timedelta(seconds=i),
            "actor_id": None,
            "actor_name": "",
            "actor_email": "",
            "action": "test.bulk",
            "target_type": "accounts.User",
            "target_id": str(i),
            "target_repr": f'Person "{i}", with a comma',
            "school_id": None,
            "data": {"n": i, "ratio": 1.0},
            "ip_address": None,
            **overrides,
        }


def test_bulk_entries_continue_the_chain_and_verify(db):
    before = record(None, "test.before_bulk")
    progress: list[int] = []

    appended = record_many(rows(25), batch_size=10, progress=progress.append)

    assert appended == 25 and progress == [10, 20, 25]
    bulk = list(AuditEntry.objects.filter(action="test.bulk").order_by("id"))
    assert len(bulk) == 25 and bulk[0].prev_hash == before.entry_hash
    assert [e.target_id for e in bulk] == [str(i) for i in range(25)]  # ids in chain order
    for prev, entry in zip([before, *bulk], bulk, strict=False):
        assert entry.key_id == "testchain1"
        assert entry.entry_hash == compute_hash(prev.entry_hash, entry)
    head = AuditChainHead.objects.get()
    assert (head.last_entry_id, head.last_hash) == (bulk[-1].pk, bulk[-1].entry_hash)
    report = verify_chain()
    assert report.ok, report.problem
    after = record(None, "test.after_bulk")
    assert after.prev_hash == bulk[-1].entry_hash and verify_chain().ok


def test_bulk_entries_keep_empty_strings_and_nulls_apart(db, world):
    record_many(
        rows(1, actor_id=world.teacher_a.pk, actor_name="", school_id=None, ip_address="10.0.0.1")
    )
    entry = AuditEntry.objects.get(action="test.bulk")
    assert (entry.actor_id, entry.actor_name, entry.school_id) == (world.teacher_a.pk, "", None)
    assert entry.ip_address == "10.0.0.1"
    assert entry.target_repr == 'Person "0", with a comma'
    assert verify_chain().ok


def test_bulk_entries_are_masked_like_record(db):
    record_many(rows(1, data={"password": "hunter2", "n": 1}))
    assert AuditEntry.objects.get(action="test.bulk").data == {"password": MASK, "n": 1}
    assert verify_chain().ok


def test_bulk_append_refuses_an_action_without_a_namespace(db):
    before = AuditEntry.objects.count()
    with pytest.raises(ValueError, match="namespaced"), transaction.atomic():
        record_many(rows(3, action="bulk"))
    assert AuditEntry.objects.count() == before


def test_nothing_to_append_leaves_the_head_alone(db):
    last = record(None, "test.only")
    assert record_many([]) == 0
    assert AuditChainHead.objects.get().last_entry_id == last.pk
