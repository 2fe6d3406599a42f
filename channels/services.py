"""Every state change of official accounts, their reviews and reports (clauses 4.1–4.5, 5.13).

Each service checks its rule, runs in one transaction, writes the AccountEvent row, the audit
entry and the notification together, and raises ChannelError with a message for the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import School, SchoolEmailDomain, User
from accounts.roles import Perm
from accounts.selectors import is_trust_admin, staff_of_school, user_has_school_perm
from audit.services import record
from notifications.services import notify
from portal import uploads
from portal.errors import ServiceError

from . import selectors
from .gates import activation_blockers
from .models import (
    YEAR_GROUP_LABELS,
    AccountEvent,
    AccountReview,
    CommentReport,
    FakeAccountReport,
    OfficialAccount,
    Platform,
    year_group_ages,
)

Status = OfficialAccount.Status


class ChannelError(ServiceError):
    """A rule about official accounts was broken; the message is for the person.

    `field` names the form field the message belongs to, when there is one.
    """


# --- keys and checks shared by the form and the services ------------------------------------


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

ACCOUNT_FIELDS = [
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
    *ATTESTATIONS,
]


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


# --- platforms (trust administrators) --------------------------------------------------------

PLATFORM_FIELDS = [
    "name",
    "min_age",
    "terms_url",
    "dms_can_be_disabled",
    "comments_can_be_limited",
    "is_active",
]


def platform_save(*, actor: User, platform: Platform, data: dict[str, Any]) -> Platform:
    """Create or edit a platform of the catalogue (4.3). Trust administrators only."""
    if not is_trust_admin(actor):
        raise ChannelError("Only trust administrators edit the platform list.")
    with transaction.atomic():
        created = platform.pk is None
        changes = {
            f: data[f] for f in PLATFORM_FIELDS if f in data and getattr(platform, f) != data[f]
        }
        for f, v in changes.items():
            setattr(platform, f, v)
        platform.save()
        record(
            actor,
            "platform.created" if created else "platform.updated",
            platform,
            None,
            {"changed": sorted(changes)},
        )
    return platform


# --- registration -------------------------------------------------------------------------


def account_register(
    *,
    actor: User,
    school: School,
    owner: User,
    deputies: list[User],
    data: dict[str, Any],
) -> OfficialAccount:
    """A teacher records a new account as a draft (4.2). Checked again on submission."""
    if not user_has_school_perm(actor, Perm.REGISTER_CHANNEL, school):
        raise ChannelError(f"You cannot register accounts for {school.name}.", "school")
    account = OfficialAccount(school=school, owner=owner, requested_by=actor)
    for f in ACCOUNT_FIELDS:
        if f in data:
            setattr(account, f, data[f])
    if not account.platform.is_active:
        raise ChannelError("That platform is no longer accepted for new accounts.", "platform")
    _check_team(school, owner, deputies)
    _check_registration(account)
    account.handle_key = normalise_handle(account.handle)
    account.url_key = normalise_url(account.url)
    with transaction.atomic():
        account.save()
        account.deputies.set(deputies)
        _event(account, actor, "registered", "")
        record(actor, "account.registered", account, school, {"platform": account.platform.name})
    return account


def account_update(
    *, actor: User, account: OfficialAccount, owner: User, deputies: list[User], data: dict
) -> OfficialAccount:
    """Change a draft, or a registration a leader sent back for changes."""
    with transaction.atomic():
        _lock(account)
        if account.status not in (Status.DRAFT, Status.CHANGES_REQUESTED):
            raise ChannelError(
                "Only a draft or a registration sent back for changes can be edited."
            )
        if not selectors.is_involved(actor, account):
            raise ChannelError(
                "Only the person who registered the account or its team can edit it."
            )
        changed = []
        for f in ACCOUNT_FIELDS:
            if f in data and getattr(account, f) != data[f]:
                setattr(account, f, data[f])
                changed.append(f)
        _check_team(account.school, owner, deputies)
        if owner.pk != account.owner_id:
            changed.append("owner")
        account.owner = owner
        _check_registration(account)
        account.handle_key = normalise_handle(account.handle)
        account.url_key = normalise_url(account.url)
        account.save()
        account.deputies.set(deputies)
        _event(account, actor, "updated", account.status)
        record(actor, "account.updated", account, account.school, {"changed": changed})
    return account


def account_submit(*, actor: User, account: OfficialAccount) -> OfficialAccount:
    """Send the registration to the school's leaders for approval (4.2, 4.5b)."""
    with transaction.atomic():
        _lock(account)
        if account.status not in (Status.DRAFT, Status.CHANGES_REQUESTED):
            raise ChannelError("Only a draft or a registration sent back for changes is submitted.")
        if not selectors.is_involved(actor, account):
            raise ChannelError("Only the person who registered the account or its team submit it.")
        _check_registration(account)
        _check_attestations(account)
        approvers = list(selectors.approvers_of(account))
        if not approvers:
            raise ChannelError(
                f"Nobody at {account.school.name} can approve this account: a leader or the "
                "headteacher who is not part of the account's team is needed."
            )
        before = account.status
        account.status = Status.SUBMITTED
        account.submitted_at = timezone.now()
        account.save(update_fields=["status", "submitted_at", "updated_at"])
        _event(account, actor, "submitted", before)
        record(actor, "account.submitted", account, account.school)
        notify(
            approvers,
            "channels.account_submitted",
            context=_context(account, requester=actor.get_full_name()),
            link=_link(account),
            school=account.school,
        )
    return account


