"""Demo official accounts for the three demo schools, in every state (issue 4).

Built through the services wherever they allow it, so the history, audit log and
notifications look as they would in use. Two things the services cannot do on demand are set
directly and said so in the history: going live (the activation gate waits for the credential
escrow, issue 5, so the demo's live accounts are recorded as live before the portal existed)
and the passing of time (a request waiting 15 school days, a review overdue). Idempotent: an
account whose handle is already registered is left alone.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import SchoolRole
from accounts.services import role_assign

from . import services
from .models import AccountEvent, CommentReport, FakeAccountReport, OfficialAccount, Platform

S = OfficialAccount.Status

# school, platform, handle, url path, purpose, year groups, adults, students interact, state
ACCOUNTS = [
    (
        "northfield",
        "Facebook",
        "Northfield Primary News",
        "https://www.facebook.com/northfieldprimarynews",
        "News, letters home and event photos for parents and carers, with consent checked "
        "before any pupil appears.",
        [],
        True,
        False,
        "active",
    ),
    (
        "northfield",
        "YouTube",
        "@NorthfieldMusic",
        "https://www.youtube.com/@NorthfieldMusic",
        "Recordings of the school choir and music assemblies for families, comments off.",
        [],
        True,
        False,
        "submitted",
    ),
    (
        "northfield",
        "WordPress.com (blog)",
        "northfield-year6",
        "https://northfield-year6.wordpress.com",
        "A class blog where Year 6 share their writing with parents; teachers post it.",
        ["6"],
        True,
        False,
        "draft",
    ),
    (
        "northfield",
        "TikTok",
        "@northfield.fun",
        "https://www.tiktok.com/@northfield.fun",
        "Short fun clips of school life to attract new families to the school.",
        [],
        True,
        False,
        "rejected",
    ),
    (
        "riverside",
        "X (Twitter)",
        "@RiversideSport",
        "https://x.com/RiversideSport",
        "Fixtures, results and team news for students and parents of Riverside's PE department.",
        ["10", "11", "12", "13"],
        True,
        True,
        "review_overdue",
    ),
    (
        "riverside",
        "Instagram",
        "@riverside_art",
        "https://www.instagram.com/riverside_art/",
        "A gallery of GCSE and A-level art work, with students' first names only (4.5f).",
        ["10", "11", "12", "13"],
        True,
        True,
        "submitted_overdue",
    ),
    (
        "riverside",
        "TikTok",
        "@riversidescience",
        "https://www.tiktok.com/@riversidescience",
        "Short science demonstrations that Year 9 and above can comment on and discuss.",
        ["9", "10"],
        False,
        True,
        "changes_requested",
    ),
    (
        "riverside",
        "YouTube",
        "@RiversideMaths",
        "https://www.youtube.com/@RiversideMaths",
        "Worked examples for GCSE maths revision, with comments limited to students.",
        ["10", "11"],
        False,
        True,
        "suspended",
    ),
    (
        "riverside",
        "LinkedIn",
        "Riverside Sixth Form Careers",
        "https://www.linkedin.com/company/riverside-sixth-form-careers",
        "Careers news and alumni links for Year 12 and 13 students and their parents.",
        ["12", "13"],
        True,
        False,
        "closed",
    ),
    (
        "riverside",
        "Bluesky",
        "@riverside.bsky.social",
        "https://bsky.app/profile/riverside.bsky.social",
        "School announcements for parents and the local community, mirrored from the website.",
        [],
        True,
        False,
        "approved",
    ),
    (
        "oakwood",
        "Instagram",
        "@oakwood_pe",
        "https://www.instagram.com/oakwood_pe/",
        "PE fixtures, results and celebrations for secondary students and their families.",
        ["9", "10", "11"],
        True,
        True,
        "needs_new_owner",
    ),
    (
        "oakwood",
        "Spotify for Creators (podcast)",
        "Oakwood Voices",
        "https://creators.spotify.com/pod/show/oakwood-voices",
        "A podcast made by staff about the school's curriculum, for parents.",
        [],
        True,
        False,
        "active",
    ),
    (
        "oakwood",
        "Threads",
        "@oakwood.academy",
        "https://www.threads.net/@oakwood.academy",
        "Announcements for parents, mirrored from the school's Instagram account.",
        [],
        True,
        False,
        "draft",
    ),
]

ALL_GOOD = dict.fromkeys(
    [
        "still_needed",
        "content_professional",
        "privacy_strictest",
        "no_private_messaging",
        "owner_deputy_right",
    ],
    True,
)


def _set_live(account: OfficialAccount, actor: User, *, review_due) -> None:
    """Demo data only: mark an approved account as live before the portal existed. The real
    route is services.account_activate, which waits for the credential escrow (gates.py)."""
    before = account.status
    account.status = S.ACTIVE
    account.activated_at = timezone.now() - timedelta(days=300)
    account.next_review_due = review_due
    account.save(update_fields=["status", "activated_at", "next_review_due", "updated_at"])
    AccountEvent.objects.create(
        account=account,
        actor=actor,
        action="activated",
        from_status=before,
        to_status=S.ACTIVE,
        note="Demo data: live before the portal; login details still to be escrowed.",
    )


def _leaver(ctx, school_slug: str) -> User:
    email = f"leaver@{school_slug}.starmat.example"
    user = User.objects.filter(email=email).first()
    if user is None:
        from accounts.demo import DEMO_PASSWORD

        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name="Lou Leaver (Oakwood)"
        )
        role_assign(actor=None, user=user, school=ctx.schools[school_slug], role=SchoolRole.TEACHER)
    return user


def _print_leaver(ctx) -> None:
    for user in User.objects.filter(
        email__startswith="leaver@", email__endswith=".starmat.example"
    ):
        ctx.logins.append((user.email, "Teacher who has left (cannot sign in)", "Oakwood"))


def _local_part(handle: str) -> str:
    return re.sub(r"[^a-z0-9]", "", handle.lower())[:24] or "social"


def _reports(ctx) -> None:
    """One open comment report (Riverside) and one suspected fake account (Northfield)."""
    sport = OfficialAccount.objects.filter(handle_key="riversidesport").first()
    url = "https://x.com/RiversideSport/status/1850000000000000000"
    if sport and not CommentReport.objects.filter(comment_url=url).exists():
        services.comment_report_create(
            actor=ctx.people["riverside.teacher"],
            account=sport,
            comment_url=url,
            was_removed=True,
            description="Abusive reply about the referee's family; removed within the hour.",
        )
    if not FakeAccountReport.objects.filter(handle="@northfield_primary_official").exists():
        services.fake_report_create(
            actor=ctx.people["oakwood.staff"],
            school=ctx.schools["northfield"],
            platform=Platform.objects.get(name="Instagram"),
            handle="@northfield_primary_official",
            url="",
            description="Uses the school badge and follows pupils; not on the public register.",
        )


def _followups_and_contacts(ctx) -> None:
    """Issue 15: a review of Northfield Primary News that found a concern (its follow-up is
    overdue: the passing of time, set directly), each school's contact for concerns, and a
    public report naming an account that is on the register."""
    from .fake_reports import concerns_contact_set, fake_report_public
    from .models import ConcernsContact, ReviewFollowUp

    news = OfficialAccount.objects.filter(handle_key="northfield primary news").first()
    if news and news.status == S.ACTIVE and not ReviewFollowUp.objects.filter(account=news):
        today = timezone.localdate()
        checks = {name: True for name, _ in news.reviews.model.CHECKS}
        checks["privacy_strictest"] = False
        review = services.account_review(
            actor=ctx.people["northfield.leader"],
            account=news,
            checks=checks,
            notes="Tagging is open to everyone: limit tags to the page's admins (4.4).",
            followup_owner=ctx.people["northfield.teacher"],
            followup_due=today + timedelta(days=14),
        )
        ReviewFollowUp.objects.filter(review=review).update(due_date=today - timedelta(days=3))
    for slug, name in (("northfield", "School office"), ("riverside", "Reception")):
        school = ctx.schools[slug]
        if not ConcernsContact.objects.filter(school=school).exists():
            concerns_contact_set(
                actor=ctx.people[f"{slug}.leader"],
                school=school,
                name=name,
                email=f"office@{school.email_domains.first().domain}",
                phone="01632 960 000",
            )
    if news and not FakeAccountReport.objects.filter(source="public").exists():
        fake_report_public(
            school=news.school,
            platform=news.platform,
            handle="",
            url=news.url,
            description="This page asked me for my bank details to pay for a school trip.",
            client_address="192.0.2.10",
        )


def ensure_catalogue() -> None:
    """The catalogue is seeded by migration 0002; a test database flushed by a transactional
    test has lost it, so the demo puts back any platform that is missing."""
    seed = importlib.import_module("channels.migrations.0002_seed_platforms")
    for name, min_age, terms, dms, comments in seed.PLATFORMS:
        Platform.objects.get_or_create(
            name=name,
            defaults={
                "min_age": min_age,
                "terms_url": terms,
                "dms_can_be_disabled": dms,
                "comments_can_be_limited": comments,
            },
        )


@transaction.atomic
def load(ctx) -> None:
    ensure_catalogue()
    today = timezone.localdate()
    for row in ACCOUNTS:
        slug, platform_name, handle, url, purpose, years, adults, interact, state = row
        platform = Platform.objects.get(name=platform_name)
        if OfficialAccount.objects.filter(
            platform=platform, handle_key=services.normalise_handle(handle)
        ).exists():
            continue
        school = ctx.schools[slug]
        teacher = ctx.people[f"{slug}.teacher"]
        leader = ctx.people[f"{slug}.leader"]
        head = ctx.people[f"{slug}.head"]
        owner = _leaver(ctx, slug) if state == "needs_new_owner" else teacher
        domain = school.email_domains.first().domain
        account = services.account_register(
            actor=teacher,
            school=school,
            owner=owner,
            deputies=[ctx.people[f"{slug}.staff"]],
            data={
                "platform": platform,
                "handle": handle,
                "url": url,
                "purpose": purpose,
                "audience_year_groups": years,
                "audience_adults": adults,
                "students_can_comment": interact,
                "students_can_upload_images": False,
                "students_can_add_text": False,
                "login_email": f"{_local_part(handle)}@{domain}",
                **dict.fromkeys(services.ATTESTATIONS, True),
            },
        )
        if state == "draft":
            continue
        services.account_submit(actor=teacher, account=account)
        if state == "submitted":
            continue
        if state == "submitted_overdue":
            # 15 school days ago, so the queue flags it and the beat task reminds.
            OfficialAccount.objects.filter(pk=account.pk).update(
                submitted_at=timezone.now() - timedelta(days=21)
            )
            continue
        if state == "rejected":
            services.account_reject(
                actor=head,
                account=account,
                reason="Not a strong enough reason for a new account (4.2): use the main page.",
            )
            continue
        if state == "changes_requested":
            services.account_request_changes(
                actor=leader,
                account=account,
                reason="TikTok's minimum age is 13: confirm Year 9 only, and name a second deputy.",
            )
            continue
        services.account_approve(actor=leader, account=account, reason="")
        if state == "approved":
            continue
        review_due = (
            today - timedelta(days=20)
            if state == "review_overdue"
            else today + (timedelta(days=65))
        )
        _set_live(account, leader, review_due=review_due)
        if state == "suspended":
            services.account_suspend(
                actor=head, account=account, reason="A post named a student in full (4.5f)."
            )
        elif state == "closed":
            services.account_close(
                actor=leader, account=account, reason="Replaced by the school's careers page."
            )
        elif state == "needs_new_owner" and owner.is_active:
            from accounts.services import user_deactivate

            # The real leaver route: the trust administrator deactivates, accounts are flagged.
            user_deactivate(ctx.people["admin"], owner, "Left at the end of term (demo).")
    _reports(ctx)
    _followups_and_contacts(ctx)
    _print_leaver(ctx)
    ctx.hints.append(
        "Official accounts: every state is in the demo. Riverside's leader has a request waiting "
        "15 school days and an overdue review; Oakwood's leader has @oakwood_pe needing a new "
        "owner. Public register (no sign-in): /register/"
    )
