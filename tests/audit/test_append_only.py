"""Clause 6: the audit table is append-only on PostgreSQL; a trigger refuses changes."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry
from audit.services import record


@pytest.fixture
def entry(db):
    return record(None, "test.entry_written", data={"n": 1})


def _refused(fn):
    # A savepoint keeps the test's transaction usable after the trigger's error.
    with pytest.raises(DatabaseError, match="audit log is append-only"), transaction.atomic():
        fn()


def test_update_through_the_orm_is_refused(entry):
    _refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="test.changed"))
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.entry_written"


def test_saving_a_changed_entry_is_refused(entry):
    entry.data = {"n": 2}
    _refused(entry.save)
    assert AuditEntry.objects.get(pk=entry.pk).data == {"n": 1}


def test_delete_through_the_orm_is_refused(entry):
    _refused(entry.delete)
    _refused(lambda: AuditEntry.objects.all().delete())
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_update_in_raw_sql_is_refused(entry):
    def run():
        with connection.cursor() as c:
            c.execute("UPDATE audit_auditentry SET data = '{}' WHERE id = %s", [entry.pk])

    _refused(run)


def test_delete_in_raw_sql_is_refused(entry):
    def run():
        with connection.cursor() as c:
            c.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])

    _refused(run)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_truncate_is_refused_outside_the_test_runners_flush(entry):
    def run():
        with connection.cursor() as c:
            # The test settings allow TRUNCATE for Django's flush; a normal session does not.
            c.execute("SET LOCAL audit.allow_truncate = off")
            c.execute("TRUNCATE audit_auditentry")

    _refused(run)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_appending_still_works(entry):
    second = record(None, "test.entry_written", data={"n": 2})
    assert second.prev_hash == entry.entry_hash