# --- decisions --------------------------------------------------------------------------------


def _decide(
    actor: User, account: OfficialAccount, to_status: str, reason: str, action: str, kind: str
) -> OfficialAccount:
    with transaction.atomic():
        _lock(account)
        if account.status != Status.SUBMITTED:
            raise ChannelError("This account is not waiting for a decision.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher of the school decides.")
        if selectors.is_involved(actor, account):
            raise ChannelError(
                "You requested or administer this account, so another leader must decide (4.2)."
            )
        reason = (reason or "").strip()
        if to_status != Status.APPROVED and not reason:
            raise ChannelError("Give a reason, so the requester knows what to do.", "reason")
        before = account.status
        account.status = to_status
        account.decided_at = timezone.now()
        account.decided_by = actor
        account.decision_reason = reason
        account.save(
            update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"]
        )
        _event(account, actor, action, before, reason)
        record(actor, f"account.{action}", account, account.school, {"reason": reason})
        notify(
            [account.requested_by, *selectors.team_of(account)],
            kind,
            context=_context(account, reason=reason, decided_by=actor.get_full_name()),
            link=_link(account),
            school=account.school,
        )
    return account


def account_approve(*, actor: User, account: OfficialAccount, reason: str = "") -> OfficialAccount:
    """A leader of the school, not involved in the account, authorises it (4.2, 4.5b)."""
    return _decide(actor, account, Status.APPROVED, reason, "approved", "channels.account_approved")


def account_reject(*, actor: User, account: OfficialAccount, reason: str) -> OfficialAccount:
    """A leader refuses the account, with a reason (4.2: no sites for trivial reasons)."""
    return _decide(actor, account, Status.REJECTED, reason, "rejected", "channels.account_rejected")


def account_request_changes(
    *, actor: User, account: OfficialAccount, reason: str
) -> OfficialAccount:
    """A leader sends the registration back to the requester with what to change (4.2)."""
    return _decide(
        actor,
        account,
        Status.CHANGES_REQUESTED,
        reason,
        "changes_requested",
        "channels.changes_requested",
    )


# --- going live and after ---------------------------------------------------------------------


