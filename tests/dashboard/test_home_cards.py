"""The home cards count in SQL (portal.home_cards.CardQuery) the rows the apps' selectors
return: for every person, each card's number equals the count of the selector it mirrors, on
data with the edge cases of each rule (a case about the person, a local variant of a trust
policy, a student who left, an entry older than a week...)."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.db.models import DurationField, F, Func, Q
from django.utils import timezone

from accounts.roles import Perm, SchoolRole
from accounts.selectors import school_ids_with_perm
from accounts.services import grant_record_access, role_assign
from activity.selectors import WATCHED_ACTIONS, entries_visible_to
from audit.services import record
from breaches.models import BreachCase
from breaches.selectors import case_visible_to, declarations_visible_to
from breaches.services import declaration_acknowledge, declaration_create
from channels.followups import followups_for
from channels.models import OfficialAccount
from channels.selectors import queue_counts
from channels.services import account_review, account_suspend
from consents.models import Takedown
from consents.publishing import takedown_done
from consents.selectors import current_school_year, students_visible_to, takedowns_visible_to
from consents.services import ALL_ITEMS, consent_record
from dashboard.selectors import CARD_PROVIDERS, CardProvider, home_cards
from escrow.models import Credential
from escrow.services import credential_require_rotation
from policies.models import DUE_SOON_DAYS, ApprovingBody, Policy, PolicyCategory
from policies.selectors import waiting_count
from policies.services import policy_acknowledge, policy_adopt, policy_create
from tests.breaches.factories import report
from tests.channels.factories import make_account
from tests.consents.factories import WordingFactory, student_with_carers
from tests.escrow.factories import escrowed_account
from tests.policies.helpers import pdf, school_policy, trust_policy

from .test_home_queries import MAX_QUERIES, add_waiting_rows

S = OfficialAccount.Status
PERSONAS = [*MAX_QUERIES, "teacher_b", "head_b", "office_b"]


def _escrow_counts(user) -> tuple[int, int]:
    """The escrow cards as the ORM query they were written as before (issue 9)."""
    now = timezone.now()
    due = F("credential__rotated_at") + Func(
        F("credential__rotation_interval_days"),
        function="make_interval",
        template="make_interval(days => %(expressions)s)",
        output_field=DurationField(),
    )
    escrowed = OfficialAccount.objects.filter(
        status__in=[S.APPROVED, S.ACTIVE, S.SUSPENDED]
    ).annotate(due=due)
    deputy_of = OfficialAccount.deputies.through.objects.filter(user=user).values(
        "officialaccount_id"
    )
    team = escrowed.filter(
        (Q(owner=user) | Q(pk__in=deputy_of))
        & (
            Q(credential__rotated_at__isnull=True)
            | Q(credential__rotation_required=True)
            | Q(due__lte=now)
        )
    )
    leader = escrowed.filter(
        Q(school__in=school_ids_with_perm(user, Perm.RETRIEVE_CREDENTIAL))
        & (Q(credential__rotation_required=True) | Q(due__lte=now))
    )
    return team.count(), leader.count()


def expected_cards(user) -> dict[str, int]:
    """Each card's title and the count of the selector it mirrors (cards at 0 are not shown)."""
    team, leader = _escrow_counts(user)
    queue = queue_counts(user)
    since = timezone.localdate() - timedelta(days=6)
    since_start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    counts = {
        "Policies to read and acknowledge": waiting_count(user),
        "Policies you own that are overdue or due for review within 60 days": (
            Policy.objects.filter(
                owner=user,
                review_due__lte=timezone.localdate() + timedelta(days=DUE_SOON_DAYS),
            ).count()
        ),
        "official accounts whose login details to give or change": team,
        "official account passwords overdue or to be changed": leader,
        "official accounts awaiting approval": queue["submitted"],
        "account reviews overdue": queue["reviews"],
        "accounts needing a new owner": queue["new_owner"],
        "account review follow-ups open": (
            followups_for(user)
            .filter(school__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL))
            .count()
        ),
        "Breach reports to acknowledge": (
            case_visible_to(user).filter(status=BreachCase.Status.REPORTED).count()
        ),
        "Declarations to acknowledge (5.5)": (
            declarations_visible_to(user)
            .filter(acknowledged_at__isnull=True)
            .exclude(user=user)
            .count()
            if school_ids_with_perm(user, Perm.HANDLE_BREACHES)
            else 0
        ),
        "Posts to take down (consent withdrawn)": (
            takedowns_visible_to(user).filter(status=Takedown.Status.OPEN).count()
        ),
        "Students without a consent decision this year": (
            students_visible_to(user, Perm.MANAGE_CONSENT)
            .filter(left_on__isnull=True)
            .exclude(current__school_year=current_school_year())
            .count()
        ),
        **{
            title: entries_visible_to(user)
            .filter(action=action, created_at__gte=since_start)
            .count()
            for action, title in WATCHED_ACTIONS
        },
    }
    return {title: n for title, n in counts.items() if n}


