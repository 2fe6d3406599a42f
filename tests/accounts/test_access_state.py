"""What a session remembers of its person (issue 21, accounts/access_state.py): sessions read
from the cache with the database as the record, roles and the verified second factor kept in
the session at the person's access version, and every change taking effect on the next
request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access_state import STATE_KEY
from accounts.models import PortalSession, User
from accounts.roles import SchoolRole
from accounts.services import role_assign, role_remove, school_create, user_deactivate
from tests.conftest import sign_in

HOME = reverse("dashboard:home")
BELL = reverse("notifications:bell")
ROLE_TABLES = ("accounts_trustrole", "accounts_schooluserobjectpermission", "otp_")


def _sql(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in ctx.captured_queries]


def test_a_signed_in_request_reads_no_session_roles_or_device_from_the_database(world, client_for):
    leader = client_for("leader_a")
    status, first = _sql(leader, HOME)
    assert status == 200
    assert any("accounts_schooluserobjectpermission" in q for q in first)
    assert any("otp_totp_totpdevice" in q for q in first)

    status, later = _sql(leader, HOME)
    assert status == 200
    assert not [q for q in later if any(t in q for t in ROLE_TABLES)], later
    assert not [q for q in later if "accounts_session" in q], later
    assert len(later) < len(first)
    status, bell = _sql(leader, BELL)
    assert status == 200 and len(bell) == 2, bell  # the person and the unread count


def test_the_database_is_the_record_when_the_cache_is_emptied(world, client_for):
    leader = client_for("leader_a")
    assert leader.get(HOME).status_code == 200
    cache.clear()
    status, queries = _sql(leader, HOME)
    assert status == 200
    assert any("accounts_session" in q for q in queries)
    assert leader.get(HOME).status_code == 200


def test_a_role_taken_away_counts_on_the_next_request(world, client_for):
    leader = client_for("leader_a")
    accounts_url = reverse("channels:queue")  # approving accounts: leaders only
    assert leader.get(accounts_url).status_code == 200
    assert leader.get(accounts_url).status_code == 200  # roles now remembered
    version = User.objects.get(pk=world.leader_a.pk).access_version

    role_remove(actor=None, user=world.leader_a, school=world.school_a, role=SchoolRole.LEADER)

    assert User.objects.get(pk=world.leader_a.pk).access_version > version
    page = leader.get(accounts_url)
    assert page.status_code in (302, 403, 404), page.status_code
    assert SchoolRole.LEADER not in {
        role for _, role in leader.session[STATE_KEY].get("school_roles", [])
    }


def test_a_role_given_counts_on_the_next_request(world, client_for):
    teacher = client_for("teacher_b")
    assert teacher.get(HOME).status_code == 200
    before = teacher.session[STATE_KEY]
    assert [world.school_a.pk, SchoolRole.LEADER] not in before.get("school_roles", [])

    role_assign(actor=None, user=world.teacher_b, school=world.school_a, role=SchoolRole.LEADER)

    teacher = sign_in(teacher, world.teacher_b)  # a leader owes a second factor now
    assert teacher.get(HOME).status_code == 200
    assert [world.school_a.pk, SchoolRole.LEADER] in teacher.session[STATE_KEY]["school_roles"]


def test_a_removed_device_is_not_trusted_on_the_next_request(world, client_for):
    head = client_for("head_a")
    assert head.get(HOME).status_code == 200
    assert head.get(HOME).status_code == 200
    assert "otp" in head.session[STATE_KEY]

    TOTPDevice.objects.filter(user=world.head_a).delete()

    response = head.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))


def test_a_new_school_reaches_the_trust_roles_on_the_next_request(world, client_for):
    admin = client_for("trust_admin")
    assert admin.get(HOME).status_code == 200
    remembered = admin.session[STATE_KEY]["school_perms"]
    school = school_create(
        actor=world.trust_admin,
        trust=world.trust,
        domains=["cedar.example"],
        name="Cedar Academy",
        urn="100003",
        phase="primary",
        age_from=4,
        age_to=11,
    )
    assert all(school.pk not in ids for ids in remembered.values())

    assert admin.get(HOME).status_code == 200
    assert any(school.pk in ids for ids in admin.session[STATE_KEY]["school_perms"].values())


@pytest.mark.django_db(transaction=True)
def test_a_leaver_is_signed_out_although_the_session_was_cached(world, client_for):
    phone = sign_in(Client(), world.teacher_a)
    assert phone.get(HOME).status_code == 200
    key = phone.session.session_key
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is not None

    user_deactivate(world.trust_admin, world.teacher_a, "Left at the end of term")

    assert not PortalSession.objects.filter(session_key=key).exists()
    assert cache.get(f"django.contrib.sessions.cached_db{key}") is None
    response = phone.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_roles_seen_inside_a_change_that_rolled_back_are_not_remembered(world, rf):
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.db import transaction
    from django.http import HttpResponse

    from accounts.access_state import AccessStateMiddleware
    from accounts.selectors import forget_cached_roles, school_roles_of

    teacher = sign_in(Client(), world.teacher_b)
    assert teacher.get(HOME).status_code == 200
    session = teacher.session
    del session[STATE_KEY]  # nothing remembered yet: this request's findings would be
    session.save()
    request = rf.get(HOME)
    request.COOKIES.update({k: v.value for k, v in teacher.cookies.items()})

    def view(request):
        try:
            with transaction.atomic():
                role_assign(
                    actor=None, user=request.user, school=world.school_a, role=SchoolRole.LEADER
                )
                forget_cached_roles(request.user)
                assert (world.school_a.pk, SchoolRole.LEADER) in school_roles_of(request.user)
                raise RuntimeError("the change fails after the roles were read")
        except RuntimeError:
            pass
        return HttpResponse("ok")

    chain = SessionMiddleware(AuthenticationMiddleware(AccessStateMiddleware(view)))
    chain(request)
    remembered = request.session.get(STATE_KEY, {}).get("school_roles", [])
    assert [world.school_a.pk, SchoolRole.LEADER] not in remembered


def test_with_the_cache_out_of_reach_people_still_sign_in_and_out(world):
    from django.test import override_settings

    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    with override_settings(CACHES=down):
        client = sign_in(Client(), world.teacher_a)
        assert client.get(HOME).status_code == 200
        key = client.session.session_key
        assert PortalSession.objects.filter(session_key=key).exists()
        assert client.post(reverse("accounts:logout")).status_code == 302
        assert not PortalSession.objects.filter(session_key=key).exists()
        assert client.get(HOME).status_code == 302
