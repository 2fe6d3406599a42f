"""Assigning and removing roles (issue 3): services audit, notify the person, keep guardian
grants in step, and raise `role_removed` for credential rotation."""

import pytest
from django.urls import reverse

from accounts import events
from accounts.models import Membership, TrustRole
from accounts.roles import Perm, SchoolRole, TrustRoleKind
from accounts.selectors import user_has_school_perm
from accounts.services import AccountsError, role_assign, role_remove, trust_role_remove
from audit.models import AuditEntry
from notifications.models import Notification
from tests.factories import SchoolFactory, TrustFactory


def detail(user):
    return reverse("accounts:person_detail", kwargs={"pk": user.pk})


def test_trust_admin_assigns_school_role_through_the_page(world, client_for):
    client = client_for("trust_admin")
    response = client.post(
        reverse("accounts:person_role_add", kwargs={"pk": world.teacher_a.pk}),
        {"school_role-school": world.school_b.pk, "school_role-role": SchoolRole.LEADER},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=world.teacher_a, school=world.school_b, role=SchoolRole.LEADER
    ).exists()
    teacher = type(world.teacher_a).objects.get(pk=world.teacher_a.pk)
    assert user_has_school_perm(teacher, Perm.APPROVE_CHANNEL, world.school_b)
    entry = AuditEntry.objects.get(
        action="role.assigned", target_id=str(world.teacher_a.pk), actor=world.trust_admin
    )
    assert entry.school_id == world.school_b.pk and entry.data == {"role": "leader"}
    note = Notification.objects.get(recipient=world.teacher_a, kind="accounts.role_changed")
    assert note.context == {"change": "assigned", "role_label": "School leader"}


def test_school_choice_outside_the_trust_is_a_form_error(world, client_for):
    other = SchoolFactory(trust=TrustFactory(name="Other Trust"))
    response = client_for("trust_admin").post(
        reverse("accounts:person_role_add", kwargs={"pk": world.teacher_a.pk}),
        {"school_role-school": other.pk, "school_role-role": SchoolRole.LEADER},
    )
    assert response.status_code == 200
    assert "school" in response.context["school_form"].errors
    assert not Membership.objects.filter(school=other).exists()


def test_form_offers_only_the_admins_trust_schools(world, client_for):
    SchoolFactory(trust=TrustFactory(name="Other Trust"), name="Elsewhere High")
    form = client_for("trust_admin").get(detail(world.teacher_a)).context["school_form"]
    assert set(form.fields["school"].queryset) == {world.school_a, world.school_b}


def test_second_headteacher_is_refused_with_the_current_ones_name(world, client_for):
    response = client_for("trust_admin").post(
        reverse("accounts:person_role_add", kwargs={"pk": world.leader_a.pk}),
        {"school_role-school": world.school_a.pk, "school_role-role": SchoolRole.HEADTEACHER},
    )
    assert response.status_code == 200
    assert "already has a headteacher (Head A)" in response.content.decode()


def test_removing_a_role_revokes_permissions_audits_notifies_and_signals(world, client_for):
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    events.role_removed.connect(receiver)
    try:
        membership = world.leader_a.memberships.get()
        response = client_for("trust_admin").post(
            reverse("accounts:person_role_remove", kwargs={"pk": world.leader_a.pk}),
            {"membership": membership.pk},
        )
    finally:
        events.role_removed.disconnect(receiver)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    leader = type(world.leader_a).objects.get(pk=world.leader_a.pk)
    assert not user_has_school_perm(leader, Perm.APPROVE_CHANNEL, world.school_a)
    assert AuditEntry.objects.filter(action="role.removed", target_id=str(leader.pk)).exists()
    assert Notification.objects.filter(recipient=leader, kind="accounts.role_changed").exists()
    [(sender, kwargs)] = received
    assert sender is Membership
    assert kwargs["user"] == leader and kwargs["school"] == world.school_a
    assert kwargs["role"] == SchoolRole.LEADER and kwargs["actor"] == world.trust_admin


def test_membership_of_a_school_outside_the_trust_cannot_be_removed(world, client_for):
    other = SchoolFactory(trust=TrustFactory(name="Other Trust"))
    foreign = role_assign(actor=None, user=world.teacher_a, school=other, role=SchoolRole.STAFF)
    response = client_for("trust_admin").post(
        reverse("accounts:person_role_remove", kwargs={"pk": world.teacher_a.pk}),
        {"membership": foreign.pk},
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_trust_role_assign_makes_staff_and_removal_signals(world, client_for):
    client = client_for("trust_admin")
    client.post(
        reverse("accounts:person_trust_role_add", kwargs={"pk": world.teacher_a.pk}),
        {"trust_role-trust_role": TrustRoleKind.TRUST_ADMIN},
    )
    world.teacher_a.refresh_from_db()
    assert world.teacher_a.is_staff
    tr = TrustRole.objects.get(user=world.teacher_a)
    received = []

    def receiver(sender, **kwargs):
        received.append(sender)

    events.role_removed.connect(receiver)
    try:
        client.post(
            reverse("accounts:person_trust_role_remove", kwargs={"pk": world.teacher_a.pk}),
            {"trust_role": tr.pk},
        )
    finally:
        events.role_removed.disconnect(receiver)
    world.teacher_a.refresh_from_db()
    assert not world.teacher_a.is_staff
    assert received == [TrustRole]


def test_admin_cannot_remove_their_own_admin_role(world):
    with pytest.raises(AccountsError, match="your own trust administrator role"):
        trust_role_remove(
            actor=world.trust_admin,
            user=world.trust_admin,
            trust=world.trust,
            role=TrustRoleKind.TRUST_ADMIN,
        )
    assert TrustRole.objects.filter(user=world.trust_admin).exists()


def test_only_a_trust_admin_may_call_the_role_services(world):
    with pytest.raises(AccountsError):
        role_assign(
            actor=world.head_a, user=world.teacher_a, school=world.school_a, role=SchoolRole.LEADER
        )
    with pytest.raises(AccountsError):
        role_remove(
            actor=world.head_a,
            user=world.teacher_a,
            school=world.school_a,
            role=SchoolRole.TEACHER,
        )
    assert list(world.teacher_a.memberships.values_list("role", flat=True)) == ["teacher"]


def test_system_role_changes_notify_nobody(world):
    role_assign(actor=None, user=world.teacher_a, school=world.school_b, role=SchoolRole.STAFF)
    assert not Notification.objects.filter(kind="accounts.role_changed").exists()
