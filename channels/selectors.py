"""Reads about official accounts. Every list, choice and look-up starts from these querysets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import School, SchoolUserObjectPermission, User
from accounts.roles import Perm
from accounts.selectors import (
    is_trust_admin,
    school_ids_with_perm,
    schools_administered_by,
    schools_visible_to,
    user_has_school_perm,
)
from accounts.types import Viewer
from portal.schooldays import add_school_days, school_days_between

from .models import AccountEvent, CommentReport, FakeAccountReport, OfficialAccount, Platform

Status = OfficialAccount.Status

DEFAULTS = {
    # 4.2: a request waiting longer than this many school days is flagged and reminded.
    "APPROVAL_REMINDER_SCHOOL_DAYS": 10,
    # 4.5(d): every active account is reviewed at least once a year.
    "REVIEW_INTERVAL_DAYS": 365,
    # Reviews due within this many days appear in the leaders' queue.
    "REVIEW_DUE_SOON_DAYS": 30,
    "SCREENSHOT_MAX_BYTES": 5 * 1024 * 1024,
}


def conf(name: str):
    return getattr(settings, "CHANNELS", {}).get(name, DEFAULTS[name])


def _anonymous(user) -> bool:
    return not getattr(user, "is_authenticated", False) or not user.is_active


def _deputy_of(user) -> QuerySet:
    return OfficialAccount.deputies.through.objects.filter(user=user).values("officialaccount_id")


def account_visible_to(user: Viewer) -> QuerySet[OfficialAccount]:
    """Accounts of schools where the user approves accounts or receives comment reports,
    and accounts the user requested, owns or is a deputy of."""
    if _anonymous(user):
        return OfficialAccount.objects.none()
    schools = set(school_ids_with_perm(user, Perm.APPROVE_CHANNEL))
    schools.update(school_ids_with_perm(user, Perm.RECEIVE_COMMENT_REPORTS))
    return OfficialAccount.objects.filter(
        Q(school__in=sorted(schools))
        | Q(owner=user)
        | Q(requested_by=user)
        | Q(pk__in=_deputy_of(user))
    )


def account_readable_by(user: Viewer) -> QuerySet[OfficialAccount]:
    """Accounts whose page the user may read: those of `account_visible_to`, and for a trust
    administrator every account of the trust (issue 18), read only: no action on an account
    uses this queryset, so their actions still answer 404 and the services still decide."""
    visible = account_visible_to(user)
    if _anonymous(user) or not is_trust_admin(user):
        return visible
    return OfficialAccount.objects.filter(
        Q(pk__in=visible.values("pk")) | Q(school__in=schools_administered_by(user).values("pk"))
    )


def account_list_for(user: Viewer) -> QuerySet[OfficialAccount]:
    """The account list page: a fixed number of queries however many accounts there are, and
    only the columns it shows (not purposes, attestations or the owners' password hashes)."""
    return (
        account_readable_by(user)
        .select_related("school", "platform", "owner")
        .only(
            "handle",
            "status",
            "next_review_due",
            "needs_new_owner",
            "school__name",
            "platform__name",
            "owner__full_name",
        )
        # A list on each account (`deputy_list`): a related manager per row costs more than
        # the row itself.
        .prefetch_related(
            Prefetch(
                "deputies", queryset=User.objects.only("pk", "full_name"), to_attr="deputy_list"
            )
        )
        .order_by("school__name", "platform__name", "handle")
    )


def team_of(account: OfficialAccount) -> list[User]:
    """Owner and deputies: the people who run the account."""
    return [account.owner, *account.deputies.all()]


def is_on_team(user: Viewer, account: OfficialAccount) -> bool:
    return user.pk == account.owner_id or account.deputies.filter(pk=user.pk).exists()


def is_involved(user: Viewer, account: OfficialAccount) -> bool:
    """Requested, owns or administers the account: may not approve or review it (4.2)."""
    return user.pk == account.requested_by_id or is_on_team(user, account)


def users_with_school_perm(school: School | int, perm: str) -> QuerySet[User]:
    """Active people holding `perm` at the school through a role there."""
    return User.objects.filter(
        is_active=True,
        pk__in=SchoolUserObjectPermission.objects.filter(
            content_object=school, permission__codename=perm
        ).values("user_id"),
    )


def may_decide(user: Viewer, account: OfficialAccount) -> bool:
    """A leader or headteacher of the account's school who did not request and does not
    administer it (4.2: authorisation in all cases, never by the requester)."""
    return user_has_school_perm(user, Perm.APPROVE_CHANNEL, account.school_id) and not is_involved(
        user, account
    )


def is_leader_of(user: Viewer, school_id: int) -> bool:
    return user_has_school_perm(user, Perm.APPROVE_CHANNEL, school_id)


def approvers_of(account: OfficialAccount) -> QuerySet[User]:
    """Who may decide on the account: the school's leaders who are not involved in it."""
    involved = [account.requested_by_id, account.owner_id, *_deputy_ids(account)]
    return users_with_school_perm(account.school_id, Perm.APPROVE_CHANNEL).exclude(pk__in=involved)


def _deputy_ids(account: OfficialAccount) -> list[int]:
    return list(account.deputies.values_list("pk", flat=True))


def leaders_of(school: School | int) -> QuerySet[User]:
    return users_with_school_perm(school, Perm.APPROVE_CHANNEL)


def comment_report_recipients(school: School | int) -> QuerySet[User]:
    """The school's leadership team for inappropriate comments (4.5h)."""
    return users_with_school_perm(school, Perm.RECEIVE_COMMENT_REPORTS)


def fake_report_recipients(school: School | int) -> QuerySet[User]:
    """Leaders who deal with a suspected fake account using the school's name (4.1)."""
    perm_ids = SchoolUserObjectPermission.objects.filter(
        content_object=school,
        permission__codename__in=[Perm.RECEIVE_COMMENT_REPORTS, Perm.APPROVE_CHANNEL],
    ).values("user_id")
    return User.objects.filter(is_active=True, pk__in=perm_ids)


def schools_visible_to_leader(user: Viewer) -> QuerySet[School]:
    """Schools where the person approves accounts or receives comment reports."""
    return School.objects.filter(
        Q(pk__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL))
        | Q(pk__in=school_ids_with_perm(user, Perm.RECEIVE_COMMENT_REPORTS))
    )


