"""The error of the policy register's services (its own module: policies.variants and
policies.services both raise it, and services imports variants)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from portal.errors import ServiceError


class PolicyError(ServiceError):
    """A rule of the policy register was broken; the message is for the user."""


def next_review_date(approved_on: date, interval_months: int | None, given: date | None) -> date:
    """The review date set directly, or the approval date plus the review interval."""
    if given is not None:
        return given
    if not interval_months:
        raise PolicyError("Give a review date or a review interval.")
    return approved_on + relativedelta(months=interval_months)
