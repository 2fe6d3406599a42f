"""Home-page cards: login details waiting for the person (5.19). Counted with the other cards
in one query (dashboard.selectors)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm
from channels.models import OfficialAccount
from portal.home_cards import CardQuery, card_provider

S = OfficialAccount.Status
ESCROWED = [S.APPROVED, S.ACTIVE, S.SUSPENDED]

# Accounts the person owns or deputises for with login details to give (none deposited yet,
# or no password change recorded) or to change (a change required, or the rotation interval
# passed). The owner's accounts and the deputy's are each found by index, then joined.
TEAM_SQL = """
    SELECT COUNT(*) FROM channels_officialaccount a
    LEFT JOIN escrow_credential c ON c.account_id = a.id
    WHERE a.id IN (
        SELECT id FROM channels_officialaccount WHERE owner_id = %s
        UNION SELECT officialaccount_id FROM channels_officialaccount_deputies WHERE user_id = %s
      )
      AND a.status = ANY(%s)
      AND (
        c.rotated_at IS NULL
        OR c.rotation_required
        OR c.rotated_at + make_interval(days => c.rotation_interval_days) <= %s
      )
"""

# Accounts of the schools where the person retrieves login details whose password must be
# changed or is overdue.
LEADER_SQL = """
    SELECT COUNT(*) FROM channels_officialaccount a
    JOIN escrow_credential c ON c.account_id = a.id
    WHERE a.school_id = ANY(%s::bigint[]) AND a.status = ANY(%s)
      AND (
        c.rotation_required
        OR c.rotated_at + make_interval(days => c.rotation_interval_days) <= %s
      )
"""


@card_provider
def home_cards(user) -> list[CardQuery]:
    if not getattr(user, "is_authenticated", False):
        return []
    now = timezone.now()
    statuses = [str(s) for s in ESCROWED]
    url = reverse("escrow:index")
    cards = [
        CardQuery(
            "official accounts whose login details to give or change",
            TEAM_SQL,
            [user.pk, user.pk, statuses, now],
            url,
            "danger",
        )
    ]
    retrieving = school_ids_with_perm(user, Perm.RETRIEVE_CREDENTIAL)
    if retrieving:
        cards.append(
            CardQuery(
                "official account passwords overdue or to be changed",
                LEADER_SQL,
                [retrieving, statuses, now],
                url,
                "warning",
            )
        )
    return cards