def registration_schools_for(user: Viewer) -> QuerySet[School]:
    return schools_visible_to(user, Perm.REGISTER_CHANNEL)


def may_register(user: Viewer) -> bool:
    """Whether the person may register an account at some school (no query: their school
    permissions are read once per request)."""
    return bool(school_ids_with_perm(user, Perm.REGISTER_CHANNEL))


def active_platforms() -> QuerySet[Platform]:
    return Platform.objects.filter(is_active=True)


def account_history(account: OfficialAccount) -> QuerySet[AccountEvent]:
    return account.events.select_related("actor")


# --- the leaders' queue ---------------------------------------------------------------------


@dataclass
class Waiting:
    account: OfficialAccount
    school_days: int
    overdue: bool
    may_decide: bool


def _today() -> date:
    return timezone.localdate()


def approval_age(account: OfficialAccount, today: date | None = None) -> int:
    if account.submitted_at is None:
        return 0
    return school_days_between(timezone.localdate(account.submitted_at), today or _today())


def approval_due_date(account: OfficialAccount) -> date | None:
    """The day the request becomes overdue: after the configured number of school days."""
    if account.submitted_at is None:
        return None
    limit = conf("APPROVAL_REMINDER_SCHOOL_DAYS")
    return add_school_days(timezone.localdate(account.submitted_at), limit + 1)


def submitted_for(user: Viewer) -> QuerySet[OfficialAccount]:
    """Submitted accounts of the schools where the user approves (the leaders' queue)."""
    return OfficialAccount.objects.filter(
        status=Status.SUBMITTED, school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL)
    )


def awaiting_approval_for(user: Viewer, today: date | None = None) -> list[Waiting]:
    """Submitted accounts of the schools where the user approves, oldest first."""
    today = today or _today()
    limit = conf("APPROVAL_REMINDER_SCHOOL_DAYS")
    accounts = (
        submitted_for(user)
        .select_related("school", "platform", "owner", "requested_by")
        .prefetch_related(Prefetch("deputies", queryset=User.objects.only("pk", "full_name")))
        .order_by("submitted_at")
    )
    rows = []
    for account in accounts:
        days = approval_age(account, today)
        involved = user.pk in (account.requested_by_id, account.owner_id) or any(
            d.pk == user.pk for d in account.deputies.all()
        )
        rows.append(Waiting(account, days, days > limit, not involved))
    return rows


def reviews_due_for(user: Viewer, today: date | None = None) -> QuerySet[OfficialAccount]:
    """Active accounts whose annual review is due soon or overdue (4.5d)."""
    today = today or _today()
    from datetime import timedelta

    horizon = today + timedelta(days=conf("REVIEW_DUE_SOON_DAYS"))
    return (
        OfficialAccount.objects.filter(
            status__in=[Status.ACTIVE, Status.SUSPENDED],
            next_review_due__lte=horizon,
            school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL),
        )
        .select_related("school", "platform", "owner")
        .order_by("next_review_due")
    )


def reviews_overdue_for(user: Viewer, today: date | None = None) -> QuerySet[OfficialAccount]:
    """Accounts in use at the schools where the user approves whose annual review is overdue
    (4.5d)."""
    return OfficialAccount.objects.filter(
        status__in=[Status.ACTIVE, Status.SUSPENDED],
        next_review_due__lte=today or _today(),
        school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL),
    )


def needing_new_owner_for(user: Viewer) -> QuerySet[OfficialAccount]:
    return (
        OfficialAccount.objects.filter(
            needs_new_owner=True, school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL)
        )
        .exclude(status__in=[Status.CLOSED, Status.REJECTED])
        .select_related("school", "platform", "owner")
    )


