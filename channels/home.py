"""Cards on a leader's home page: what waits for them in official accounts."""

from __future__ import annotations

from django.urls import reverse

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm


def home_cards(user) -> list:
    from dashboard.selectors import HomeCard

    from .selectors import queue_counts

    # The permission look-up and the counts are one query each, whatever the data.
    if not school_ids_with_perm(user, Perm.APPROVE_CHANNEL):
        return []
    counts = queue_counts(user)
    url = reverse("channels:queue")
    cards = []
    if counts["submitted"]:
        cards.append(
            HomeCard("official accounts awaiting approval", counts["submitted"], url, "warning")
        )
    if counts["reviews"]:
        cards.append(HomeCard("account reviews overdue", counts["reviews"], url, "danger"))
    if counts["new_owner"]:
        cards.append(HomeCard("accounts needing a new owner", counts["new_owner"], url, "danger"))
    return cards
