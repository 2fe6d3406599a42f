"""Official accounts for tests. `make_account` builds one in any state the way the services
would have left it (events included), so view and permission tests start from real data."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from django.utils import timezone

from accounts.models import School, User
from channels.models import AccountEvent, OfficialAccount, Platform
from channels.services import normalise_handle, normalise_url

_seq = count(1)

PURPOSE = "Share PE fixtures, results and match reports with parents and students of the school."


def platform(name: str = "Instagram") -> Platform:
    found = Platform.objects.filter(name=name).first()
    if found is None:
        # A transactional (browser) test flushes the reused test database, seeds included.
        from channels.demo import ensure_catalogue

        ensure_catalogue()
        found = Platform.objects.get(name=name)
    return found


def account_data(school: School, **overrides) -> dict:
    n = next(_seq)
    domain = school.email_domains.first().domain
    data = {
        "platform": platform(),
        "handle": f"@school{n}pe",
        "url": f"https://www.instagram.com/school{n}pe/",
        "purpose": PURPOSE,
        "audience_year_groups": ["9", "10"],
        "audience_adults": True,
        "students_can_comment": True,
        "students_can_upload_images": False,
        "students_can_add_text": False,
        "login_email": f"pe{n}@{domain}",
        "attest_dedicated": True,
        "attest_no_private_messages": True,
        "attest_no_follow_back": True,
        "attest_strongest_privacy": True,
    }
    data.update(overrides)
    return data


def make_account(
    school: School,
    *,
    requested_by: User,
    owner: User | None = None,
    deputies: list[User] | None = None,
    status: str = OfficialAccount.Status.DRAFT,
    decided_by: User | None = None,
    **overrides,
) -> OfficialAccount:
    data = account_data(school, **overrides)
    account = OfficialAccount.objects.create(
        school=school,
        requested_by=requested_by,
        owner=owner or requested_by,
        status=status,
        handle_key=normalise_handle(data["handle"]),
        url_key=normalise_url(data["url"]),
        **data,
    )
    account.deputies.set(deputies or [])
    now = timezone.now()
    S = OfficialAccount.Status
    if status != S.DRAFT:
        account.submitted_at = now - timedelta(days=1)
    if status in (S.APPROVED, S.REJECTED, S.CHANGES_REQUESTED, S.ACTIVE, S.SUSPENDED, S.CLOSED):
        account.decided_at = now
        account.decided_by = decided_by
    if status in (S.ACTIVE, S.SUSPENDED):
        account.activated_at = now
        account.next_review_due = timezone.localdate() + timedelta(days=365)
    account.save()
    AccountEvent.objects.create(account=account, action="registered", to_status=status)
    return account
