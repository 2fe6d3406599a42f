"""Rules of official accounts, one test per rule (clauses 4.1–4.5, 5.13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from audit.models import AuditEntry
from channels import services
from channels.gates import (
    ESCROW_GATE,
    GATES,
    activation_blockers,
    register_gate,
    unregister_gate,
)
from channels.models import AccountEvent, OfficialAccount
from channels.services import ChannelError
from notifications.models import Notification
from portal.schooldays import add_school_days, school_days_between

from .factories import account_data, make_account, platform

S = OfficialAccount.Status
pytestmark = pytest.mark.django_db


def register(world, **overrides):
    return services.account_register(
        actor=world.teacher_a,
        school=world.school_a,
        owner=world.teacher_a,
        deputies=[world.staff_a],
        data=account_data(world.school_a, **overrides),
    )


def notified(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


# --- registration checks ------------------------------------------------------------------------


def test_registration_creates_a_draft_with_a_history_row_and_audit(world):
    account = register(world)
    assert account.status == S.DRAFT
    assert list(account.deputies.all()) == [world.staff_a]
    assert AccountEvent.objects.filter(account=account, action="registered").exists()
    assert AuditEntry.objects.filter(
        action="account.registered", target_id=str(account.pk)
    ).exists()


def test_login_email_outside_the_schools_domains_is_refused(world):
    with pytest.raises(ChannelError) as exc:
        register(world, login_email="pe.dept@gmail.com")
    assert exc.value.field == "login_email"
    assert "@alder.example" in exc.value.message


def test_login_email_of_another_school_of_the_trust_is_refused(world):
    with pytest.raises(ChannelError) as exc:
        register(world, login_email="pe@birch.example")
    assert exc.value.field == "login_email"


def test_youngest_year_group_below_platform_age_is_blocked_with_both_ages(world):
    with pytest.raises(ChannelError) as exc:
        register(world, audience_year_groups=["8", "11"], students_can_comment=True)
    assert exc.value.field == "audience_year_groups"
    assert "Year 8 pupils are aged 12–13" in exc.value.message
    assert "minimum age is 13" in exc.value.message


def test_reception_is_aged_four_to_five(world):
    with pytest.raises(ChannelError) as exc:
        register(world, audience_year_groups=["R"], students_can_add_text=True)
    assert "Reception pupils are aged 4–5" in exc.value.message


def test_year_group_at_the_platform_age_is_allowed(world):
    account = register(world, audience_year_groups=["9"], students_can_upload_images=True)
    assert account.pk


def test_young_audience_is_allowed_when_students_cannot_interact(world):
    account = register(
        world,
        audience_year_groups=["R", "1"],
        students_can_comment=False,
        students_can_upload_images=False,
        students_can_add_text=False,
    )
    assert account.pk


def test_duplicate_handle_in_another_school_is_refused_case_insensitively(world):
    make_account(world.school_b, requested_by=world.teacher_b, handle="@BirchPE")
    with pytest.raises(ChannelError) as exc:
        register(world, handle="birchpe")
    assert exc.value.field == "handle"
    assert "Birch Academy" in exc.value.message


def test_same_handle_on_another_platform_is_allowed(world):
    make_account(world.school_a, requested_by=world.teacher_a, handle="@alderpe")
    account = register(world, handle="@alderpe", platform=platform("YouTube"))
    assert account.pk


def test_duplicate_url_is_refused_after_normalising(world):
    make_account(world.school_b, requested_by=world.teacher_b, url="https://instagram.com/birchpe")
    with pytest.raises(ChannelError) as exc:
        register(world, url="http://WWW.Instagram.com/BirchPE/?hl=en")
    assert exc.value.field == "url"


def test_a_rejected_registration_frees_its_handle(world):
    make_account(world.school_a, requested_by=world.teacher_a, handle="@alderpe", status=S.REJECTED)
    assert register(world, handle="@AlderPE").pk


def test_owner_from_another_school_is_refused(world):
    with pytest.raises(ChannelError) as exc:
        services.account_register(
            actor=world.teacher_a,
            school=world.school_a,
            owner=world.teacher_b,
            deputies=[world.staff_a],
            data=account_data(world.school_a),
        )
    assert exc.value.field == "owner"


def test_at_least_one_deputy_is_required(world):
    with pytest.raises(ChannelError) as exc:
        services.account_register(
            actor=world.teacher_a,
            school=world.school_a,
            owner=world.teacher_a,
            deputies=[],
            data=account_data(world.school_a),
        )
    assert exc.value.field == "deputies"


def test_owner_cannot_be_own_deputy(world):
    with pytest.raises(ChannelError):
        services.account_register(
            actor=world.teacher_a,
            school=world.school_a,
            owner=world.teacher_a,
            deputies=[world.teacher_a],
            data=account_data(world.school_a),
        )


def test_teacher_cannot_register_for_another_school(world):
    with pytest.raises(ChannelError):
        services.account_register(
            actor=world.teacher_b,
            school=world.school_a,
            owner=world.teacher_a,
            deputies=[world.staff_a],
            data=account_data(world.school_a),
        )


def test_short_purpose_is_refused(world):
    with pytest.raises(ChannelError) as exc:
        register(world, purpose="For PE.")
    assert exc.value.field == "purpose"


# --- submission and decisions -------------------------------------------------------------------


def test_submit_notifies_the_schools_leaders_but_not_the_requester(world):
    account = services.account_submit(actor=world.teacher_a, account=register(world))
    assert account.status == S.SUBMITTED and account.submitted_at
    assert notified("channels.account_submitted") == {world.leader_a.email, world.head_a.email}
    assert AuditEntry.objects.filter(action="account.submitted").count() == 1


def test_submit_needs_every_attestation(world):
    account = register(world, attest_no_follow_back=False)
    with pytest.raises(ChannelError) as exc:
        services.account_submit(actor=world.teacher_a, account=account)
    assert "4.5j" in exc.value.message
    account.refresh_from_db()
    assert account.status == S.DRAFT


def test_someone_outside_the_team_cannot_submit(world):
    with pytest.raises(ChannelError):
        services.account_submit(actor=world.leader_a, account=register(world))


def test_leader_of_the_school_approves_and_the_team_is_told(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.SUBMITTED
    )
    services.account_approve(actor=world.leader_a, account=account)
    account.refresh_from_db()
    assert account.status == S.APPROVED and account.decided_by == world.leader_a
    assert notified("channels.account_approved") == {world.teacher_a.email, world.staff_a.email}
    assert AuditEntry.objects.filter(action="account.approved").exists()
    assert account.events.filter(action="approved", from_status=S.SUBMITTED).exists()


def test_leader_cannot_approve_an_account_they_requested(world):
    account = make_account(
        world.school_a,
        requested_by=world.leader_a,
        owner=world.teacher_a,
        deputies=[world.staff_a],
        status=S.SUBMITTED,
    )
    with pytest.raises(ChannelError) as exc:
        services.account_approve(actor=world.leader_a, account=account)
    assert "another leader" in exc.value.message
    account.refresh_from_db()
    assert account.status == S.SUBMITTED


def test_headteacher_who_is_a_deputy_cannot_approve(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.head_a], status=S.SUBMITTED
    )
    with pytest.raises(ChannelError):
        services.account_approve(actor=world.head_a, account=account)


def test_leader_of_another_school_cannot_approve(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.SUBMITTED)
    with pytest.raises(ChannelError):
        services.account_approve(actor=world.leader_b, account=account)


def test_teacher_cannot_approve(world):
    account = make_account(world.school_a, requested_by=world.staff_a, status=S.SUBMITTED)
    with pytest.raises(ChannelError):
        services.account_approve(actor=world.teacher_a, account=account)


@pytest.mark.parametrize("service", [services.account_reject, services.account_request_changes])
def test_reject_and_request_changes_need_a_reason(world, service):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.SUBMITTED)
    with pytest.raises(ChannelError) as exc:
        service(actor=world.leader_a, account=account, reason="  ")
    assert exc.value.field == "reason"


def test_changes_requested_can_be_edited_and_resubmitted(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.SUBMITTED
    )
    services.account_request_changes(actor=world.leader_a, account=account, reason="Year 7 too")
    services.account_update(
        actor=world.teacher_a,
        account=account,
        owner=world.teacher_a,
        deputies=[world.staff_a],
        data={"purpose": services_purpose()},
    )
    services.account_submit(actor=world.teacher_a, account=account)
    assert account.status == S.SUBMITTED
    assert list(account.events.values_list("action", flat=True))[:3] == [
        "submitted",
        "updated",
        "changes_requested",
    ]


def services_purpose() -> str:
    return "Share match reports and fixtures with the school community, reviewed weekly."


def test_decision_on_an_account_not_waiting_is_refused(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.DRAFT)
    with pytest.raises(ChannelError):
        services.account_approve(actor=world.leader_a, account=account)


# --- the activation gate ------------------------------------------------------------------------


@pytest.fixture
def no_escrow():
    """The state before the escrow app registers its check (restored afterwards)."""
    saved = dict(GATES)
    unregister_gate(ESCROW_GATE)
    yield
    GATES.clear()
    GATES.update(saved)


def test_activation_is_blocked_until_escrow_is_available(world, no_escrow):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, status=S.APPROVED, decided_by=world.leader_a
    )
    with pytest.raises(ChannelError) as exc:
        services.account_activate(actor=world.teacher_a, account=account)
    assert "escrow" in exc.value.message
    account.refresh_from_db()
    assert account.status == S.APPROVED


def test_activation_asks_the_registered_escrow_check(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, status=S.APPROVED, decided_by=world.leader_a
    )
    saved = dict(GATES)
    register_gate(ESCROW_GATE, lambda a: "No login details are in escrow for this account.")
    try:
        assert activation_blockers(account) == ["No login details are in escrow for this account."]
        with pytest.raises(ChannelError):
            services.account_activate(actor=world.teacher_a, account=account)
    finally:
        GATES.clear()
        GATES.update(saved)


def test_activation_after_approval_and_escrow_sets_the_review_date(world, escrow_ready):
    account = make_account(
        world.school_a,
        requested_by=world.teacher_a,
        deputies=[world.staff_a],
        status=S.APPROVED,
        decided_by=world.leader_a,
    )
    account.next_review_due = None
    account.save()
    services.account_activate(actor=world.teacher_a, account=account)
    assert account.status == S.ACTIVE and account.activated_at
    assert account.next_review_due > date.today()
    assert AuditEntry.objects.filter(action="account.activated").exists()


def test_submitted_account_cannot_be_activated(world, escrow_ready):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.SUBMITTED)
    with pytest.raises(ChannelError):
        services.account_activate(actor=world.teacher_a, account=account)
    assert "approve" in " ".join(activation_blockers(account))


def test_suspend_needs_a_reason_and_reinstate_goes_through_the_gate(world, escrow_ready):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, status=S.ACTIVE, decided_by=world.leader_a
    )
    with pytest.raises(ChannelError):
        services.account_suspend(actor=world.leader_a, account=account, reason="")
    services.account_suspend(actor=world.leader_a, account=account, reason="Unprofessional post")
    assert account.status == S.SUSPENDED
    with pytest.raises(ChannelError):
        services.account_reinstate(actor=world.teacher_a, account=account)
    services.account_reinstate(actor=world.leader_a, account=account)
    assert account.status == S.ACTIVE
    assert AuditEntry.objects.filter(action="account.reinstated").exists()


def test_teacher_cannot_suspend(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    with pytest.raises(ChannelError):
        services.account_suspend(actor=world.teacher_a, account=account, reason="x")


def test_owner_closes_their_account_and_leaders_are_told(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    services.account_close(actor=world.teacher_a, account=account, reason="Club ended")
    assert account.status == S.CLOSED
    assert world.leader_a.email in notified("channels.account_closed")


def test_deputy_cannot_close(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.ACTIVE
    )
    with pytest.raises(ChannelError):
        services.account_close(actor=world.staff_a, account=account, reason="x")


# --- annual review ------------------------------------------------------------------------------

ALL_GOOD = {
    "still_needed": True,
    "content_professional": True,
    "privacy_strictest": True,
    "no_private_messaging": True,
    "owner_deputy_right": True,
    "no_follow_back": True,
}


def test_review_records_the_checklist_and_moves_the_due_date(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    account.next_review_due = date(2020, 1, 1)
    account.save()
    review = services.account_review(actor=world.leader_a, account=account, checks=ALL_GOOD)
    assert review.passed and review.due_date == date(2020, 1, 1)
    assert account.next_review_due > date.today()
    entry = AuditEntry.objects.get(action="account.reviewed")
    assert entry.data["outcome"] == "passed"


def test_failed_check_needs_a_note(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    with pytest.raises(ChannelError) as exc:
        services.account_review(
            actor=world.leader_a, account=account, checks={**ALL_GOOD, "privacy_strictest": False}
        )
    assert exc.value.field == "notes"
    review = services.account_review(
        actor=world.leader_a,
        account=account,
        checks={**ALL_GOOD, "privacy_strictest": False},
        notes="Comments open to all; owner to restrict by Friday.",
        followup_owner=world.teacher_a,
        followup_due=date.today() + timedelta(days=7),
    )
    assert not review.passed
    assert review.followup.owner == world.teacher_a


def test_leader_who_owns_the_account_cannot_review_it(world):
    account = make_account(world.school_a, requested_by=world.leader_a, status=S.ACTIVE)
    with pytest.raises(ChannelError):
        services.account_review(actor=world.leader_a, account=account, checks=ALL_GOOD)


# --- leavers (5.13) -----------------------------------------------------------------------------


def test_leaving_owner_flags_the_account_and_tells_the_leaders(world):
    from accounts.events import user_left

    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.ACTIVE
    )
    other = make_account(world.school_b, requested_by=world.teacher_b, status=S.ACTIVE)
    user_left.send(sender=type(world.teacher_a), user=world.teacher_a, event=None, actor=None)
    account.refresh_from_db()
    other.refresh_from_db()
    assert account.needs_new_owner and not other.needs_new_owner
    assert notified("channels.needs_new_owner") == {world.leader_a.email, world.head_a.email}
    assert AuditEntry.objects.filter(action="account.needs_new_owner").count() == 1


def test_leaving_deputy_is_removed_and_the_account_flagged(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.ACTIVE
    )
    services.accounts_flag_leaver(actor=None, user=world.staff_a)
    account.refresh_from_db()
    assert account.needs_new_owner
    assert not account.deputies.exists()


def test_flagged_account_cannot_go_live_until_handed_over(world, escrow_ready):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, status=S.APPROVED, decided_by=world.leader_a
    )
    services.accounts_flag_leaver(actor=None, user=world.teacher_a)
    account.refresh_from_db()
    assert any("new owner" in b for b in activation_blockers(account))


def test_leader_hands_the_account_over_audited(world):
    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.ACTIVE
    )
    services.accounts_flag_leaver(actor=None, user=world.teacher_a)
    services.account_handover(
        actor=world.leader_a, account=account, owner=world.office_a, deputies=[world.staff_a]
    )
    account.refresh_from_db()
    assert account.owner == world.office_a and not account.needs_new_owner
    entry = AuditEntry.objects.get(action="account.handed_over")
    assert entry.data["from_owner_id"] == world.teacher_a.pk
    assert entry.data["to_owner_id"] == world.office_a.pk
    assert world.office_a.email in notified("channels.account_handed_over")


def test_handover_to_staff_of_another_school_is_refused(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    with pytest.raises(ChannelError):
        services.account_handover(
            actor=world.leader_a, account=account, owner=world.teacher_b, deputies=[world.staff_a]
        )


def test_teacher_cannot_hand_over(world):
    account = make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
    with pytest.raises(ChannelError):
        services.account_handover(
            actor=world.teacher_a, account=account, owner=world.office_a, deputies=[world.staff_a]
        )


# --- reports ------------------------------------------------------------------------------------


def test_fake_account_report_reaches_the_named_schools_leaders(world):
    report = services.fake_report_create(
        actor=world.staff_b,
        school=world.school_a,
        platform=platform("TikTok"),
        handle="@alder_academy_official",
        url="",
        description="Posts photos of pupils and claims to be the school.",
    )
    assert notified("channels.fake_reported") == {world.leader_a.email, world.head_a.email}
    services.fake_report_resolve(
        actor=world.head_a, report=report, resolution="Reported to TikTok; removed."
    )
    report.refresh_from_db()
    assert report.status == report.Status.RESOLVED
    assert notified("channels.fake_resolved") == {world.staff_b.email}


def test_fake_report_needs_a_name_or_address(world):
    with pytest.raises(ChannelError):
        services.fake_report_create(
            actor=world.staff_a,
            school=world.school_a,
            platform=None,
            handle="",
            url="",
            description="Something",
        )


def test_leader_of_another_school_cannot_resolve_a_fake_report(world):
    report = services.fake_report_create(
        actor=world.staff_a,
        school=world.school_a,
        platform=None,
        handle="@fake",
        url="",
        description="Fake",
    )
    with pytest.raises(ChannelError):
        services.fake_report_resolve(actor=world.leader_b, report=report, resolution="x")


# --- school days --------------------------------------------------------------------------------


def test_school_days_count_weekdays_only():
    monday = date(2026, 11, 2)
    assert school_days_between(monday, date(2026, 11, 6)) == 4  # to Friday
    assert school_days_between(monday, date(2026, 11, 9)) == 5  # over a weekend
    assert school_days_between(monday, date(2026, 11, 16)) == 10
    assert school_days_between(date(2026, 11, 7), date(2026, 11, 8)) == 0  # Sat -> Sun
    assert add_school_days(monday, 10) == date(2026, 11, 16)
    assert add_school_days(date(2026, 11, 6), 1) == date(2026, 11, 9)  # Fri -> Mon


def test_deactivating_an_owner_through_accounts_flags_their_accounts(world):
    from accounts.services import user_deactivate

    account = make_account(
        world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.ACTIVE
    )
    user_deactivate(world.trust_admin, world.teacher_a, "Left at Christmas")
    account.refresh_from_db()
    assert account.needs_new_owner
    assert account.events.filter(action="needs_new_owner").exists()
    entry = AuditEntry.objects.get(action="account.needs_new_owner")
    assert entry.actor == world.trust_admin


def test_leader_home_page_shows_waiting_cards_with_a_fixed_query_count(
    world, client_for, count_queries
):
    from django.urls import reverse

    client = client_for("leader_a")
    url = reverse("dashboard:home")
    make_account(world.school_a, requested_by=world.teacher_a, status=S.SUBMITTED)
    before = count_queries(client, url)
    for _ in range(3):
        make_account(world.school_a, requested_by=world.teacher_a, status=S.SUBMITTED)
    assert count_queries(client, url) == before
    body = client.get(url).content.decode()
    # "Title: number" (issue 18), so it reads right for one account or many.
    assert "Official accounts awaiting approval</span>" in body
    assert '<span class="home-card-count">4</span>' in body
    assert "Official accounts awaiting approval" not in (
        client_for("teacher_a").get(url).content.decode()
    )


# --- platform catalogue -----------------------------------------------------------------------


def test_trust_admin_edits_a_platform_and_it_is_audited(world):
    tiktok = platform("TikTok")
    services.platform_save(actor=world.trust_admin, platform=tiktok, data={"min_age": 16})
    tiktok.refresh_from_db()
    assert tiktok.min_age == 16
    entry = AuditEntry.objects.get(action="platform.updated")
    assert entry.data == {"changed": ["min_age"]}


def test_leader_cannot_edit_the_platform_list(world):
    with pytest.raises(ChannelError):
        services.platform_save(actor=world.head_a, platform=platform("TikTok"), data={"min_age": 9})


def test_a_raised_minimum_age_blocks_new_registrations_below_it(world):
    services.platform_save(
        actor=world.trust_admin, platform=platform("Instagram"), data={"min_age": 16}
    )
    with pytest.raises(ChannelError) as exc:
        register(world, audience_year_groups=["11"], students_can_comment=True)
    assert "Year 11 pupils are aged 15–16" in exc.value.message


def test_a_withdrawn_platform_takes_no_new_accounts(world):
    services.platform_save(
        actor=world.trust_admin, platform=platform("Instagram"), data={"is_active": False}
    )
    with pytest.raises(ChannelError) as exc:
        register(world)
    assert exc.value.field == "platform"
