"""The people list and person page (issue 3: trust administrators manage people; leaders see
their own school's staff only)."""

import pytest
from django.urls import reverse

from accounts.roles import SchoolRole, TrustRoleKind
from accounts.services import role_assign, trust_role_assign, user_deactivate
from tests.factories import SchoolFactory, TrustFactory, UserFactory

LIST = reverse("accounts:person_list")


def names(response) -> set[str]:
    return {p.full_name for p in response.context["page"].object_list}


def test_trust_admin_sees_everyone_of_the_trust_including_trust_roles(world, client_for):
    response = client_for("trust_admin").get(LIST)
    assert response.status_code == 200
    seen = names(response)
    assert {world.teacher_a.full_name, world.teacher_b.full_name, "Trustee"} <= seen


def test_leader_sees_only_their_schools_people(world, client_for):
    seen = names(client_for("leader_a").get(LIST))
    assert world.teacher_a.full_name in seen
    assert world.teacher_b.full_name not in seen
    assert "Trustee" not in seen


def test_person_list_query_count_does_not_grow_with_people(world, client_for, count_queries):
    client = client_for("trust_admin")
    before = count_queries(client, LIST)
    for i in range(25):
        user = UserFactory(full_name=f"Extra {i:02d}")
        role_assign(actor=None, user=user, school=world.school_a, role=SchoolRole.TEACHER)
        role_assign(actor=None, user=user, school=world.school_b, role=SchoolRole.STAFF)
        if i % 5 == 0:
            trust_role_assign(actor=None, user=user, trust=world.trust, role=TrustRoleKind.TRUSTEE)
    after = count_queries(client, LIST)
    assert after == before


def test_search_matches_name_or_email(world, client_for):
    client = client_for("trust_admin")
    assert names(client.get(LIST, {"q": "leader"})) == {"Leader A", "Leader B"}
    assert names(client.get(LIST, {"q": "head@birch"})) == {"Head B"}


def test_filter_by_school_and_role(world, client_for):
    client = client_for("trust_admin")
    response = client.get(LIST, {"school": world.school_b.pk, "role": SchoolRole.TEACHER})
    assert names(response) == {"Teacher B"}
    assert names(client.get(LIST, {"role": TrustRoleKind.TRUSTEE})) == {"Trustee"}


def test_filter_by_active_shows_leavers(world, client_for):
    user_deactivate(world.trust_admin, world.staff_a, "Left")
    client = client_for("trust_admin")
    assert names(client.get(LIST, {"active": "no"})) == {"Staff A"}
    assert "Staff A" not in names(client.get(LIST, {"active": "yes"}))


def test_leader_cannot_filter_by_another_schools_id(world, client_for):
    response = client_for("leader_a").get(LIST, {"school": world.school_b.pk})
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert world.teacher_b.full_name not in names(response)


def test_leader_of_other_school_gets_404_for_a_person(world, client_for):
    url = reverse("accounts:person_detail", kwargs={"pk": world.teacher_b.pk})
    assert client_for("leader_a").get(url).status_code == 404
    assert client_for("leader_b").get(url).status_code == 200


def test_another_schools_person_and_a_missing_one_look_the_same(world, client_for):
    client = client_for("leader_a")
    hidden = client.get(reverse("accounts:person_detail", kwargs={"pk": world.teacher_b.pk}))
    missing = client.get(reverse("accounts:person_detail", kwargs={"pk": 999999}))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_person_of_another_trust_is_404_for_trust_admin(world, client_for):
    other = SchoolFactory(trust=TrustFactory(name="Other Trust"))
    outsider = UserFactory()
    role_assign(actor=None, user=outsider, school=other, role=SchoolRole.TEACHER)
    url = reverse("accounts:person_detail", kwargs={"pk": outsider.pk})
    assert client_for("trust_admin").get(url).status_code == 404


def test_person_page_lists_roles_and_offers_actions_only_to_trust_admin(world, client_for):
    url = reverse("accounts:person_detail", kwargs={"pk": world.teacher_a.pk})
    admin_html = client_for("trust_admin").get(url).content.decode()
    assert f'data-role="{SchoolRole.TEACHER}"' in admin_html
    assert "Add role" in admin_html and "Deactivate" in admin_html
    leader_html = client_for("leader_a").get(url).content.decode()
    assert f'data-role="{SchoolRole.TEACHER}"' in leader_html
    assert "Add role" not in leader_html and "Deactivate" not in leader_html


@pytest.mark.parametrize("persona", ["teacher_a", "staff_a", "trustee"])
def test_people_list_is_forbidden_to_those_who_see_no_staff(world, client_for, persona):
    assert client_for(persona).get(LIST).status_code == 403
