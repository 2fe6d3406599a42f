"""A school's local variant of a trust-wide policy (clause 8; issue 15).

A variant has its own approval (which body, on what date, recorded by whom) and its own review
dates, set when the school adopts the trust policy with its own text: its review status follows
those dates, never the trust policy's. Separately, it remembers the trust version it was written
against (`Policy.variant_base_version`); when the trust approves a newer version, the variant
says so until the school records a review of it (which checks it against the current trust
version). `policy_adopt` and `policy_review_record` in policies.services call in here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import PolicyError, next_review_date
from .models import Policy, PolicyVersion


class VariantDateError(ValueError):
    """The variant's own dates do not make sense; the message is for the person."""


def variant_dates(
    *, parent: Policy, adopted_on: date, approved_on: date | None, review_due: date | None
) -> tuple[date, date]:
    """(approved on, review due) of a new variant: its own approval date (the adoption date
    when none is given) and its own review date, or its approval date plus the trust policy's
    review interval. Never the trust policy's review date."""
    approved = approved_on or adopted_on
    try:
        due = next_review_date(approved, parent.review_interval_months, review_due)
    except PolicyError as exc:
        raise VariantDateError(
            "Give the local variant's review date: the trust policy has no review interval."
        ) from exc
    if due <= approved:
        raise VariantDateError("The variant's review date must come after its approval date.")
    return approved, due


def rebase_on_review(policy: Policy) -> None:
    """A review of a variant checks it against the trust's current version (called inside
    policy_review_record's transaction, with `policy` locked)."""
    if policy.variant_of_id is None:
        return
    current = (
        Policy.objects.filter(pk=policy.variant_of_id)
        .values_list("current_version", flat=True)
        .get()
    )
    if current != policy.variant_base_version_id:
        policy.variant_base_version_id = current
        policy.save(update_fields=["variant_base_version"])


@dataclass(frozen=True)
class VariantStanding:
    """What the variant page says about the trust version it follows."""

    base: PolicyVersion | None
    trust_current: PolicyVersion | None

    @property
    def moved_on(self) -> bool:
        return self.trust_current is not None and (
            self.base is None or self.base.pk != self.trust_current.pk
        )


def variant_standing(policy: Policy) -> VariantStanding | None:
    """None for a policy that is not a local variant (one query otherwise)."""
    if policy.variant_of_id is None:
        return None
    ids = [i for i in (policy.variant_base_version_id, policy.variant_of.current_version_id) if i]
    versions = {v.pk: v for v in PolicyVersion.objects.filter(pk__in=ids)}
    return VariantStanding(
        base=versions.get(policy.variant_base_version_id),
        trust_current=versions.get(policy.variant_of.current_version_id),
    )
