"""The home page's cards: a registry the apps plug into from their AppConfig.ready().

An app registers a provider with `register_home_cards(provider)`; a `@card_provider`
function `user -> list[CardQuery]` gives cards whose numbers are counted together with every
other provider's in one query (`home_cards(user)`). A card is built from the selector whose
rows it counts (`card_count(title, selector(user).filter(...), url)`): the rule of who sees
what is written once, in the selector, and its compiled SQL becomes one scalar subquery of the
home page's single round trip.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import update_wrapper
from itertools import chain

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone, translation


@dataclass
class HomeCard:
    """Something waiting for the person (a queue, a reminder), contributed by an app."""

    title: str
    count: int
    url: str
    tone: str = "secondary"  # bootstrap contextual class; the text always says the status


@dataclass
class CardQuery:
    """A card whose number is one SQL count: `sql` returns one row of one column (a
    `SELECT COUNT(*) ...`) with `%s` placeholders for `params`. The home page asks every
    provider's counts in a single query. Build it with `card_count` from a selector's queryset
    rather than by hand."""

    title: str
    sql: str
    params: Sequence = ()
    url: str = ""
    tone: str = "secondary"


def card_count(title: str, queryset: QuerySet, url: str = "", tone: str = "secondary") -> CardQuery:
    """The card counting `queryset`'s rows, with the SQL Django compiles for it (no query runs
    here). A queryset that can match nothing (`.none()`) counts 0 without SQL of its own."""
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return CardQuery(title, "SELECT 0", (), url, tone)
    return CardQuery(title, f"SELECT COUNT(*) FROM ({sql}) AS card_rows", params, url, tone)


class CardNow(datetime):
    """ "Now" as a card compares with it (`card_now()`): it stands in the compiled parameters
    as itself and is replaced by the time of each count, so a kept card stays exact."""


def card_now() -> CardNow:
    now = timezone.now()
    return CardNow(*now.timetuple()[:6], now.microsecond, tzinfo=now.tzinfo)


def _counts(queries: list[CardQuery]) -> list[int]:
    """Each query's count, in one query (each count a scalar subquery)."""
    if not queries:
        return []
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"({q.sql})" for q in queries),
            [now if isinstance(p, CardNow) else p for q in queries for p in q.params],
        )
        return list(cursor.fetchone())


def count_cards(queries: list[CardQuery]) -> list[HomeCard]:
    """The cards of `queries` with something waiting, in order (one query for all)."""
    return [
        HomeCard(q.title, n, q.url, q.tone)
        for q, n in zip(queries, _counts(queries), strict=True)
        if n
    ]


class CardProvider:
    """What an app registers: `provider(user)` gives its cards (one query), and
    `provider.queries(user)` the CardQuery list the home page counts with everyone else's. A
    provider returns no CardQuery for a card that cannot apply to the person (no school where
    they hold the permission), so that card costs nothing."""

    def __init__(self, queries: Callable[..., list[CardQuery]]):
        self.queries = queries
        update_wrapper(self, queries)

    def __call__(self, user) -> list[HomeCard]:
        return count_cards(self.queries(user))


def card_provider(queries: Callable[..., list[CardQuery]]) -> CardProvider:
    """Decorator for a function user -> list[CardQuery]."""
    return CardProvider(queries)


# Apps add providers from AppConfig.ready(): a CardProvider, or any provider(user) ->
# list[HomeCard] that uses a fixed number of queries (the home page's query count is asserted).
CARD_PROVIDERS: list = []


def register_home_cards(provider) -> None:
    CARD_PROVIDERS.append(provider)


# Compiled card queries, per process (issue 21). Building a card from its selector costs the
# ORM 1-6 ms per provider per request, more than the count itself; the SQL and parameters it
# compiles to are a function of the person, their roles, the day and the language only, so
# they are kept for that key and the count still runs on the live data every time. A build is
# kept only when it ran no query (its SQL then holds nothing read from the data), has no time
# of day among its parameters other than `card_now()` (replaced at each count), and ran
# outside any transaction (a role changed and rolled back in the same
# transaction could otherwise be kept under the person's unchanged version).
_COMPILED: OrderedDict[tuple, list[CardQuery]] = OrderedDict()
COMPILED_MAX = 4096


def _compiled_key(provider, user) -> tuple | None:
    version = getattr(user, "access_version", None)
    if version is None or not getattr(user, "is_authenticated", False):
        return None
    # date_joined as well as the id: a restored database could give an id to someone else.
    return (
        provider,
        user.pk,
        user.date_joined,
        version,
        timezone.localdate(),
        translation.get_language(),
    )


def _keepable(items: list) -> bool:
    return all(
        isinstance(item, CardQuery)
        and not any(isinstance(p, datetime) and not isinstance(p, CardNow) for p in item.params)
        for item in items
    )


def provider_queries(provider: CardProvider, user) -> list[CardQuery]:
    """`provider.queries(user)`, compiled once per person, roles, day and language."""
    key = None if connection.in_atomic_block else _compiled_key(provider, user)
    if key is not None and (kept := _COMPILED.get(key)) is not None:
        _COMPILED.move_to_end(key)
        return kept
    ran: list[str] = []

    def watch(execute, sql, params, many, context):
        ran.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        items = provider.queries(user)
    if key is not None and not ran and _keepable(items):
        _COMPILED[key] = items
        while len(_COMPILED) > COMPILED_MAX:
            _COMPILED.popitem(last=False)
    return items


def home_cards(user) -> list[HomeCard]:
    """Every provider's cards, in the order the providers were registered. The counts of all
    CardProviders are asked in one query, whatever the person's roles or the data."""
    slots = [
        provider_queries(provider, user) if isinstance(provider, CardProvider) else provider(user)
        for provider in CARD_PROVIDERS
    ]
    items = list(chain.from_iterable(slots))
    counts = iter(_counts([item for item in items if isinstance(item, CardQuery)]))
    cards: list[HomeCard] = []
    for item in items:
        if not isinstance(item, CardQuery):
            cards.append(item)
        elif n := next(counts):
            cards.append(HomeCard(item.title, n, item.url, item.tone))
    return cards
