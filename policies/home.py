"""Home-page cards: policies waiting for the person's acknowledgement, and policies they own
that are due for review. Counted from the selectors' querysets with the other cards in one
query (portal.home_cards)."""

from __future__ import annotations

from django.urls import reverse

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm
from accounts.types import Viewer
from portal.home_cards import CardQuery, card_count, card_provider

from .selectors import owned_due_for_review, waiting_for


@card_provider
def waiting_cards(user: Viewer) -> list[CardQuery]:
    if not getattr(user, "is_authenticated", False):
        return []
    cards = []
    if school_ids_with_perm(user, Perm.STAFF):
        cards.append(
            card_count(
                "Policies to read and acknowledge",
                waiting_for(user),
                reverse("policies:mine"),
                "warning",
            )
        )
    cards.append(
        card_count(
            "Policies you own that are overdue or due for review within 60 days",
            owned_due_for_review(user),
            reverse("policies:list"),
            "danger",
        )
    )
    return cards
