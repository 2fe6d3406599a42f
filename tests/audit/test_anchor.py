"""Clause 6: signed checkpoints of the chain head, written outside the database, and the
checks that compare the chain with them."""

import base64
import json
from datetime import timedelta
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit import anchor
from audit.chain import verify_chain
from audit.models import ChainCheck
from audit.services import chain_checkpoint, chain_verify, record
from notifications.models import Notification

from .conftest import as_superuser

OLD_ANCHOR = "testanchor1:dGVzdC1vbmx5LWF1ZGl0LWFuY2hvci1rZXktMzJieXQ="
NEW_ANCHOR = "a2:" + base64.b64encode(b"the second anchor key, 32 bytes!").decode()


def lines(anchor_dir) -> list[str]:
    return (anchor_dir / anchor.FILE_NAME).read_text().splitlines()


def rewrite(anchor_dir, new_lines: list[str]) -> None:
    (anchor_dir / anchor.FILE_NAME).write_text("".join(f"{line}\n" for line in new_lines))


@pytest.fixture
def entries(db):
    return [record(None, "test.anchored", data={"n": n}) for n in range(4)]


def test_checkpoint_records_the_head_signed_with_the_anchor_key(entries, anchor_dir):
    check = chain_checkpoint()

    assert check.ok and check.checkpoint_number == 1
    (line,) = lines(anchor_dir)
    assert line == check.checkpoint
    fields = json.loads(line)
    assert fields["entry_id"] == entries[-1].pk
    assert fields["entry_hash"] == entries[-1].entry_hash
    assert fields["entry_key_id"] == "testchain1"
    assert fields["key_id"] == "testanchor1" and fields["prev"] == "0" * 64
    assert abs(timezone.now() - anchor.parse(line).at_datetime) < timedelta(minutes=1)
    # Anyone with the public key (manage.py audit_keys show) can check it, with nothing but
    # the cryptography library.
    public = base64.b64decode(anchor.public_keys()["testanchor1"])
    body = {k: v for k, v in fields.items() if k != "sig"}
    Ed25519PublicKey.from_public_bytes(public).verify(
        base64.b64decode(fields["sig"]),
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode(),
    )


def test_each_checkpoint_links_to_the_one_before(entries, anchor_dir):
    first = chain_checkpoint()
    newer = record(None, "test.anchored_later")
    second = chain_checkpoint()

    assert second.checked == 1  # only the entry appended since the first checkpoint
    assert (second.first_entry_id, second.last_entry_id) == (newer.pk, newer.pk)
    one, two = (anchor.parse(line) for line in lines(anchor_dir))
    assert two.number == 2 and two.prev == one.digest and one.line == first.checkpoint
    assert [c.number for c in anchor.read_file(anchor_dir / anchor.FILE_NAME)] == [1, 2]


def test_checkpoint_file_is_appended_never_rewritten(entries, anchor_dir):
    chain_checkpoint()
    before = (anchor_dir / anchor.FILE_NAME).read_bytes()
    chain_checkpoint()
    assert (anchor_dir / anchor.FILE_NAME).read_bytes().startswith(before)


def test_no_checkpoint_is_written_over_a_changed_entry(entries, anchor_dir):
    chain_checkpoint()
    later = record(None, "test.anchored_later")
    as_superuser("UPDATE audit_auditentry SET data = '{\"x\": 1}' WHERE id = %s", [later.pk])

    check = chain_checkpoint()

    assert not check.ok and check.broken_entry_id == later.pk
    assert check.checkpoint == "" and len(lines(anchor_dir)) == 1


def test_without_an_anchor_directory_no_checkpoint_is_attempted(entries, settings):
    settings.AUDIT_ANCHOR_PATH = ""
    assert chain_checkpoint() is None
    with pytest.raises(CommandError, match="AUDIT_ANCHOR_PATH is not set"):
        call_command("audit_checkpoint")


def test_audit_checkpoint_command_writes_one_now(entries, anchor_dir):
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert f"Checkpoint 1 written: entry #{entries[-1].pk}" in out.getvalue()


# --- a tampered checkpoint file -------------------------------------------------------------


def test_changed_checkpoint_line_fails_its_signature(entries, anchor_dir):
    chain_checkpoint()
    (line,) = lines(anchor_dir)
    fields = json.loads(line)
    fields["entry_id"] = entries[1].pk  # pretend the log ended earlier
    rewrite(anchor_dir, [json.dumps(fields, sort_keys=True, separators=(",", ":"))])

    with pytest.raises(CommandError, match="line 1: the signature does not verify"):
        call_command("verify_audit_chain")
    check = chain_verify()
    assert not check.ok and check.problem.startswith("anchor: ")
    # ...and the next checkpoint refuses to build on it.
    assert not chain_checkpoint().ok


def test_removed_checkpoint_line_is_reported(entries, anchor_dir):
    for _ in range(3):
        chain_checkpoint()
    first, _, third = lines(anchor_dir)
    rewrite(anchor_dir, [first, third])

    with pytest.raises(anchor.AnchorError, match="line 2: checkpoint 3 where 2 was expected"):
        anchor.read_file(anchor_dir / anchor.FILE_NAME)


