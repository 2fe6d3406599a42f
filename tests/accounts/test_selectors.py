"""The visible-to selectors later apps build on, and per-record grants (issue 3)."""

from accounts.models import School
from accounts.roles import Perm, SchoolRole
from accounts.selectors import (
    people_visible_to,
    record_ids_granted,
    schools_visible_to,
    staff_of_school,
)
from accounts.services import (
    grant_record_access,
    revoke_record_access,
    role_remove,
    user_deactivate,
)
from audit.models import AuditEntry


def test_schools_visible_to_by_role_and_by_permission(world):
    assert set(schools_visible_to(world.teacher_a)) == {world.school_a}
    assert set(schools_visible_to(world.trust_admin)) == {world.school_a, world.school_b}
    assert set(schools_visible_to(world.head_a, Perm.HANDLE_BREACHES)) == {world.school_a}
    assert not schools_visible_to(world.leader_a, Perm.HANDLE_BREACHES).exists()
    assert not schools_visible_to(world.trustee, Perm.VIEW_STAFF).exists()


def test_staff_of_school_excludes_leavers_and_other_schools(world):
    user_deactivate(world.trust_admin, world.staff_a, "Left")
    staff = set(staff_of_school(world.school_a))
    assert world.teacher_a in staff and world.head_a in staff
    assert world.staff_a not in staff and world.teacher_b not in staff


def test_people_visible_to_leader_is_their_school_only(world):
    visible = set(people_visible_to(world.leader_a))
    assert world.teacher_a in visible and world.leader_a in visible
    assert world.teacher_b not in visible and world.trustee not in visible


def test_people_visible_to_teacher_is_only_themselves(world):
    assert list(people_visible_to(world.teacher_a)) == [world.teacher_a]


def test_trust_admin_sees_people_with_no_role_left(world):
    role_remove(actor=None, user=world.staff_b, school=world.school_b, role=SchoolRole.STAFF)
    assert world.staff_b in set(people_visible_to(world.trust_admin))
    assert world.staff_b not in set(people_visible_to(world.leader_b))


def test_people_visible_to_has_no_duplicates(world):
    from accounts.services import role_assign

    role_assign(actor=None, user=world.teacher_a, school=world.school_b, role=SchoolRole.STAFF)
    ids = list(people_visible_to(world.trust_admin).values_list("pk", flat=True))
    assert len(ids) == len(set(ids))


def test_grant_and_revoke_record_access_on_one_record(world):
    assert not record_ids_granted(world.teacher_a, Perm.HANDLE_BREACHES, School).exists()
    grant_record_access(world.teacher_a, world.school_b, Perm.HANDLE_BREACHES, actor=world.head_b)
    granted = School.objects.filter(
        pk__in=record_ids_granted(world.teacher_a, Perm.HANDLE_BREACHES, School)
    )
    assert list(granted) == [world.school_b]
    assert world.teacher_a.has_perm(f"accounts.{Perm.HANDLE_BREACHES}", world.school_b)
    # one record only: the grant does not spread to other records or people
    assert not world.teacher_b.has_perm(f"accounts.{Perm.HANDLE_BREACHES}", world.school_b)
    entry = AuditEntry.objects.get(action="access.granted")
    assert entry.data == {"perm": Perm.HANDLE_BREACHES, "user_id": world.teacher_a.pk}
    revoke_record_access(world.teacher_a, world.school_b, f"accounts.{Perm.HANDLE_BREACHES}")
    assert not record_ids_granted(world.teacher_a, Perm.HANDLE_BREACHES, School).exists()
    assert AuditEntry.objects.filter(action="access.revoked").exists()


def test_grants_of_a_leaver_count_for_nothing(world):
    grant_record_access(world.teacher_a, world.school_b, Perm.HANDLE_BREACHES)
    user_deactivate(world.trust_admin, world.teacher_a, "Left")
    world.teacher_a.refresh_from_db()
    assert not record_ids_granted(world.teacher_a, Perm.HANDLE_BREACHES, School).exists()