def add_edge_cases(world, time_machine) -> None:
    """Rows each rule has to tell apart, on top of add_waiting_rows."""
    today = timezone.localdate()
    # A teacher who is also staff at the other school: the trust policy adopted with a local
    # variant at school A still applies to them through school B.
    role_assign(actor=None, user=world.teacher_a, school=world.school_b, role=SchoolRole.STAFF)
    adopted = trust_policy(world, title="Adopted with a variant")
    policy_adopt(
        actor=world.head_a,
        policy=adopted,
        school=world.school_a,
        adopted_on=today,
        local_variant_document=pdf(),
    )
    acknowledged = school_policy(world, title="Already read")
    policy_acknowledge(user=world.staff_a, policy=acknowledged)
    school_policy(world, title="Not due yet", owner=world.leader_a, review_in_days=300)
    policy_create(
        actor=world.trust_admin,
        trust=world.trust,
        school=world.school_a,
        title="Nothing to acknowledge",
        category=PolicyCategory.ESAFETY,
        owner=world.head_a,
        approving_body=ApprovingBody.LOCAL_GOVERNING_BODY,
        approved_on=today,
        review_due=today + timedelta(days=30),
        review_interval_months=12,
        document=pdf(),
        requires_acknowledgement=False,
    )
    # Cases about the person who would otherwise see them: never shown to them, even when
    # shared with them one by one, and not to trust HR when they are about trust HR.
    about_head = report(world, actor=world.staff_a, subject=world.head_a)
    grant_record_access(world.head_a, about_head, "breaches.handle_case")
    role_assign(actor=None, user=world.trust_hr, school=world.school_b, role=SchoolRole.STAFF)
    report(world, actor=world.staff_b, school=world.school_b, subject=world.trust_hr)
    # A declaration the head made themself and one already acknowledged.
    declaration_create(
        actor=world.head_a,
        school=world.school_a,
        site="Head's blog",
        link="https://head.example/",
        disclaimer_present=True,
    )
    done = declaration_create(
        actor=world.teacher_a,
        school=world.school_a,
        site="Teacher's blog",
        link="https://teacher.example/",
        disclaimer_present=True,
    )
    declaration_acknowledge(actor=world.head_a, declaration=done)
    # A student who left, and one with a decision only last school year.
    left, _ = student_with_carers(world.school_a, left_on=today - timedelta(days=3))
    last_year, (carer,) = student_with_carers(world.school_a)
    consent_record(
        actor=world.office_a,
        student=last_year,
        carer=carer,
        method="paper",
        wording=WordingFactory(version="2025.1", effective_from=datetime.date(2025, 9, 1)),
        given_on=datetime.date(2025, 10, 1),
        naming="first_name",
        allowed=dict.fromkeys(ALL_ITEMS, True),
    )
    # Review follow-ups (issue 15): one open at school A, one whose account was suspended.
    for suspend in (False, True):
        reviewed = make_account(
            world.school_a, requested_by=world.teacher_a, deputies=[world.staff_a], status=S.ACTIVE
        )
        account_review(
            actor=world.leader_a,
            account=reviewed,
            checks={"still_needed": False},
            notes="No longer used: close it or give it a purpose.",
            followup_owner=world.teacher_a,
            followup_due=today + timedelta(days=5),
        )
        if suspend:
            account_suspend(actor=world.head_a, account=reviewed, reason="Out of use.")
    # A takedown already done; a closed account still flagged as needing a new owner.
    takedown_done(actor=world.teacher_a, takedown=Takedown.objects.filter(school=world.school_a)[0])
    make_account(
        world.school_a, requested_by=world.teacher_a, status=S.CLOSED, needs_new_owner=True
    )
    # Login details deposited, then overdue for change once the interval has passed; the
    # audit entries made so far are then older than the week.
    escrowed_account(world, "b")
    time_machine.move_to(timezone.now() + timedelta(days=200))
    # Login details to change that are not overdue: a change required since.
    fresh = escrowed_account(world, "a")
    credential_require_rotation(
        actor=None, credential=Credential.objects.get(account=fresh), reason="test"
    )
    # Audit entries of the week: a denied access to a breach case (confidential to the case's
    # handlers), denied accesses and lockouts at either school or tied to none.
    record(world.leader_b, "access.denied", BreachCase.objects.first(), world.school_b)
    record(world.leader_a, "access.denied", world.teacher_b, world.school_b)
    record(None, "auth.locked_out", world.teacher_b, world.school_b)
    record(None, "auth.locked_out", world.teacher_a, data={"email": world.teacher_a.email})


@pytest.fixture
def data(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 2, 10, 0))
    add_waiting_rows(world)
    add_edge_cases(world, time_machine)


def test_each_card_counts_what_its_selector_returns(world, data):
    # One test for every person: the data take seconds to build.
    expected = {p: expected_cards(world.people[p]) for p in PERSONAS}
    shown = {p: {c.title: c.count for c in home_cards(world.people[p])} for p in PERSONAS}
    assert shown == expected
    # Every card is shown to someone in these data, so each of its rules was exercised.
    titles = {
        q.title
        for provider in CARD_PROVIDERS
        if isinstance(provider, CardProvider)
        for p in PERSONAS
        for q in provider.queries(world.people[p])
    }
    assert titles == set().union(*expected.values())


def test_each_provider_alone_asks_one_query(world, data, django_assert_num_queries):
    user = world.head_a
    school_ids_with_perm(user, Perm.STAFF)  # the person's roles, looked up once per request
    for provider in CARD_PROVIDERS:
        with django_assert_num_queries(1 if provider.queries(user) else 0):
            provider(user)