def test_newest_checkpoint_lines_removed_are_reported_against_the_database_record(
    entries, anchor_dir
):
    for _ in range(3):
        chain_checkpoint()
    rewrite(anchor_dir, lines(anchor_dir)[:2])  # a valid file, one line shorter

    assert anchor.read_file(anchor_dir / anchor.FILE_NAME)  # nothing in the file shows it
    check = chain_verify()

    assert not check.ok
    assert "checkpoint 3 of" in check.problem and "the file was cut back" in check.problem


def test_checkpoint_signed_with_another_key_is_refused(entries, anchor_dir, settings):
    settings.AUDIT_ANCHOR_KEYS = NEW_ANCHOR  # a forger's own key, not the trust's
    chain_checkpoint()
    settings.AUDIT_ANCHOR_KEYS = OLD_ANCHOR
    with pytest.raises(anchor.AnchorError, match="anchor key 'a2', which is not configured"):
        anchor.read_file(anchor_dir / anchor.FILE_NAME)


def test_partial_last_line_is_reported_not_appended_to(entries, anchor_dir):
    chain_checkpoint()
    with open(anchor_dir / anchor.FILE_NAME, "a") as fh:
        fh.write('{"v":1,"number":2')
    check = chain_checkpoint()
    assert not check.ok and "partial line" in check.problem


def test_stale_anchor_fails_the_daily_check(entries, anchor_dir, settings):
    chain_checkpoint()
    settings.AUDIT_ANCHOR_MAX_AGE = timedelta(0)
    check = chain_verify()
    assert not check.ok and "checkpoints have stopped" in check.problem


def test_anchor_directory_with_no_checkpoint_fails_the_daily_check(entries, anchor_dir):
    check = chain_verify()
    assert not check.ok and "no checkpoint has been written yet" in check.problem


def test_daily_check_compares_the_chain_with_every_checkpoint(entries, anchor_dir):
    chain_checkpoint()
    record(None, "test.anchored_later")
    chain_checkpoint()
    check = chain_verify()
    assert check.ok, check.problem
    assert check.checkpoints_compared == 2 and check.kind == ChainCheck.Kind.FULL


# --- anchor key rotation --------------------------------------------------------------------


def test_after_anchor_key_rotation_old_checkpoints_still_verify(entries, anchor_dir, settings):
    chain_checkpoint()
    settings.AUDIT_ANCHOR_KEYS = f"{NEW_ANCHOR},{OLD_ANCHOR}"
    chain_checkpoint()

    checkpoints = anchor.read_file(anchor_dir / anchor.FILE_NAME)

    assert [c.key_id for c in checkpoints] == ["testanchor1", "a2"]
    assert chain_verify().ok
    settings.AUDIT_ANCHOR_KEYS = NEW_ANCHOR  # the old key must stay listed
    with pytest.raises(anchor.AnchorError, match="'testanchor1', which is not configured"):
        anchor.read_file(anchor_dir / anchor.FILE_NAME)


# --- checkpoints kept elsewhere (the emails) ------------------------------------------------


def test_checkpoints_from_the_emails_catch_a_cut_after_the_anchor_file_was_lost(
    entries, anchor_dir, tmp_path, settings
):
    emailed = tmp_path / "from-the-emails.txt"
    emailed.write_text(chain_checkpoint().checkpoint + "\n")
    settings.AUDIT_ANCHOR_PATH = ""  # the anchor volume is gone
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    as_superuser(
        "UPDATE audit_auditchainhead SET last_entry_id = %s, last_hash = %s",
        [entries[-2].pk, entries[-2].entry_hash],
        table="audit_auditchainhead",
    )
    assert "intact" in _verify()  # nothing inside the database shows the cut

    with pytest.raises(CommandError, match=rf"entry #{entries[-1].pk}: entry missing"):
        _verify("--checkpoints", str(emailed))


def _verify(*args) -> str:
    out = StringIO()
    call_command("verify_audit_chain", *args, stdout=out)
    return out.getvalue()


def test_first_checkpoint_of_the_day_is_emailed_to_the_trust_administrators(
    world, anchor_dir, django_capture_on_commit_callbacks
):
    record(None, "test.anchored")
    with django_capture_on_commit_callbacks(execute=True):
        check = chain_checkpoint()
        chain_checkpoint()  # an hour later: filed, not emailed again

    sent = Notification.objects.filter(kind="audit.checkpoint")
    assert {n.recipient for n in sent} == {world.trust_admin}
    (message,) = [m for m in mail.outbox if world.trust_admin.email in m.to]
    assert message.subject == "Today's checkpoint of the audit log"
    assert check.checkpoint in message.body
    assert "verify_audit_chain --checkpoints FILE" in message.body


def test_checkpoint_of_an_empty_chain_anchors_nothing_and_checks_cleanly(entries):
    empty = anchor.sign(
        number=1, entry_id=None, entry_hash="0" * 64, entry_key_id="", prev=anchor.NO_PREVIOUS
    )
    assert verify_chain(checkpoints=[empty]).ok
    assert verify_chain(after=empty).ok
