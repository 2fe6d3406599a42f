"""Home cards compiled once per person, roles, day and language (portal.home_cards,
issue 21): the SQL is kept, the counts always run on the live data, and nothing is kept that
could depend on anything else."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import SchoolRole
from accounts.services import role_assign
from portal import home_cards as cards
from portal.home_cards import CardProvider, card_count, provider_queries

# Compiled cards are kept only outside a transaction: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _provider(build) -> CardProvider:
    return CardProvider(build)


def test_a_persons_cards_are_compiled_once_and_counted_on_live_data(world):
    built = []

    def build(user):
        built.append(user.pk)
        renamed = User.objects.filter(pk=user.pk, full_name__startswith="Renamed")
        return [card_count("people", renamed)]

    provider = _provider(build)
    user = User.objects.get(pk=world.teacher_a.pk)
    first = provider_queries(provider, user)
    again = provider_queries(provider, User.objects.get(pk=world.teacher_a.pk))
    assert again is first and built == [user.pk]
    assert cards._counts(again) == [0]
    User.objects.filter(pk=user.pk).update(full_name="Renamed Teacher")  # data, not roles
    kept = provider_queries(provider, User.objects.get(pk=world.teacher_a.pk))
    assert kept is first and cards._counts(kept) == [1]


def test_a_role_change_compiles_the_cards_again(world):
    built = []
    provider = _provider(lambda user: built.append(1) or [card_count("x", User.objects.all())])
    provider_queries(provider, User.objects.get(pk=world.teacher_b.pk))
    role_assign(actor=None, user=world.teacher_b, school=world.school_a, role=SchoolRole.LEADER)
    provider_queries(provider, User.objects.get(pk=world.teacher_b.pk))
    assert len(built) == 2


def test_someone_else_never_gets_anothers_cards(world):
    provider = _provider(lambda user: [card_count("me", User.objects.filter(pk=user.pk))])
    mine = provider_queries(provider, User.objects.get(pk=world.teacher_a.pk))
    theirs = provider_queries(provider, User.objects.get(pk=world.teacher_b.pk))
    assert mine[0].params != theirs[0].params


def test_a_build_that_read_the_data_or_the_clock_is_not_kept(world):
    reads = []

    def reading(user):
        reads.append(1)
        ids = list(User.objects.filter(pk=user.pk).values_list("pk", flat=True))  # a query
        return [card_count("read", User.objects.filter(pk__in=ids))]

    def clock(user):
        reads.append(2)
        return [card_count("clock", User.objects.filter(last_login__lte=timezone.now()))]

    user = User.objects.get(pk=world.teacher_a.pk)
    for build in (reading, clock):
        provider = _provider(build)
        provider_queries(provider, user)
        provider_queries(provider, user)
    assert reads == [1, 1, 2, 2]


def test_nobody_signed_in_is_never_kept(world):
    from django.contrib.auth.models import AnonymousUser

    built = []
    provider = _provider(lambda user: built.append(1) or [])
    provider_queries(provider, AnonymousUser())
    provider_queries(provider, AnonymousUser())
    assert built == [1, 1]


def test_nothing_is_kept_inside_a_transaction(world):
    built = []
    provider = _provider(lambda user: built.append(1) or [card_count("x", User.objects.all())])
    user = User.objects.get(pk=world.teacher_a.pk)
    with transaction.atomic():
        provider_queries(provider, user)
        provider_queries(provider, user)
    assert built == [1, 1]


def test_a_card_that_compares_with_now_is_kept_and_counts_at_the_time_of_each_count(
    world, time_machine
):
    from datetime import UTC, datetime, timedelta

    from portal.home_cards import card_now
    from tests.factories import UserFactory

    built = []

    def build(user):
        built.append(1)
        return [
            card_count("joined", User.objects.filter(pk=newcomer.pk, date_joined__lte=card_now()))
        ]

    time_machine.move_to(datetime(2026, 10, 2, 9, 0, tzinfo=UTC))
    newcomer = UserFactory(date_joined=timezone.now() + timedelta(hours=1))
    provider = _provider(build)
    user = User.objects.get(pk=world.teacher_a.pk)
    assert cards._counts(provider_queries(provider, user)) == [0]
    time_machine.move_to(timezone.now() + timedelta(hours=2))  # the same day
    assert cards._counts(provider_queries(provider, user)) == [1]
    assert built == [1]
