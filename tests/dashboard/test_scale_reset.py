"""manage.py seed_scale --reset (issue 9): remove the scale data set and seed again, in one
transaction, keeping the append-only audit log; refused on a database with another trust."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from accounts.models import School, Trust, User
from audit import scale as audit_scale
from audit.models import AuditEntry
from breaches import scale as breaches_scale
from consents.models import ConsentDecision, Student
from notifications.models import Notification
from policies.models import Acknowledgement, Policy
from portal import scale
from portal.scale import SCALE_TRUST_NAME, ResetRefused, scaled_counts

SCALE = 0.0005


@pytest.fixture
def benchmark_database(db):
    """A database holding no trust in use: the personas that tests/conftest.py commits once
    per run are emptied inside this test's transaction (rolled back when the test ends)."""
    with connection.cursor() as cur:
        cur.execute("TRUNCATE accounts_trust, accounts_school, accounts_user CASCADE")


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_scale", scale=SCALE, stdout=out, **options)
    return out.getvalue()


def _scale_figures() -> dict[str, int]:
    trust = {"school__trust__name": SCALE_TRUST_NAME}
    return {
        "schools": School.objects.filter(trust__name=SCALE_TRUST_NAME).count(),
        "staff": User.objects.filter(memberships__school__trust__name=SCALE_TRUST_NAME)
        .distinct()
        .count(),
        "students": Student.objects.filter(**trust).count(),
        "decisions": ConsentDecision.objects.filter(student__school__trust__name=SCALE_TRUST_NAME)
        .count(),
        "policies": Policy.objects.filter(trust__name=SCALE_TRUST_NAME).count(),
        "acks": Acknowledgement.objects.count(),
        "notifications": Notification.objects.count(),
        "users": User.objects.count(),
    }  # fmt: skip


def test_reset_removes_the_data_set_and_seeds_it_again_appending_to_the_audit_log(
    benchmark_database,
):
    _seed()
    first = _scale_figures()
    old_ids = set(User.objects.values_list("pk", flat=True))
    old_trust = Trust.objects.get(name=SCALE_TRUST_NAME).pk
    audit_before = AuditEntry.objects.count()
    # As on a real server, where only the reset itself may empty the append-only case
    # chronology and retrieval records (it opens that for its own transaction).
    with connection.cursor() as cur:
        cur.execute("SET LOCAL audit.allow_truncate = off")

    output = _seed(reset=True)

    assert "emptied" in output and "built in" in output
    assert _scale_figures() == first  # the same data set again, not twice
    assert not User.objects.filter(pk__in=old_ids).exists()
    assert not Trust.objects.filter(pk=old_trust).exists()
    assert Trust.objects.filter(name=SCALE_TRUST_NAME).count() == 1
    # Append-only: every earlier entry stays, the reset is recorded, the new run appended.
    assert AuditEntry.objects.count() == audit_before + 1 + scaled_counts(SCALE)["audit_entries"]
    entry = AuditEntry.objects.get(action="scale.reset")
    assert entry.data["removed"]["consents_student"] == first["students"]
    assert f"kept its {audit_before:,} earlier entries" in output
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "Audit chain intact" in out.getvalue()


def test_reset_on_a_database_without_the_data_set_just_seeds(benchmark_database):
    _seed(reset=True)
    assert _scale_figures()["schools"] == scaled_counts(SCALE)["schools"]


def test_reset_is_refused_when_another_trust_has_schools_and_nothing_changes(db, world):
    _seed()
    before = _scale_figures()
    audit = AuditEntry.objects.count()
    with pytest.raises(CommandError) as refused:
        _seed(reset=True)
    message = str(refused.value)
    assert "Refused" in message and "Nothing was changed" in message
    assert world.school_a.trust.name in message
    assert _scale_figures() == before
    assert AuditEntry.objects.count() == audit


def test_the_reset_itself_refuses_inside_the_transaction_too(db, world):
    """The command checks first; reset() checks again where it runs, before any change."""
    with pytest.raises(ResetRefused), transaction.atomic():
        scale.reset(progress=lambda line: None)
    assert School.objects.filter(pk=world.school_a.pk).exists()


def test_a_failed_reseed_leaves_the_previous_data_set_untouched(benchmark_database, monkeypatch):
    _seed()
    before = _scale_figures()
    audit = AuditEntry.objects.count()

    def broken(b):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(breaches_scale, "declarations", broken)
    with pytest.raises(RuntimeError):
        _seed(reset=True)
    assert _scale_figures() == before
    assert AuditEntry.objects.count() == audit


def test_the_audit_stage_reports_progress_as_it_goes(db, monkeypatch):
    monkeypatch.setattr(audit_scale, "AUDIT_BATCH", 100)
    monkeypatch.setattr(audit_scale, "AUDIT_PROGRESS_EVERY", 200)
    output = _seed()
    total = scaled_counts(SCALE)["audit_entries"]  # 1,000
    assert f"audit: 200 of {total:,} entries" in output
    assert f"audit: 800 of {total:,} entries" in output
    assert "audit: 300 of" not in output
