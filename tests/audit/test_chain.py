"""Clause 6: entries are chained with an HMAC whose key is not in the database, the chain is
anchored outside it, and `manage.py verify_audit_chain` finds tampering by the database owner,
who can switch the append-only trigger off: an edited entry, an entry removed from the middle,
an end cut off with the head moved back, and a chain recomputed forward with the project's own
compute_hash by someone without the key."""

import hashlib
import hmac
import json
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

from audit.chain import GENESIS_HASH, LEGACY_KEY_ID, canonical_content, compute_hash, verify_chain
from audit.keys import Keyring, chain_keyring
from audit.models import AuditChainHead, AuditEntry
from audit.services import chain_checkpoint, record

from .conftest import as_superuser, move_head, rechain

# What an attacker without the key would use: the same key id, their own guess of the key.
GUESSED = Keyring(order=("testchain1",), keys={"testchain1": b"a guess of the key, 32 bytes...!"})


@pytest.fixture
def chain(db):
    """Seven entries on top of whatever is there, oldest first."""
    return [record(None, "test.chained", data={"n": n}) for n in range(7)]


def verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def test_untouched_chain_verifies_with_its_count(chain):
    total = AuditEntry.objects.count()
    assert f"Audit chain intact: {total} entries verified; no checkpoints" in verify()


def test_each_entry_is_an_hmac_of_its_content_under_the_current_key(chain):
    ring = chain_keyring()
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.key_id == ring.current_id == "testchain1"
        assert after.prev_hash == before.entry_hash
        # Computed here with the standard library, not the project's compute_hash.
        message = f"v1\ntestchain1\n{before.entry_hash}\n{canonical_content(after.__dict__)}"
        expected = hmac.new(ring.keys["testchain1"], message.encode(), hashlib.sha256)
        assert after.entry_hash == expected.hexdigest()
        plain = hashlib.sha256((before.entry_hash + canonical_content(after.__dict__)).encode())
        assert after.entry_hash != plain.hexdigest()


def test_chain_head_names_the_last_entry_and_its_key(chain):
    head = AuditChainHead.objects.get()
    assert (head.last_entry_id, head.last_hash, head.last_key_id) == (
        chain[-1].pk,
        chain[-1].entry_hash,
        "testchain1",
    )


def test_changed_data_is_reported_at_exactly_that_entry(chain):
    victim = chain[3]
    as_superuser("UPDATE audit_auditentry SET data = '{\"n\": 99}' WHERE id = %s", [victim.pk])
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


# --- tamper 1: an entry removed from the middle -------------------------------------------


def test_deleted_middle_entry_is_reported_as_missing(chain):
    gone, next_one = chain[3], chain[4]
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [gone.pk])
    with pytest.raises(CommandError) as exc:
        verify()
    message = str(exc.value)
    assert f"entry #{next_one.pk}: entry missing" in message
    assert f"between #{chain[2].pk} and #{next_one.pk}" in message


def test_deleted_middle_entry_with_the_chain_relinked_without_the_key_is_reported(chain):
    gone, next_one = chain[3], chain[4]
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [gone.pk])
    rechain(from_id=next_one.pk, ring=GUESSED)  # every later entry re-linked and re-hashed

    report = verify_chain()

    assert (report.ok, report.broken_id) == (False, next_one.pk)
    assert report.problem.startswith("content changed")


def test_deleted_first_entry_is_reported(chain):
    first = AuditEntry.objects.order_by("id").first()
    second = AuditEntry.objects.filter(id__gt=first.pk).order_by("id").first()
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [first.pk])
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, second.pk)
    assert report.problem.startswith("entry missing")


# --- tamper 2: the end cut off and the head moved back --------------------------------------


def test_last_entries_deleted_and_head_moved_back_are_reported_from_the_checkpoint(
    chain, anchor_dir
):
    assert chain_checkpoint().ok  # the hourly checkpoint, outside the database
    kept = chain[3]
    as_superuser("DELETE FROM audit_auditentry WHERE id > %s", [kept.pk])
    move_head(kept.pk, kept.entry_hash, kept.key_id)

    with pytest.raises(CommandError) as exc:
        verify()

    message = str(exc.value)
    assert f"broken at entry #{chain[-1].pk}: entry missing: checkpoint 1 of" in message
    assert f"anchors entry #{chain[-1].pk}, but the chain goes from #{kept.pk}" in message


