"""Home-page cards: policies waiting for the person's acknowledgement, and policies they own
that are due for review. Two queries whatever the data."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from dashboard.selectors import HomeCard

from .models import DUE_SOON_DAYS, Policy
from .selectors import waiting_count


def waiting_cards(user) -> list[HomeCard]:
    cards = []
    count = waiting_count(user)
    if count:
        cards.append(
            HomeCard(
                title="Policies to read and acknowledge",
                count=count,
                url=reverse("policies:mine"),
                tone="warning",
            )
        )
    due = Policy.objects.filter(
        owner=user, review_due__lte=timezone.localdate() + timedelta(days=DUE_SOON_DAYS)
    ).count()
    if due:
        cards.append(
            HomeCard(
                title="Policies you own that are overdue or due for review within 60 days",
                count=due,
                url=reverse("policies:list"),
                tone="danger",
            )
        )
    return cards
