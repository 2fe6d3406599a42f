"""manage.py seed_scale (issue 9): the data beyond the issue's list is valid and the pages that
show it open for the people who see it (acknowledgements, publications and takedowns, comment
and fake-account reports, declarations, notifications), here at a tiny scale."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from django.urls import resolve, reverse

from accounts.models import Membership, User
from breaches.models import BreachCase, Declaration
from channels.models import CommentReport, FakeAccountReport
from consents.models import (
    ConsentDecision,
    CurrentConsent,
    Publication,
    PublicationStudent,
    Student,
    Takedown,
)
from consents.publishing import purpose_for_account
from notifications.kinds import KINDS
from notifications.models import Notification
from policies.models import Acknowledgement, Policy
from policies.selectors import policies_for_acknowledgement
from portal import scale
from portal.scale import CONSENT_YEAR, SCALE_TRUST_NAME, scaled_counts
from tests.conftest import sign_in

SCALE = 0.002  # 200 publications, 12 comment reports, 24 staff per school: small but varied


@pytest.fixture
def seeded(db):
    out = StringIO()
    call_command("seed_scale", scale=SCALE, stdout=out)
    return out.getvalue()


def _staff():
    return User.objects.filter(memberships__school__trust__name=SCALE_TRUST_NAME).distinct()


def test_staff_acknowledge_a_realistic_share_of_what_applies_to_them(seeded):
    acks = Acknowledgement.objects.filter(user__in=_staff())
    assert acks.exists()
    teacher = User.objects.get(email="staff4@s1.scale-trust.example")
    applicable = list(policies_for_acknowledgement(teacher))
    assert applicable, "trust-wide policies apply to every member of staff"
    # Only current versions of policies that apply to the person are acknowledged.
    for ack in Acknowledgement.objects.filter(user=teacher).select_related("version"):
        assert ack.version.policy_id in {p.pk for p in applicable}
        assert ack.version.policy.current_version_id == ack.version_id
    asked = sum(len(list(policies_for_acknowledgement(u))) for u in _staff())
    share = acks.count() / asked
    assert 0.5 < share < 0.99, share
    # Every trust policy has its history: added to the register, then the new version.
    policy = Policy.objects.filter(trust__name=SCALE_TRUST_NAME).first()
    assert list(policy.reviews.order_by("recorded_at").values_list("outcome", flat=True)) == [
        "created",
        "new_version",
    ]


def test_posts_show_only_students_whose_consent_allowed_it_until_a_withdrawal(seeded):
    pubs = Publication.objects.filter(school__trust__name=SCALE_TRUST_NAME)
    assert pubs.count() == scaled_counts(SCALE)["publications"]
    assert PublicationStudent.objects.filter(publication__in=pubs).count() > pubs.count()
    appearances = PublicationStudent.objects.filter(publication__in=pubs).select_related(
        "publication__account__platform", "student"
    )
    withdrawn = 0
    for a in appearances:
        pub = a.publication
        assert pub.account.status == "active"
        assert pub.purpose == purpose_for_account(pub.account)
        assert a.student.school_id == pub.school_id
        current = CurrentConsent.objects.get(
            student=a.student, school_year=CONSENT_YEAR, purpose=pub.purpose, medium=pub.medium
        )
        if current.allowed:
            assert a.naming == current.naming
        else:  # withdrawn since: the post must come down
            withdrawn += 1
            assert Takedown.objects.filter(publication=pub, student=a.student).exists()
    assert withdrawn
    takedowns = Takedown.objects.filter(school__trust__name=SCALE_TRUST_NAME)
    assert takedowns.filter(status="open").exists() and takedowns.filter(status="done").exists()
    for t in takedowns.select_related("decision", "publication__account"):
        assert t.owner_id == t.publication.account.owner_id
        assert t.decision.is_withdrawal and t.decision.school_year == CONSENT_YEAR
        assert t.decision.student_id == t.student_id
        assert not t.decision.items.filter(allowed=True).exists()
        assert (t.status == "done") == (t.done_at is not None)
    # The decisions were turned into withdrawals, not added: the count still holds.
    assert (
        ConsentDecision.objects.filter(student__school__trust__name=SCALE_TRUST_NAME).count()
        == (scaled_counts(SCALE)["consent_decisions"])
    )


def test_reports_and_declarations_belong_to_their_school(seeded):
    counts = scaled_counts(SCALE)
    reports = CommentReport.objects.filter(school__trust__name=SCALE_TRUST_NAME)
    assert reports.count() == counts["comment_reports"]
    assert reports.filter(status="open").exists() and reports.filter(status="closed").exists()
    for r in reports.select_related("account"):
        assert r.account.school_id == r.school_id
        assert r.account.status in ("active", "suspended")
        assert (r.status == "closed") == (r.closed_by_id is not None)
    cases = BreachCase.objects.filter(comment_report__isnull=False)
    assert cases.exists()
    for case in cases.select_related("comment_report"):
        assert case.category == "inappropriate_comment"
        assert case.school_id == case.comment_report.school_id
        assert case.account_id == case.comment_report.account_id
    fakes = FakeAccountReport.objects.filter(school__trust__name=SCALE_TRUST_NAME)
    assert fakes.count() == counts["fake_account_reports"]
    declarations = Declaration.objects.filter(school__trust__name=SCALE_TRUST_NAME)
    assert declarations.count() == counts["declarations"]
    for d in declarations:
        assert Membership.objects.filter(user_id=d.user_id, school_id=d.school_id).exists()
    assert declarations.filter(acknowledged_at__isnull=True).exists()


def test_everyone_has_a_backlog_of_a_few_to_a_few_dozen_unread_notifications(seeded):
    staff = _staff()
    per_person = dict(
        Notification.objects.filter(recipient__in=staff)
        .values("recipient")
        .annotate(n=Count("pk", filter=Q(read_at__isnull=True)))
        .values_list("recipient", "n")
    )
    assert set(per_person) == set(staff.values_list("pk", flat=True))
    unread = sorted(per_person.values())
    assert 1 <= unread[len(unread) // 2] <= 40, unread
    assert unread[-1] <= 80, unread
    notes = Notification.objects.filter(recipient__in=staff)
    assert set(notes.values_list("kind", flat=True)) <= set(KINDS)
    assert {"policies.acknowledge_requested", "breaches.reported", "consents.takedown"} <= set(
        notes.values_list("kind", flat=True)
    )
    # Already emailed: nothing for the delivery sweep to pick up.
    assert not notes.exclude(email_status="sent").exists()
    for link in notes.values_list("link", flat=True).distinct()[:200]:
        resolve(link)
    # An acknowledged policy's request was read; the dedupe key is the service's.
    ack = Acknowledgement.objects.filter(user__in=staff).first()
    note = Notification.objects.get(
        recipient_id=ack.user_id, dedupe_key=f"policies.ack:{ack.version_id}"
    )
    assert note.read_at is not None and note.read_at <= ack.acknowledged_at


def test_the_pages_showing_the_new_data_open_for_the_people_who_see_it(seeded):
    head = User.objects.get(email="staff1@s1.scale-trust.example")
    teacher = User.objects.get(email="staff4@s1.scale-trust.example")
    school = head.memberships.get().school
    head_client, teacher_client = sign_in(Client(), head), sign_in(Client(), teacher)
    report = CommentReport.objects.filter(school=school).first()
    fake = FakeAccountReport.objects.filter(school=school).first()
    student = Student.objects.filter(school=school, appearances__isnull=False).first()
    policy = Policy.objects.filter(trust__name=SCALE_TRUST_NAME, school__isnull=True).first()
    for client, url in [
        (head_client, reverse("notifications:list")),
        (head_client, reverse("breaches:declaration_list")),
        (head_client, reverse("consents:takedown_list")),
        (head_client, reverse("channels:comment_report_detail", args=[report.pk])),
        (head_client, reverse("channels:fake_report_detail", args=[fake.pk])),
        (head_client, reverse("channels:fake_report_list")),
        (head_client, reverse("consents:student_detail", args=[student.pk])),
        (head_client, reverse("policies:outstanding")),
        (teacher_client, reverse("notifications:list")),
        (teacher_client, reverse("policies:mine")),
        (teacher_client, reverse("policies:detail", args=[policy.pk])),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "New" in head_client.get(reverse("notifications:list")).content.decode()


def test_the_new_stages_report_their_counts(seeded):
    for line in ("acknowledgements:", "publications:", "reports:", "declarations:"):
        assert line in seeded
    assert "notifications:" in seeded and "unread" in seeded
    assert set(scale.DEFAULT_COUNTS) <= set(scaled_counts(SCALE))
