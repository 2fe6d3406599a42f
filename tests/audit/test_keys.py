"""Clause 6: the chain and anchor keys live outside the database, rotate, and never show."""

import base64
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction

from audit.chain import LEGACY_KEY_ID, ChainKeyError, compute_hash, verify_chain
from audit.keys import Keyring, chain_keyring, parse_keyring
from audit.models import AuditChainHead, AuditEntry
from audit.services import record

from .conftest import rechain

OLD = "testchain1:dGVzdC1vbmx5LWF1ZGl0LWNoYWluLWtleS0zMmJ5dGU="
NEW_KEY = base64.b64encode(b"the second chain key, 32 bytes!!").decode()
NEW = f"k2:{NEW_KEY}"


def test_keyring_lists_the_current_key_first_and_ranks_older_ones():
    ring = parse_keyring(f"{NEW},{OLD}", setting="AUDIT_CHAIN_KEYS")
    assert ring.current_id == "k2"
    assert (ring.rank("k2"), ring.rank("testchain1"), ring.rank("nope")) == (0, 1, None)
    assert NEW_KEY not in repr(ring)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "No key configured"),
        ("k1", "expected 'id:base64key'"),
        ("k 1:" + NEW_KEY, "expected 'id:base64key'"),
        ("k1:not base64!", "not valid base64"),
        ("k1:" + base64.b64encode(b"short").decode(), "must be 32 random bytes, not 5"),
        (f"k1:{NEW_KEY},k1:{NEW_KEY}", "appears twice"),
    ],
)
def test_malformed_keys_are_refused_without_echoing_them(spec, message):
    with pytest.raises(ImproperlyConfigured, match=message) as exc:
        parse_keyring(spec, setting="AUDIT_CHAIN_KEYS")
    assert NEW_KEY not in str(exc.value)


def test_chain_keys_are_read_from_the_file_the_setting_names(db, settings, tmp_path):
    keys = tmp_path / "audit_chain_keys"
    keys.write_text(f"{NEW}\n{OLD}\n")  # one per line works too
    settings.AUDIT_CHAIN_KEYS = ""
    settings.AUDIT_CHAIN_KEYS_FILE = str(keys)
    assert chain_keyring().current_id == "k2"
    assert record(None, "test.from_file").key_id == "k2"


def test_unreadable_key_file_stops_every_write(db, settings, tmp_path):
    settings.AUDIT_CHAIN_KEYS_FILE = str(tmp_path / "missing")
    before = AuditEntry.objects.count()
    with pytest.raises(ImproperlyConfigured, match="AUDIT_CHAIN_KEYS_FILE cannot be read"):
        record(None, "test.no_key")
    assert AuditEntry.objects.count() == before


# --- rotation ---------------------------------------------------------------------------------


def test_after_rotation_new_entries_use_the_new_key_and_old_entries_still_verify(db, settings):
    old = [record(None, "test.before_rotation", data={"n": n}) for n in range(3)]
    settings.AUDIT_CHAIN_KEYS = f"{NEW},{OLD}"

    new = [record(None, "test.after_rotation", data={"n": n}) for n in range(3)]

    assert {e.key_id for e in old} == {"testchain1"} and {e.key_id for e in new} == {"k2"}
    assert new[0].prev_hash == old[-1].entry_hash  # the new key's first HMAC covers the old
    assert AuditChainHead.objects.get().last_key_id == "k2"
    report = verify_chain()
    assert report.ok, report.problem


def test_removing_a_key_that_made_entries_is_reported(db, settings):
    made_with_old = record(None, "test.before_rotation")
    settings.AUDIT_CHAIN_KEYS = NEW
    report = verify_chain()
    assert not report.ok
    assert report.broken_id <= made_with_old.pk
    assert "which is not configured" in report.problem


def test_a_retired_key_cannot_rewrite_what_was_written_after_the_rotation(db, settings):
    record(None, "test.before_rotation")
    settings.AUDIT_CHAIN_KEYS = f"{NEW},{OLD}"
    after = [record(None, "test.after_rotation", data={"n": n}) for n in range(3)]
    victim = after[1]
    old_only = parse_keyring(OLD, setting="AUDIT_CHAIN_KEYS")

    def edit(entry):
        if entry.pk == victim.pk:
            entry.data = {"n": "forged"}

    # The old key leaked: the forger re-hashes from the victim on with it, all valid HMACs.
    rechain(from_id=victim.pk, key_for=lambda e: "testchain1", ring=old_only, edit=edit)

    report = verify_chain()

    assert (report.ok, report.broken_id) == (False, victim.pk)
    assert "older than key 'k2'" in report.problem


def test_a_process_without_the_new_key_refuses_to_append_after_the_rotation(db, settings):
    settings.AUDIT_CHAIN_KEYS = f"{NEW},{OLD}"
    record(None, "test.after_rotation")
    settings.AUDIT_CHAIN_KEYS = OLD  # a process still running with the old configuration
    before = AuditEntry.objects.count()

    with (
        pytest.raises(ChainKeyError, match="uses key 'k2', which this process does not hold"),
        transaction.atomic(),  # the change it would record fails with it
    ):
        record(None, "test.stale_process")

    assert AuditEntry.objects.count() == before
    settings.AUDIT_CHAIN_KEYS = f"{NEW},{OLD}"
    assert verify_chain().ok


def test_compute_hash_refuses_a_key_it_does_not_hold(db):
    entry = record(None, "test.entry")
    with pytest.raises(ChainKeyError, match="'elsewhere' is not configured"):
        compute_hash(entry.prev_hash, entry, key_id="elsewhere")


def test_legacy_entries_need_no_key_and_keep_verifying_after_rotations(db, settings):
    record(None, "test.legacy")
    rechain(key_for=lambda e: LEGACY_KEY_ID)
    record(None, "test.first_keyed")
    settings.AUDIT_CHAIN_KEYS = NEW + "," + OLD
    record(None, "test.second_key")
    report = verify_chain()
    assert report.ok and report.legacy >= 1


# --- manage.py audit_keys --------------------------------------------------------------------


def test_audit_keys_show_lists_ids_counts_and_public_keys_but_no_secret(db, settings):
    record(None, "test.one")
    settings.AUDIT_CHAIN_KEYS = f"{NEW},{OLD}"
    record(None, "test.two")
    out = StringIO()
    call_command("audit_keys", "show", stdout=out)
    text = out.getvalue()
    assert "k2: 1 entries" in text
    assert f"testchain1: {AuditEntry.objects.filter(key_id='testchain1').count()} entries" in text
    assert "testanchor1: " in text
    assert NEW_KEY not in text and "dGVzdC1vbmx5LWF1ZGl0LWNoYWluLWtleS0zMmJ5dGU=" not in text
    assert "dGVzdC1vbmx5LWF1ZGl0LWFuY2hvci1rZXktMzJieXQ=" not in text  # the anchor's private key


def test_audit_keys_new_prints_a_fresh_32_byte_key_under_the_id():
    out = StringIO()
    call_command("audit_keys", "new", "--id", "k3", stdout=out)
    ring = parse_keyring(out.getvalue().strip(), setting="AUDIT_CHAIN_KEYS")
    assert isinstance(ring, Keyring) and ring.current_id == "k3"
    again = StringIO()
    call_command("audit_keys", "new", "--id", "k3", stdout=again)
    assert again.getvalue() != out.getvalue()