def _go_live(actor: User, account: OfficialAccount, action: str, kind: str) -> OfficialAccount:
    blockers = activation_blockers(account)
    if blockers:
        raise ChannelError(" ".join(blockers))
    before = account.status
    account.status = Status.ACTIVE
    fields = ["status", "updated_at"]
    if account.activated_at is None:
        account.activated_at = timezone.now()
        fields.append("activated_at")
    if account.next_review_due is None:
        account.next_review_due = timezone.localdate() + timedelta(
            days=selectors.conf("REVIEW_INTERVAL_DAYS")
        )
        fields.append("next_review_due")
    account.save(update_fields=fields)
    _event(account, actor, action, before)
    record(actor, f"account.{action}", account, account.school)
    notify(
        selectors.team_of(account),
        kind,
        context=_context(account),
        link=_link(account),
        school=account.school,
    )
    return account


def account_activate(*, actor: User, account: OfficialAccount) -> OfficialAccount:
    """The approved account goes live, once every gate is passed (4.5b, 4.5c: gates.py)."""
    with transaction.atomic():
        _lock(account)
        if account.status != Status.APPROVED:
            raise ChannelError("Only an approved account can be activated.")
        if not (
            selectors.is_on_team(actor, account) or selectors.is_leader_of(actor, account.school_id)
        ):
            raise ChannelError("Only the account's team or a leader of the school activates it.")
        return _go_live(actor, account, "activated", "channels.account_activated")


def account_suspend(*, actor: User, account: OfficialAccount, reason: str) -> OfficialAccount:
    """A leader takes an active account out of use, e.g. after a review (4.5d)."""
    with transaction.atomic():
        _lock(account)
        if account.status != Status.ACTIVE:
            raise ChannelError("Only an active account can be suspended.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher suspends an account.")
        reason = (reason or "").strip()
        if not reason:
            raise ChannelError("Give a reason for the suspension.", "reason")
        account.status = Status.SUSPENDED
        account.save(update_fields=["status", "updated_at"])
        _event(account, actor, "suspended", Status.ACTIVE, reason)
        record(actor, "account.suspended", account, account.school, {"reason": reason})
        notify(
            selectors.team_of(account),
            "channels.account_suspended",
            context=_context(account, reason=reason),
            link=_link(account),
            school=account.school,
        )
    return account


def account_reinstate(*, actor: User, account: OfficialAccount) -> OfficialAccount:
    """A leader puts a suspended account back in use, through the same gate (gates.py)."""
    with transaction.atomic():
        _lock(account)
        if account.status != Status.SUSPENDED:
            raise ChannelError("Only a suspended account can be reinstated.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher reinstates an account.")
        return _go_live(actor, account, "reinstated", "channels.account_reinstated")


def account_close(*, actor: User, account: OfficialAccount, reason: str) -> OfficialAccount:
    """The account is no longer used; it leaves the public register (4.1)."""
    with transaction.atomic():
        _lock(account)
        if account.status in (Status.CLOSED, Status.REJECTED):
            raise ChannelError("This account is already closed.")
        if not (selectors.is_leader_of(actor, account.school_id) or actor.pk == account.owner_id):
            raise ChannelError("Only the owner or a leader of the school closes an account.")
        reason = (reason or "").strip()
        if not reason:
            raise ChannelError("Say why the account is closed.", "reason")
        before = account.status
        account.status = Status.CLOSED
        account.needs_new_owner = False
        account.save(update_fields=["status", "needs_new_owner", "updated_at"])
        _event(account, actor, "closed", before, reason)
        record(actor, "account.closed", account, account.school, {"reason": reason})
        notify(
            [*selectors.team_of(account), *selectors.leaders_of(account.school_id)],
            "channels.account_closed",
            context=_context(account, reason=reason),
            link=_link(account),
            school=account.school,
        )
    return account


# --- annual review (4.4, 4.5d, 4.5i, 4.5j) --------------------------------------------------


