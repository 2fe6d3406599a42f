"""Section 7: a case's chronology is append-only in the database, like the audit log; its
entries go only with the case, when it is disposed of after its retention date."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from breaches.models import BreachCase, CaseEntry
from breaches.services import (
    case_acknowledge,
    case_add_note,
    case_close,
    case_decide_outcome,
    case_dispose,
)

from .factories import report

REFUSED = "case chronology is append-only"


@pytest.fixture
def case(world):
    case = report(world)
    case_acknowledge(actor=world.head_a, case=case)
    case_add_note(actor=world.head_a, case=case, text="Spoke to the member of staff.")
    return case


def closed(world, case, *, retention_until: datetime.date) -> BreachCase:
    case_decide_outcome(actor=world.head_a, case=case, outcome="nfa", summary="Nothing found.")
    case_close(actor=world.head_a, case=case)
    # Time passing: the case row is not append-only, its retention date is set by case_close.
    BreachCase.objects.filter(pk=case.pk).update(retention_until=retention_until)
    case.refresh_from_db()
    return case


def refused(fn) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        fn()


def sql(statement: str, params=None) -> None:
    with connection.cursor() as c:
        c.execute(statement, params)


def test_editing_an_entry_through_the_orm_is_refused(case):
    note = case.entries.get(kind=CaseEntry.Kind.NOTE)
    refused(lambda: CaseEntry.objects.filter(pk=note.pk).update(text="Nothing happened."))
    note.text = "Nothing happened."
    refused(note.save)
    assert CaseEntry.objects.get(pk=note.pk).text == "Spoke to the member of staff."


def test_editing_an_entry_in_plain_sql_is_refused(case):
    refused(lambda: sql("UPDATE breaches_caseentry SET text = '' WHERE case_id = %s", [case.pk]))


def test_deleting_entries_of_an_open_case_is_refused(case):
    count = case.entries.count()
    refused(lambda: case.entries.all().delete())
    refused(lambda: sql("DELETE FROM breaches_caseentry WHERE case_id = %s", [case.pk]))
    refused(case.delete)
    assert case.entries.count() == count


def test_deleting_entries_of_a_closed_case_still_in_retention_is_refused(world, case):
    closed(world, case, retention_until=timezone.localdate() + datetime.timedelta(days=30))
    refused(lambda: sql("DELETE FROM breaches_caseentry WHERE case_id = %s", [case.pk]))


def test_emptying_the_table_is_refused_outside_the_test_runners_flush(case):
    def run():
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred check
        sql("SET LOCAL audit.allow_truncate = off")
        sql("TRUNCATE breaches_caseentry")

    refused(run)
    assert case.entries.exists()


def test_disposal_after_retention_removes_the_case_with_its_chronology(world, case):
    closed(world, case, retention_until=timezone.localdate() - datetime.timedelta(days=1))
    case_dispose(actor=world.trust_hr, case=case)
    assert not BreachCase.objects.filter(pk=case.pk).exists()
    assert not CaseEntry.objects.filter(case_id=case.pk).exists()


def test_adding_to_the_chronology_still_works(world, case):
    before = case.entries.count()
    case_add_note(actor=world.head_a, case=case, text="Another note.")
    assert case.entries.count() == before + 1
