"""Issue 15 item 4 (7.3 with 4.5c, 4.5d): the case page shows which official account the
report names; the handlers start its password rotation and a review from the case when they
choose, and both are entries of the chronology."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from breaches.account_actions import case_account_review_start, case_account_rotation_start
from breaches.services import BreachError, case_acknowledge, case_close, case_decide_outcome
from channels.models import AccountEvent
from escrow.models import Credential
from tests.breaches.factories import report
from tests.escrow.factories import escrowed_account


def test_case_page_names_the_account_and_handlers_start_rotation_and_review(world, client_for):
    account = escrowed_account(world)
    case = report(world, actor=world.dsl_a, account=account)
    client = client_for("head_a")
    page = client.get(reverse("breaches:case_detail", args=[case.pk])).content.decode()
    assert "Official account named in this report" in page and str(account) in page
    assert not Credential.objects.get(account=account).rotation_required

    response = client.post(reverse("breaches:case_account_rotation", args=[case.pk]))
    assert response.status_code == 302
    assert Credential.objects.get(account=account).rotation_required
    client.post(reverse("breaches:case_account_review", args=[case.pk]))
    account.refresh_from_db()
    assert account.next_review_due == timezone.localdate()

    actions = list(case.entries.filter(kind="action").values_list("action", flat=True))
    assert actions == ["credentials_rotated", "account_review"]
    page = client.get(reverse("breaches:case_detail", args=[case.pk])).content.decode()
    assert "Password rotation started" in page and "Review of" in page


def test_the_account_history_names_no_person_and_no_cause(world):
    account = escrowed_account(world)
    case = report(world, actor=world.dsl_a, account=account, subject=world.teacher_a)
    case_account_review_start(actor=world.head_a, case=case)
    event = AccountEvent.objects.filter(account=account).latest("id")
    assert event.actor_id is None
    assert "case" not in event.note.lower() and "report" not in event.note.lower()


def test_a_case_without_an_account_or_a_closed_case_refuses(world):
    case = report(world)
    with pytest.raises(BreachError):
        case_account_rotation_start(actor=world.head_a, case=case)
    account = escrowed_account(world)
    closed = report(world, account=account)
    case_acknowledge(actor=world.head_a, case=closed)
    case_decide_outcome(actor=world.head_a, case=closed, outcome="nfa", summary="Nothing.")
    case_close(actor=world.head_a, case=closed)
    with pytest.raises(BreachError):
        case_account_review_start(actor=world.head_a, case=closed)


def test_only_handlers_start_them(world):
    from django.core.exceptions import PermissionDenied

    case = report(world, account=escrowed_account(world))
    with pytest.raises(PermissionDenied):
        case_account_rotation_start(actor=world.leader_a, case=case)
    assert not Credential.objects.get(account=case.account).rotation_required
