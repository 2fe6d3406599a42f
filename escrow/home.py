"""Home-page cards: login details waiting for the person (5.19). Counted from the selectors'
querysets with the other cards in one query (portal.home_cards)."""

from __future__ import annotations

from django.urls import reverse

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm
from accounts.types import Viewer
from portal.home_cards import CardQuery, card_count, card_now, card_provider

from .selectors import details_to_give_or_change_for, passwords_due_for


@card_provider
def home_cards(user: Viewer) -> list[CardQuery]:
    if not getattr(user, "is_authenticated", False):
        return []
    # The time of each count, not of the build: the compiled card can be kept.
    now = card_now()
    url = reverse("escrow:index")
    cards = [
        card_count(
            "official accounts whose login details to give or change",
            details_to_give_or_change_for(user, now),
            url,
            "danger",
        )
    ]
    if school_ids_with_perm(user, Perm.RETRIEVE_CREDENTIAL):
        cards.append(
            card_count(
                "official account passwords overdue or to be changed",
                passwords_due_for(user, now),
                url,
                "warning",
            )
        )
    return cards
