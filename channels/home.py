"""Cards on a leader's home page: what waits for them in official accounts, counted from the
selectors' querysets with the other cards in one query (portal.home_cards)."""

from __future__ import annotations

from django.urls import reverse

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm
from accounts.types import Viewer
from portal.home_cards import CardQuery, card_count, card_provider

from .followups import open_followups_in
from .selectors import needing_new_owner_for, reviews_overdue_for, submitted_for


@card_provider
def home_cards(user: Viewer) -> list[CardQuery]:
    if not school_ids_with_perm(user, Perm.APPROVE_CHANNEL):
        return []
    url = reverse("channels:queue")
    return [
        card_count("official accounts awaiting approval", submitted_for(user), url, "warning"),
        card_count("account reviews overdue", reviews_overdue_for(user), url, "danger"),
        card_count(
            "account review follow-ups open",
            open_followups_in(school_ids_with_perm(user, Perm.APPROVE_CHANNEL)),
            url,
            "warning",
        ),
        card_count("accounts needing a new owner", needing_new_owner_for(user), url, "danger"),
    ]
