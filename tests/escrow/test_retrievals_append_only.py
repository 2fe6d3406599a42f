"""4.5c: the record of who retrieved an account's login details is append-only in the
database, like the audit log."""

import pytest
from django.db import DatabaseError, connection, transaction

from escrow.models import Retrieval
from escrow.services import credential_retrieve

from .factories import escrowed_account

REFUSED = "credential retrievals are append-only"


@pytest.fixture
def retrieval(world):
    account = escrowed_account(world)
    credential_retrieve(actor=world.leader_a, account=account, reason="Owner on leave")
    return Retrieval.objects.get(credential__account=account)


def refused(fn) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        fn()


def sql(statement: str, params=None) -> None:
    with connection.cursor() as c:
        c.execute(statement, params)


def test_changing_a_retrieval_is_refused(retrieval):
    refused(lambda: Retrieval.objects.filter(pk=retrieval.pk).update(reason="Routine"))
    retrieval.break_glass = True
    refused(retrieval.save)
    refused(
        lambda: sql("UPDATE escrow_retrieval SET user_id = user_id WHERE id = %s", [retrieval.pk])
    )
    stored = Retrieval.objects.get(pk=retrieval.pk)
    assert (stored.reason, stored.break_glass) == ("Owner on leave", False)


def test_deleting_a_retrieval_is_refused(retrieval):
    refused(retrieval.delete)
    refused(lambda: sql("DELETE FROM escrow_retrieval WHERE id = %s", [retrieval.pk]))
    assert Retrieval.objects.filter(pk=retrieval.pk).exists()


def test_emptying_the_table_is_refused_outside_the_test_runners_flush(retrieval):
    def run():
        sql("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred check
        sql("SET LOCAL audit.allow_truncate = off")
        sql("TRUNCATE escrow_retrieval")

    refused(run)
    assert Retrieval.objects.filter(pk=retrieval.pk).exists()


def test_retrieving_again_still_adds_a_record(world, retrieval):
    credential_retrieve(actor=world.leader_a, account=retrieval.credential.account, reason="Again")
    assert Retrieval.objects.filter(credential=retrieval.credential).count() == 2
