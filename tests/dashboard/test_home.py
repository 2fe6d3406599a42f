from django.urls import reverse

from accounts.roles import SchoolRole


def test_home_shows_each_role_the_person_holds(world, client_for):
    response = client_for("head_a").get(reverse("dashboard:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-role="{SchoolRole.HEADTEACHER}"' in body
    assert "breach cases" in body


def test_home_of_trustee_says_figures_not_people(world, client_for):
    body = client_for("trustee").get(reverse("dashboard:home")).content.decode()
    assert 'data-role="trustee"' in body
    assert "never personal data" in body


def test_home_query_count_does_not_depend_on_roles_held(world, client_for, count_queries):
    from accounts.services import role_assign

    client = client_for("teacher_a")
    before = count_queries(client, reverse("dashboard:home"))
    role_assign(actor=None, user=world.teacher_a, school=world.school_b, role=SchoolRole.STAFF)
    after = count_queries(client, reverse("dashboard:home"))
    assert after == before


def test_another_schools_record_and_a_missing_one_give_the_same_404(world, client_for):
    client = client_for("teacher_a")
    a = client.get("/no-such-page/")
    b = client.get("/another-missing-page/")
    assert a.status_code == b.status_code == 404
    assert a.content == b.content