def test_last_entries_deleted_and_head_moved_back_stop_the_next_checkpoint(chain, anchor_dir):
    assert chain_checkpoint().ok
    kept = chain[3]
    as_superuser("DELETE FROM audit_auditentry WHERE id > %s", [kept.pk])
    move_head(kept.pk, kept.entry_hash, kept.key_id)

    check = chain_checkpoint()

    assert not check.ok and check.broken_entry_id == chain[-1].pk
    assert "entry missing" in check.problem
    assert check.checkpoint == ""  # nothing anchored over the cut
    assert len((anchor_dir / "audit-checkpoints.jsonl").read_text().splitlines()) == 1


def test_head_moved_back_with_the_entries_left_in_place_is_reported(chain):
    kept = chain[3]
    move_head(kept.pk, kept.entry_hash, kept.key_id)
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, chain[4].pk)
    assert report.problem.startswith("chain head moved back")


def test_deleted_last_entry_is_reported_from_the_chain_head(chain):
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [chain[-1].pk])
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, chain[-1].pk)
    assert "chain head expects" in report.problem


# --- tamper 3: an entry edited and the chain recomputed forward ---------------------------


def test_entry_edited_and_chain_recomputed_with_compute_hash_without_the_key_is_reported(chain):
    victim = chain[2]

    def edit(entry):
        if entry.pk == victim.pk:
            entry.data = {"n": 1000}

    rechain(from_id=victim.pk, ring=GUESSED, edit=edit)
    assert AuditEntry.objects.get(pk=victim.pk).data == {"n": 1000}

    with pytest.raises(CommandError, match=rf"entry #{victim.pk}: content changed"):
        verify()


def test_entry_edited_and_chain_recomputed_as_plain_sha256_is_reported(chain):
    """The downgrade: the forger makes the edited entry and every later one look like entries
    from before the chain was keyed, which need no key."""
    victim = chain[3]

    def edit(entry):
        if entry.pk == victim.pk:
            entry.actor_name = "Someone else"

    rechain(from_id=victim.pk, key_for=lambda e: LEGACY_KEY_ID, edit=edit)

    report = verify_chain()

    assert (report.ok, report.broken_id) == (False, victim.pk)
    assert report.problem.startswith("unkeyed entry (plain SHA-256) after keyed ones")


def test_whole_chain_recomputed_as_plain_sha256_is_caught_by_the_checkpoints(chain, anchor_dir):
    assert chain_checkpoint().ok
    rechain(key_for=lambda e: LEGACY_KEY_ID)  # from the first entry on: a consistent forgery
    assert verify_chain().ok  # which no hash alone can tell from the real thing

    with pytest.raises(CommandError) as exc:
        verify()

    first_pinned = chain[-1].pk  # the entry the checkpoint anchors
    assert f"entry #{first_pinned}: rewritten: the entry's hash differs from checkpoint 1" in str(
        exc.value
    )


def test_rewritten_entry_with_a_fresh_hash_breaks_the_next_link(chain):
    """Even with the key, an edit shows unless every later entry is rewritten too."""
    victim, next_one = chain[2], chain[3]
    victim.data = {"n": 1000}
    forged = compute_hash(victim.prev_hash, victim)
    as_superuser(
        "UPDATE audit_auditentry SET data = '{\"n\": 1000}', entry_hash = %s WHERE id = %s",
        [forged, victim.pk],
    )
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, next_one.pk)
    assert report.problem.startswith("chain link broken")


def test_entry_relabelled_with_an_unknown_key_is_reported(chain):
    as_superuser("UPDATE audit_auditentry SET key_id = 'forged' WHERE id = %s", [chain[5].pk])
    report = verify_chain()
    assert (report.ok, report.broken_id) == (False, chain[5].pk)
    assert "'forged', which is not configured" in report.problem


