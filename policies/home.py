"""The home-page card: policies waiting for the person's acknowledgement (one query)."""

from __future__ import annotations

from django.urls import reverse

from dashboard.selectors import HomeCard

from .selectors import waiting_count


def waiting_cards(user) -> list[HomeCard]:
    count = waiting_count(user)
    if not count:
        return []
    return [
        HomeCard(
            title="Policies to read and acknowledge",
            count=count,
            url=reverse("policies:mine"),
            tone="warning",
        )
    ]
