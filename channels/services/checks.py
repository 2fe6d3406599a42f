"""Rules shared by the official-account services and the registration form: keys, the
registration checks, the attestations, the account's event row and notification context
(clauses 4.2, 4.4, 4.5)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse

from accounts.models import School, SchoolEmailDomain, User
from accounts.selectors import staff_of_school
from portal.errors import ServiceError

from ..models import (
    YEAR_GROUP_LABELS,
    AccountEvent,
    OfficialAccount,
    Platform,
    year_group_ages,
)

Status = OfficialAccount.Status


class ChannelError(ServiceError):
    """A rule about official accounts was broken; the message is for the person.

    `field` names the form field the message belongs to, when there is one.
    """


def normalise_handle(handle: str) -> str:
    return handle.strip().lstrip("@").strip().lower()


def normalise_url(url: str) -> str:
    """Scheme, "www.", case of the host, query, fragment and trailing slash do not make a
    different account: https://www.Instagram.com/NorthfieldPE/ == instagram.com/northfieldpe."""
    parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if host.startswith("m."):
        host = host[2:]
    path = parts.path.rstrip("/").lower()
    return f"{host}{path}"


def youngest_year_group(codes: Iterable[str]) -> str | None:
    codes = [c for c in codes if c in YEAR_GROUP_LABELS]
    if not codes:
        return None
    return min(codes, key=lambda c: year_group_ages(c)[0])


def registration_problems(
    *,
    school: School,
    platform: Platform,
    handle: str,
    url: str,
    login_email: str,
    year_groups: Iterable[str],
    students_can_interact: bool,
    exclude_pk: int | None = None,
) -> dict[str, str]:
    """field -> message for every registration rule the data breaks (4.3, 4.5a, 4.1)."""
    problems: dict[str, str] = {}
    domain = login_email.rsplit("@", 1)[-1].lower() if "@" in login_email else ""
    domains = list(SchoolEmailDomain.objects.filter(school=school).values_list("domain", flat=True))
    if domain not in [d.lower() for d in domains]:
        shown = ", ".join(f"@{d}" for d in domains) or "(none recorded: ask the trust)"
        problems["login_email"] = (
            f"The login email must be an official {school.name} address (4.5a): one ending in "
            f"{shown}."
        )
    youngest = youngest_year_group(year_groups)
    if students_can_interact and youngest is not None:
        low, high = year_group_ages(youngest)
        if low < platform.min_age:
            problems["audience_year_groups"] = (
                f"{YEAR_GROUP_LABELS[youngest]} pupils are aged {low}–{high}, but "
                f"{platform.name}'s minimum age is {platform.min_age} (4.3). Students of that "
                "age cannot take part: remove the younger year groups or turn off comments, "
                "uploads and text from students."
            )
    others = OfficialAccount.objects.filter(
        status__in=OfficialAccount.HOLDS_NAME, school__trust_id=school.trust_id
    )
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    clash = (
        others.filter(platform=platform, handle_key=normalise_handle(handle))
        .select_related("school")
        .first()
    )
    if clash:
        problems["handle"] = (
            f"{handle} on {platform.name} is already registered in the trust "
            f"(by {clash.school.name})."
        )
    clash = others.filter(url_key=normalise_url(url)).select_related("school").first()
    if clash:
        problems["url"] = (
            f"This address is already registered in the trust (by {clash.school.name})."
        )
    return problems


ATTESTATIONS = {
    "attest_dedicated": "The account is dedicated to school use and separate from any "
    "personal account (4.5a).",
    "attest_no_private_messages": "There will be no private messages with students (4.5i).",
    "attest_no_follow_back": "Student accounts will not be followed back or viewed (4.5j).",
    "attest_strongest_privacy": "The strongest privacy settings are set (4.4).",
}

# The account's own fields, as the registration form and account_update take them (the form
# adds the owner and deputies after them, then the attestations).
ACCOUNT_DETAIL_FIELDS = [
    "platform",
    "handle",
    "url",
    "purpose",
    "audience_year_groups",
    "audience_adults",
    "students_can_comment",
    "students_can_upload_images",
    "students_can_add_text",
    "login_email",
]
ACCOUNT_FIELDS = [*ACCOUNT_DETAIL_FIELDS, *ATTESTATIONS]


def _check_team(school: School, owner: User, deputies: list[User]) -> None:
    staff_ids = set(staff_of_school(school).values_list("pk", flat=True))
    if owner.pk not in staff_ids:
        raise ChannelError(f"The owner must be a member of staff of {school.name}.", "owner")
    if not deputies:
        raise ChannelError(
            "Name at least one deputy administrator, so the account never depends on one person.",
            "deputies",
        )
    if any(d.pk == owner.pk for d in deputies):
        raise ChannelError("The owner cannot also be a deputy.", "deputies")
    if any(d.pk not in staff_ids for d in deputies):
        raise ChannelError(f"Deputies must be members of staff of {school.name}.", "deputies")


def _check_registration(account: OfficialAccount) -> None:
    problems = registration_problems(
        school=account.school,
        platform=account.platform,
        handle=account.handle,
        url=account.url,
        login_email=account.login_email,
        year_groups=account.audience_year_groups,
        students_can_interact=account.students_can_interact,
        exclude_pk=account.pk,
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise ChannelError(message, field)
    if len(account.purpose.strip()) < 40:
        raise ChannelError(
            "Describe the pedagogical or business reason in at least 40 characters (4.2).",
            "purpose",
        )
    if not account.audience_year_groups and not account.audience_adults:
        raise ChannelError("Choose who the account is for.", "audience_year_groups")


def _check_attestations(account: OfficialAccount) -> None:
    for name, text in ATTESTATIONS.items():
        if not getattr(account, name):
            raise ChannelError(f"Confirm: {text}", name)


def _event(account, actor, action, from_status, note="") -> AccountEvent:
    return AccountEvent.objects.create(
        account=account,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=account.status,
        note=note,
    )


def _link(account: OfficialAccount) -> str:
    return reverse("channels:account_detail", kwargs={"pk": account.pk})


def _context(account: OfficialAccount, **extra: Any) -> dict[str, Any]:
    return {
        "account": str(account),
        "school": account.school.name,
        "platform": account.platform.name,
        "handle": account.handle,
        "status": account.get_status_display(),
        **extra,
    }


def _lock(account: OfficialAccount) -> OfficialAccount:
    """Re-read the account under a row lock so two leaders cannot decide at once."""
    list(OfficialAccount.objects.select_for_update().filter(pk=account.pk).values_list("pk"))
    account.refresh_from_db()
    return account
