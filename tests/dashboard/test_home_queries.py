"""Issue 9: every person's home page runs a fixed number of queries, however many accounts,
cases, policies, students, notifications or audit entries there are, and no more than it runs
today (the bounds below: a new query on the home page must be a decision, not an accident)."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import SchoolRole
from accounts.services import role_assign, user_deactivate
from audit.services import record
from breaches.services import declaration_create
from channels.models import OfficialAccount
from consents.models import Medium, Naming
from consents.publishing import publication_record
from consents.services import ALL_ITEMS, consent_record, consent_withdraw
from escrow.models import Credential
from escrow.services import credential_require_rotation
from notifications.services import notify
from tests.breaches.factories import report
from tests.channels.factories import make_account
from tests.consents.factories import WordingFactory, student_with_carers
from tests.escrow.factories import active_account, escrowed_account
from tests.factories import UserFactory
from tests.policies.helpers import school_policy, trust_policy

S = OfficialAccount.Status
HOME = reverse("dashboard:home")

# Queries of each person's home page: the session, the user, the authenticator, the nav's
# trust and school roles and the bell (base.html, as on every page), then the person's school
# permissions (plus the trust's schools for a trust role), the roles section and one query for
# every card together. Teachers and staff have no authenticator in these tests, and asking
# whether they have one takes two queries (the middleware's and the nav's).
MAX_QUERIES = {
    "teacher_a": 10,
    "leader_a": 9,
    "head_a": 9,
    "dsl_a": 9,
    "office_a": 9,
    "staff_a": 10,
    "trust_admin": 10,
    "trust_hr": 10,
    "trustee": 10,
}


@pytest.fixture
def clock(time_machine):
    # Inside the school year of the consent decisions the takedowns are built from.
    time_machine.move_to(datetime.datetime(2026, 10, 2, 10, 0))


def add_waiting_rows(world, n: int = 2) -> None:
    """`n` more rows of every kind a home card counts, at both schools, through the services
    and factories the apps' own tests use."""
    today = timezone.localdate()
    for i in range(n):
        for s in ("a", "b"):
            school = getattr(world, f"school_{s}")
            teacher, staff, leader, head, office = (
                getattr(world, f"{p}_{s}") for p in ("teacher", "staff", "leader", "head", "office")
            )
            # More people, one of whom leaves an account behind (needs a new owner).
            role_assign(actor=None, user=UserFactory(), school=school, role=SchoolRole.STAFF)
            leaver = UserFactory()
            role_assign(actor=None, user=leaver, school=school, role=SchoolRole.TEACHER)
            make_account(school, requested_by=leaver, deputies=[staff], status=S.ACTIVE)
            user_deactivate(world.trust_admin, leaver, "Left at half term")
            # Official accounts waiting for approval, overdue for review, with login details
            # to give (nothing deposited) or to change (rotation required).
            make_account(school, requested_by=teacher, deputies=[staff], status=S.SUBMITTED)
            overdue = make_account(school, requested_by=teacher, deputies=[staff], status=S.ACTIVE)
            overdue.next_review_due = today - timedelta(days=1)
            overdue.save()
            active_account(world, s)
            escrowed = escrowed_account(world, s)
            credential_require_rotation(
                actor=None, credential=Credential.objects.get(account=escrowed), reason="test"
            )
            # Breach reports (to the head, to the safeguarding lead, one about the teacher) and
            # a declaration for the head to acknowledge.
            report(world, actor=staff, school=school)
            report(world, actor=teacher, school=school, students=True)
            report(world, actor=staff, school=school, subject=teacher)
            declaration_create(
                actor=staff,
                school=school,
                site=f"Blog {i}",
                link=f"https://blog{i}.example/",
                disclaimer_present=False,
            )
            # Policies to acknowledge, owned and due for review.
            school_policy(world, school, title=f"Policy {s}{i}", review_in_days=10, owner=leader)
            # Students without a decision, and a post to take down after a withdrawal.
            student_with_carers(school)
            student, (carer,) = student_with_carers(school)
            consent_record(
                actor=office,
                student=student,
                carer=carer,
                method="paper",
                wording=WordingFactory(),
                given_on=today,
                naming=Naming.FIRST_NAME,
                allowed=dict.fromkeys(ALL_ITEMS, True),
            )
            account = make_account(school, requested_by=teacher, deputies=[leader], status="active")
            publication_record(
                actor=teacher,
                account=account,
                medium=Medium.PHOTO,
                students=[student],
                post_url=f"https://instagram.com/p/{s}{i}",
                published_on=today,
            )
            consent_withdraw(
                actor=office,
                student=student,
                carer=carer,
                method="phone",
                wording=WordingFactory(),
                given_on=today,
            )
            # Audit entries the trust administrator's cards count.
            record(leader, "access.denied", world.teacher_b, world.school_b)
            record(None, "auth.locked_out", teacher, data={"email": teacher.email})
        trust_policy(world, title=f"Trust policy {i}", review_in_days=10)
        notify(world.people.values(), "accounts.role_changed", link="/")


@pytest.mark.parametrize("persona", list(MAX_QUERIES))
def test_home_query_count_does_not_grow_with_data(world, client_for, count_queries, clock, persona):
    client = client_for(persona)
    few = count_queries(client, HOME)
    cards_before = client.get(HOME).context["cards"]
    add_waiting_rows(world)
    many = count_queries(client, HOME)
    assert many == few, (persona, few, many)
    assert many <= MAX_QUERIES[persona], (persona, many)
    # The rows added are ones this person's cards count (the test would prove nothing if the
    # cards stayed empty). The trustee sees figures, not queues.
    cards_after = {c.title: c.count for c in client.get(HOME).context["cards"]}
    if persona != "trustee":
        assert sum(cards_after.values()) > sum(c.count for c in cards_before), cards_after


def test_more_data_grows_the_counts_not_the_queries(world, client_for, count_queries, clock):
    client = client_for("head_a")
    add_waiting_rows(world, n=1)
    once = count_queries(client, HOME)
    counts_once = {c.title: c.count for c in client.get(HOME).context["cards"]}
    add_waiting_rows(world, n=3)
    assert count_queries(client, HOME) == once
    counts_more = {c.title: c.count for c in client.get(HOME).context["cards"]}
    assert all(counts_more[title] > n for title, n in counts_once.items()), counts_more