# --- entries from before the chain was keyed -----------------------------------------------


@pytest.fixture
def upgraded(chain):
    """The log of an installation upgraded after chain[2]: everything up to it was hashed with
    plain SHA-256 (as before this release), the entries after it are keyed and link to it."""
    boundary = chain[2].pk
    rechain(key_for=lambda e: LEGACY_KEY_ID if e.pk <= boundary else "testchain1")
    return chain


def test_legacy_entries_followed_by_keyed_ones_verify(upgraded):
    report = verify_chain()
    assert report.ok, report.problem
    assert report.legacy == AuditEntry.objects.filter(key_id="").count() >= 3
    assert "from before the chain was keyed" in verify()


def test_first_keyed_entry_covers_the_last_legacy_hash(upgraded):
    first_keyed = AuditEntry.objects.get(pk=upgraded[3].pk)
    last_legacy = AuditEntry.objects.get(pk=upgraded[2].pk)
    assert last_legacy.key_id == "" and first_keyed.key_id == "testchain1"
    assert first_keyed.prev_hash == last_legacy.entry_hash


def test_legacy_entry_edited_and_legacy_chain_recomputed_breaks_at_the_first_keyed_entry(
    upgraded,
):
    victim, first_keyed = upgraded[1], upgraded[3]

    def edit(entry):
        if entry.pk == victim.pk:
            entry.data = {"n": "forged"}

    # SHA-256 needs no key: the forger recomputes every legacy entry and re-links the first
    # keyed one, whose HMAC they cannot recompute.
    rechain(
        from_id=victim.pk,
        key_for=lambda e: "" if e.pk < first_keyed.pk else e.key_id,
        ring=GUESSED,
        edit=edit,
    )

    report = verify_chain()

    assert (report.ok, report.broken_id) == (False, first_keyed.pk)
    assert report.problem.startswith("content changed")


def test_appending_after_legacy_entries_keys_the_new_entry(db):
    last = record(None, "test.before_upgrade")
    rechain(key_for=lambda e: LEGACY_KEY_ID)
    assert AuditChainHead.objects.get().last_key_id == ""
    legacy_head = AuditEntry.objects.get(pk=last.pk).entry_hash

    entry = record(None, "test.after_upgrade")

    assert entry.key_id == "testchain1" and entry.prev_hash == legacy_head
    assert verify_chain().ok


# --- reading the chain ----------------------------------------------------------------------


def test_chain_is_read_in_batches_not_row_by_row(chain):
    total = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        report = verify_chain(batch_size=3)
    assert report.ok and report.checked == total
    # ceil(total / 3) batches, one empty-or-short last read at most, the chain head twice
    # and the newest id.
    assert len(ctx.captured_queries) <= total // 3 + 4


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


def test_entries_appended_during_the_check_are_not_taken_for_a_cut(chain, monkeypatch):
    import audit.chain

    appended = []
    walk = audit.chain.iterate_entries

    def append_then_walk(*args, **kwargs):
        # Another request appends after the check has read the chain head.
        appended.append(record(None, "test.during_check"))
        return walk(*args, **kwargs)

    monkeypatch.setattr(audit.chain, "iterate_entries", append_then_walk)
    report = verify_chain()

    assert report.ok, report.problem
    assert report.last_id == chain[-1].pk < appended[0].pk


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
    assert "Audit chain intact: 3 entries verified" in ok.stdout

    as_superuser(
        "UPDATE audit_auditentry SET action = 'test.forged' WHERE id = %s", [entries[1].pk]
    )
    broken = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert broken.returncode != 0
    assert f"entry #{entries[1].pk}: content changed" in broken.stderr


def test_canonical_content_hashes_binary_values_as_base64(chain):
    """A ciphertext field (bytes, read back as memoryview) has one canonical text."""
    fields = {**chain[0].__dict__, "target_repr": memoryview(b"\x00\xffcipher")}
    assert json.loads(canonical_content(fields))["target_repr"] == "AP9jaXBoZXI="
    assert canonical_content(fields) == canonical_content(
        {**fields, "target_repr": b"\x00\xffcipher"}
    )
