"""Home cards (5.19): the team sees login details to give or change, leaders overdue ones;
one query however many accounts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from escrow.home import home_cards
from escrow.models import Credential
from escrow.services import credential_require_rotation

from .factories import active_account, escrowed_account


def _cards(user) -> dict[str, int]:
    return {c.title: c.count for c in home_cards(user)}


def test_owner_sees_accounts_without_details_and_leaders_see_required_rotation(world):
    active_account(world)  # nothing deposited yet
    escrowed_account(world)
    done = escrowed_account(world)
    owner = _cards(world.teacher_a)
    assert list(owner.values()) == [1]
    assert _cards(world.leader_a) == {}
    credential_require_rotation(
        actor=None, credential=Credential.objects.get(account=done), reason="test"
    )
    assert list(_cards(world.teacher_a).values()) == [2]
    assert list(_cards(world.leader_a).values()) == [1]
    assert _cards(world.leader_b) == {}


def test_overdue_rotation_shows_to_leaders(world, time_machine):
    time_machine.move_to("2026-01-01 09:00")
    escrowed_account(world)
    time_machine.move_to("2026-04-02 09:00")
    assert list(_cards(world.head_a).values()) == [1]


def test_home_cards_use_a_fixed_number_of_queries(world):
    escrowed_account(world)
    home_cards(world.leader_a)  # the person's roles are looked up once and kept
    with CaptureQueriesContext(connection) as few:
        home_cards(world.leader_a)
    for _ in range(3):
        escrowed_account(world)
        active_account(world)
    with CaptureQueriesContext(connection) as many:
        home_cards(world.leader_a)
    assert len(many.captured_queries) == len(few.captured_queries) == 1
