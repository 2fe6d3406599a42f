"""Home-page cards: policies waiting for the person's acknowledgement, and policies they own
that are due for review. Counted with the other cards in one query (dashboard.selectors)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm
from portal.home_cards import CardQuery, card_provider

from .models import DUE_SOON_DAYS

# selectors.waiting_for(user).count(): policies that apply at a school where the person is
# staff (the school's own, and the trust's unless every such school has its own variant) whose
# current version asks for an acknowledgement the person has not given.
WAITING_SQL = """
    SELECT COUNT(*) FROM policies_policy p
    WHERE p.requires_acknowledgement AND p.current_version_id IS NOT NULL
      AND (
        p.school_id = ANY(%s::bigint[])
        OR (p.school_id IS NULL AND EXISTS (
          SELECT 1 FROM accounts_school s
          WHERE s.id = ANY(%s::bigint[]) AND s.trust_id = p.trust_id
            AND NOT EXISTS (
              SELECT 1 FROM policies_policy v WHERE v.school_id = s.id AND v.variant_of_id = p.id
            )
        ))
      )
      AND NOT EXISTS (
        SELECT 1 FROM policies_acknowledgement a
        WHERE a.user_id = %s AND a.version_id = p.current_version_id
      )
"""

DUE_SQL = "SELECT COUNT(*) FROM policies_policy WHERE owner_id = %s AND review_due <= %s"


@card_provider
def waiting_cards(user) -> list[CardQuery]:
    cards = []
    staff_schools = school_ids_with_perm(user, Perm.STAFF)
    if staff_schools:
        cards.append(
            CardQuery(
                "Policies to read and acknowledge",
                WAITING_SQL,
                [staff_schools, staff_schools, user.pk],
                reverse("policies:mine"),
                "warning",
            )
        )
    cards.append(
        CardQuery(
            "Policies you own that are overdue or due for review within 60 days",
            DUE_SQL,
            [user.pk, timezone.localdate() + timedelta(days=DUE_SOON_DAYS)],
            reverse("policies:list"),
            "danger",
        )
    )
    return cards