def overdue_reviews(today: date | None = None) -> QuerySet[OfficialAccount]:
    today = today or _today()
    return OfficialAccount.objects.filter(
        status__in=[Status.ACTIVE, Status.SUSPENDED], next_review_due__lte=today
    ).select_related("school", "platform")


def overdue_approvals(today: date | None = None) -> list[OfficialAccount]:
    today = today or _today()
    limit = conf("APPROVAL_REMINDER_SCHOOL_DAYS")
    accounts = OfficialAccount.objects.filter(status=Status.SUBMITTED).select_related(
        "school", "platform"
    )
    return [a for a in accounts if approval_age(a, today) > limit]


# --- reports --------------------------------------------------------------------------------


def comment_report_visible_to(user: Viewer) -> QuerySet[CommentReport]:
    """The school's leadership team (4.5h) and the person who reported."""
    if _anonymous(user):
        return CommentReport.objects.none()
    return CommentReport.objects.filter(
        Q(school__in=school_ids_with_perm(user, Perm.RECEIVE_COMMENT_REPORTS)) | Q(reporter=user)
    )


def fake_report_visible_to(user: Viewer) -> QuerySet[FakeAccountReport]:
    """The school's leaders and the person who reported (to follow it until resolved)."""
    if _anonymous(user):
        return FakeAccountReport.objects.none()
    return FakeAccountReport.objects.filter(
        Q(school__in=school_ids_with_perm(user, Perm.RECEIVE_COMMENT_REPORTS))
        | Q(school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL))
        | Q(reporter=user)
    )


def may_handle_fake_report(user: Viewer, report: FakeAccountReport) -> bool:
    return user_has_school_perm(
        user, Perm.RECEIVE_COMMENT_REPORTS, report.school_id
    ) or user_has_school_perm(user, Perm.APPROVE_CHANNEL, report.school_id)


def open_comment_reports_for(user: Viewer) -> QuerySet[CommentReport]:
    return (
        CommentReport.objects.filter(
            status=CommentReport.Status.OPEN,
            school__in=school_ids_with_perm(user, Perm.RECEIVE_COMMENT_REPORTS),
        )
        .select_related("account__platform", "school", "reporter")
        .order_by("created_at")
    )


def open_fake_reports_for(user: Viewer) -> QuerySet[FakeAccountReport]:
    return (
        FakeAccountReport.objects.filter(
            status=FakeAccountReport.Status.OPEN, school__in=_handling_school_ids(user)
        )
        .select_related("school", "platform", "reporter")
        .order_by("created_at")
    )


def _handling_school_ids(user) -> QuerySet:
    return School.objects.filter(
        Q(pk__in=school_ids_with_perm(user, Perm.RECEIVE_COMMENT_REPORTS))
        | Q(pk__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL))
    ).values("pk")


def fake_report_schools_for(user: Viewer) -> QuerySet[School]:
    """Any school of the trusts the person belongs to: a fake account may use any name."""
    if _anonymous(user):
        return School.objects.none()
    trust_ids = schools_visible_to(user).values("trust_id")
    return School.objects.filter(trust_id__in=trust_ids)


# --- the public register (4.1) ----------------------------------------------------------------


def public_register(query: str = "") -> list[tuple[School, list[OfficialAccount]]]:
    """Each school with its ACTIVE accounts (platform, handle and link) and its contact for
    concerns, nothing else. With `query`: schools whose name has it (all their accounts) and
    accounts whose handle or platform has it. Two queries whatever the search."""
    schools = (
        School.objects.order_by("name")
        .select_related("concerns_contact")
        .prefetch_related(
            Prefetch(
                "official_accounts",
                queryset=OfficialAccount.objects.filter(status=Status.ACTIVE)
                .select_related("platform")
                .only("pk", "school_id", "handle", "url", "platform__name")
                .order_by("platform__name", "handle"),
                to_attr="public_accounts",
            )
        )
    )
    rows = [(s, s.public_accounts) for s in schools]
    needle = query.strip().lower()
    if not needle:
        return rows
    found = []
    for school, accounts in rows:
        if needle in school.name.lower():
            found.append((school, accounts))
            continue
        hits = [
            a for a in accounts if needle in a.handle.lower() or needle in a.platform.name.lower()
        ]
        if hits:
            found.append((school, hits))
    return found


# --- home cards -------------------------------------------------------------------------------


def queue_counts(user: Viewer) -> dict[str, int]:
    """How many things wait for a leader (one query)."""
    today = _today()
    return OfficialAccount.objects.filter(
        school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL)
    ).aggregate(
        submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
        reviews=Count(
            "pk",
            filter=Q(status__in=[Status.ACTIVE, Status.SUSPENDED], next_review_due__lte=today),
        ),
        new_owner=Count(
            "pk",
            filter=Q(needs_new_owner=True) & ~Q(status__in=[Status.CLOSED, Status.REJECTED]),
        ),
    )