def account_review(
    *, actor: User, account: OfficialAccount, checks: dict[str, bool], notes: str = ""
) -> AccountReview:
    """A leader's annual review. Each check is recorded; a failed one needs a note, and the
    team is told. The next review falls due a year later."""
    with transaction.atomic():
        _lock(account)
        if account.status not in (Status.ACTIVE, Status.SUSPENDED):
            raise ChannelError("Only an active or suspended account is reviewed.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher reviews an account.")
        if selectors.is_involved(actor, account):
            raise ChannelError("You administer this account, so another leader must review it.")
        values = {name: bool(checks.get(name)) for name, _ in AccountReview.CHECKS}
        notes = (notes or "").strip()
        if not all(values.values()) and not notes:
            raise ChannelError("Say what is wrong and what will be done.", "notes")
        today = timezone.localdate()
        review = AccountReview.objects.create(
            account=account,
            reviewer=actor,
            notes=notes,
            due_date=account.next_review_due or today,
            **values,
        )
        account.next_review_due = today + timedelta(days=selectors.conf("REVIEW_INTERVAL_DAYS"))
        account.save(update_fields=["next_review_due", "updated_at"])
        outcome = "passed" if review.passed else "concerns"
        _event(account, actor, "reviewed", account.status, f"Review {outcome}. {notes}".strip())
        record(
            actor,
            "account.reviewed",
            account,
            account.school,
            {"outcome": outcome, "checks": values, "next_due": account.next_review_due},
        )
        notify(
            selectors.team_of(account),
            "channels.account_reviewed",
            context=_context(account, outcome=outcome, next_due=str(account.next_review_due)),
            link=_link(account),
            school=account.school,
        )
    return review


# --- leavers (5.13) -----------------------------------------------------------------------------


def accounts_flag_leaver(*, actor: User | None, user: User) -> list[OfficialAccount]:
    """The owner or a deputy left: their accounts need a new owner and the leaders are told.

    A leaving deputy stops being a deputy at once; a leaving owner stays named until a leader
    hands the account over, so the account always shows who held it.
    """
    with transaction.atomic():
        accounts = list(
            OfficialAccount.objects.select_for_update(of=("self",))
            .filter(Q(owner=user) | Q(pk__in=selectors._deputy_of(user)))
            .exclude(status__in=[Status.CLOSED, Status.REJECTED])
            .select_related("school", "platform")
        )
        for account in accounts:
            role = "owner" if account.owner_id == user.pk else "deputy"
            account.deputies.remove(user)
            account.needs_new_owner = True
            account.save(update_fields=["needs_new_owner", "updated_at"])
            _event(
                account,
                actor,
                "needs_new_owner",
                account.status,
                f"{user.get_full_name()} ({role}) has left.",
            )
            record(
                actor,
                "account.needs_new_owner",
                account,
                account.school,
                {"leaver_id": user.pk, "role": role},
            )
            notify(
                selectors.leaders_of(account.school_id),
                "channels.needs_new_owner",
                context=_context(account, leaver=user.get_full_name(), role=role),
                link=_link(account),
                school=account.school,
                dedupe_key=f"channels.needs_new_owner:{account.pk}:{user.pk}",
            )
    return accounts


def account_handover(
    *, actor: User, account: OfficialAccount, owner: User, deputies: list[User], note: str = ""
) -> OfficialAccount:
    """A leader hands the account to other members of staff (5.13). The login details must
    then be changed and escrowed again (4.5c); the new team is told so."""
    with transaction.atomic():
        _lock(account)
        if account.status in (Status.CLOSED, Status.REJECTED):
            raise ChannelError("A closed or rejected account cannot be handed over.")
        if not selectors.is_leader_of(actor, account.school_id):
            raise ChannelError("Only a leader or the headteacher hands an account over.")
        _check_team(account.school, owner, deputies)
        before_owner = account.owner_id
        before_deputies = sorted(account.deputies.values_list("pk", flat=True))
        account.owner = owner
        account.needs_new_owner = False
        account.save(update_fields=["owner", "needs_new_owner", "updated_at"])
        account.deputies.set(deputies)
        _event(
            account,
            actor,
            "handed_over",
            account.status,
            f"Owner: {owner.get_full_name()}; deputies: "
            + ", ".join(d.get_full_name() for d in deputies)
            + (f". {note.strip()}" if note.strip() else ""),
        )
        record(
            actor,
            "account.handed_over",
            account,
            account.school,
            {
                "from_owner_id": before_owner,
                "to_owner_id": owner.pk,
                "from_deputy_ids": before_deputies,
                "to_deputy_ids": sorted(d.pk for d in deputies),
            },
        )
        notify(
            [owner, *deputies],
            "channels.account_handed_over",
            context=_context(account, owner=owner.get_full_name()),
            link=_link(account),
            school=account.school,
        )
    return account


