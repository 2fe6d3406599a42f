"""Cards on a leader's home page: what waits for them in official accounts (the counts of
channels.selectors.queue_counts), counted with the other cards in one query."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm
from portal.home_cards import CardQuery, card_provider

from .models import OfficialAccount

Status = OfficialAccount.Status

SUBMITTED_SQL = """
    SELECT COUNT(*) FROM channels_officialaccount
    WHERE school_id = ANY(%s::bigint[]) AND status = %s
"""
REVIEWS_SQL = """
    SELECT COUNT(*) FROM channels_officialaccount
    WHERE school_id = ANY(%s::bigint[]) AND status = ANY(%s) AND next_review_due <= %s
"""
NEW_OWNER_SQL = """
    SELECT COUNT(*) FROM channels_officialaccount
    WHERE school_id = ANY(%s::bigint[]) AND needs_new_owner AND NOT status = ANY(%s)
"""


@card_provider
def home_cards(user) -> list[CardQuery]:
    schools = school_ids_with_perm(user, Perm.APPROVE_CHANNEL)
    if not schools:
        return []
    url = reverse("channels:queue")
    return [
        CardQuery(
            "official accounts awaiting approval",
            SUBMITTED_SQL,
            [schools, str(Status.SUBMITTED)],
            url,
            "warning",
        ),
        CardQuery(
            "account reviews overdue",
            REVIEWS_SQL,
            [schools, [str(Status.ACTIVE), str(Status.SUSPENDED)], timezone.localdate()],
            url,
            "danger",
        ),
        CardQuery(
            "accounts needing a new owner",
            NEW_OWNER_SQL,
            [schools, [str(Status.CLOSED), str(Status.REJECTED)]],
            url,
            "danger",
        ),
    ]
