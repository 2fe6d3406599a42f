"""The home page's cards: a registry the apps plug into from their AppConfig.ready().

An app registers a provider with `register_home_cards(provider)`; a `@card_provider`
function `user -> list[CardQuery]` gives cards whose numbers are counted together with every
other provider's in one query (`home_cards(user)`). A card is built from the selector whose
rows it counts (`card_count(title, selector(user).filter(...), url)`): the rule of who sees
what is written once, in the selector, and its compiled SQL becomes one scalar subquery of the
home page's single round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import update_wrapper
from itertools import chain

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet


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


def _counts(queries: list[CardQuery]) -> list[int]:
    """Each query's count, in one query (each count a scalar subquery)."""
    if not queries:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"({q.sql})" for q in queries),
            [param for q in queries for param in q.params],
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


def home_cards(user) -> list[HomeCard]:
    """Every provider's cards, in the order the providers were registered. The counts of all
    CardProviders are asked in one query, whatever the person's roles or the data."""
    slots = [
        provider.queries(user) if isinstance(provider, CardProvider) else provider(user)
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