# --- inappropriate comments (4.5h) --------------------------------------------------------------


def check_screenshot(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of a PNG, JPEG or WebP screenshot, by its first bytes (the
    name and the browser's content type are not trusted), within the size limit."""
    limit = selectors.conf("SCREENSHOT_MAX_BYTES")
    if upload.size > limit:
        raise ChannelError(
            f"The screenshot is too large: at most {limit // (1024 * 1024)} MB.", "screenshot"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = uploads.sniff(head)
    if kind not in uploads.IMAGES:
        raise ChannelError("The screenshot must be a PNG, JPEG or WebP image.", "screenshot")
    return kind.content_type, kind.extension


def comment_report_create(
    *,
    actor: User,
    account: OfficialAccount,
    comment_url: str,
    was_removed: bool,
    description: str = "",
    screenshot: UploadedFile | None = None,
) -> CommentReport:
    """Report an inappropriate comment on an official account to the school's leadership
    team (4.5h). The comment should be removed first; the report says whether it was."""
    if account.status in (Status.DRAFT, Status.REJECTED):
        raise ChannelError("Comments are reported on accounts that are or were in use.")
    kind = check_screenshot(screenshot) if screenshot else None
    report = CommentReport(
        account=account,
        school_id=account.school_id,
        reporter=actor,
        comment_url=comment_url,
        was_removed=was_removed,
        description=(description or "").strip(),
    )
    if kind:
        # Screenshots from phones carry EXIF location: removed as for breach evidence.
        screenshot.seek(0)
        try:
            cleaned = uploads.strip_image_metadata(screenshot.read(), kind[0])
        except uploads.UploadRefused as exc:
            raise ChannelError(str(exc), "screenshot") from None
    with transaction.atomic():
        if kind:
            report.screenshot_type, report.screenshot_ext = kind
            report.screenshot.save("screenshot", ContentFile(cleaned), save=False)
        report.save()
        _event(account, actor, "comment_reported", account.status, f"Comment report #{report.pk}")
        record(
            actor,
            "comment_report.created",
            report,
            account.school,
            {"account_id": account.pk, "was_removed": was_removed, "screenshot": bool(kind)},
        )
        notify(
            selectors.comment_report_recipients(account.school_id),
            "channels.comment_reported",
            context=_context(account, removed="yes" if was_removed else "no"),
            link=reverse("channels:comment_report_detail", kwargs={"pk": report.pk}),
            school=account.school,
        )
    return report


def comment_report_close(*, actor: User, report: CommentReport, note: str) -> CommentReport:
    """A member of the leadership team records what was done about the comment (4.5h)."""
    with transaction.atomic():
        report = CommentReport.objects.select_for_update().get(pk=report.pk)
        if report.status != CommentReport.Status.OPEN:
            raise ChannelError("This report is already dealt with.")
        if not user_has_school_perm(actor, Perm.RECEIVE_COMMENT_REPORTS, report.school_id):
            raise ChannelError("Only the school's leadership team deals with comment reports.")
        note = (note or "").strip()
        if not note:
            raise ChannelError("Say what was done.", "note")
        report.status = CommentReport.Status.CLOSED
        report.closed_at = timezone.now()
        report.closed_by = actor
        report.closing_note = note
        report.save(update_fields=["status", "closed_at", "closed_by", "closing_note"])
        record(actor, "comment_report.closed", report, report.school_id, {"note": note})
    return report


# --- suspected fake accounts (4.1) ----------------------------------------------------------------


def fake_report_create(
    *,
    actor: User,
    school: School,
    platform: Platform | None,
    handle: str,
    url: str,
    description: str,
) -> FakeAccountReport:
    """Anyone signed in reports an account that uses a school's name but is not official."""
    if not selectors.fake_report_schools_for(actor).filter(pk=school.pk).exists():
        raise ChannelError("Choose a school of the trust.", "school")
    handle, url, description = handle.strip(), url.strip(), description.strip()
    if not handle and not url:
        raise ChannelError("Give the account's name or its address.", "handle")
    if not description:
        raise ChannelError("Say what you saw.", "description")
    with transaction.atomic():
        report = FakeAccountReport.objects.create(
            school=school,
            reporter=actor,
            platform=platform,
            handle=handle,
            url=url,
            description=description,
        )
        record(
            actor,
            "fake_account.reported",
            report,
            school,
            {"platform": platform.name if platform else "", "handle": handle, "url": url},
        )
        notify(
            selectors.fake_report_recipients(school),
            "channels.fake_reported",
            context={"school": school.name, "handle": handle, "url": url},
            link=reverse("channels:fake_report_detail", kwargs={"pk": report.pk}),
            school=school,
        )
    return report


def fake_report_resolve(
    *, actor: User, report: FakeAccountReport, resolution: str
) -> FakeAccountReport:
    """A leader of the school records what was done (reported to the platform, genuine...)."""
    with transaction.atomic():
        report = FakeAccountReport.objects.select_for_update().get(pk=report.pk)
        if report.status != FakeAccountReport.Status.OPEN:
            raise ChannelError("This report is already resolved.")
        if not selectors.may_handle_fake_report(actor, report):
            raise ChannelError("Only a leader of the school resolves this report.")
        resolution = (resolution or "").strip()
        if not resolution:
            raise ChannelError("Say what was done.", "resolution")
        report.status = FakeAccountReport.Status.RESOLVED
        report.resolved_at = timezone.now()
        report.resolved_by = actor
        report.resolution = resolution
        report.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
        record(actor, "fake_account.resolved", report, report.school_id, {"resolution": resolution})
        notify(
            [report.reporter],
            "channels.fake_resolved",
            context={"school": report.school.name, "handle": report.handle},
            link=reverse("channels:fake_report_detail", kwargs={"pk": report.pk}),
            school=report.school_id,
        )
    return report


# --- reminders (Celery beat; safe to run any number of times) ---------------------------------


def send_approval_reminders(today: date | None = None) -> int:
    """Remind the approvers of every request waiting more than the limit of school days,
    once per account and due date (a resubmission starts a new wait)."""
    today = today or timezone.localdate()
    sent = 0
    for account in selectors.overdue_approvals(today):
        due = selectors.approval_due_date(account)
        with transaction.atomic():
            sent += len(
                notify(
                    selectors.approvers_of(account),
                    "channels.approval_overdue",
                    context=_context(account, school_days=selectors.approval_age(account, today)),
                    link=_link(account),
                    school=account.school,
                    dedupe_key=f"channels.approval_overdue:{account.pk}:{due.isoformat()}",
                )
            )
    return sent


def send_review_reminders(today: date | None = None) -> int:
    """Remind the school's leaders and the owner of every overdue annual review (4.5d),
    once per account and due date."""
    today = today or timezone.localdate()
    sent = 0
    for account in selectors.overdue_reviews(today):
        due = account.next_review_due
        with transaction.atomic():
            sent += len(
                notify(
                    [*selectors.leaders_of(account.school_id), account.owner],
                    "channels.review_overdue",
                    context=_context(account, due=due.isoformat()),
                    link=_link(account),
                    school=account.school,
                    dedupe_key=f"channels.review_overdue:{account.pk}:{due.isoformat()}",
                )
            )
    return sent
