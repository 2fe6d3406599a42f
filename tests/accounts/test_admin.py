"""Django admin: trust administrators only, behind 2FA (issue 3)."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_site import PortalAdminSite
from accounts.models import User
from tests.conftest import sign_in

INDEX = reverse("admin:index")


def test_default_admin_site_is_the_portal_site():
    assert isinstance(admin.site, PortalAdminSite)
    assert INDEX == "/admin/"


def test_verified_trust_admin_uses_the_admin(world, client_for):
    client = client_for("trust_admin")
    assert client.get(INDEX).status_code == 200
    school = client.get(reverse("admin:accounts_school_change", args=[world.school_a.pk]))
    assert school.status_code == 200
    assert "alder.example" in school.content.decode()  # domains inline
    person = client.get(reverse("admin:accounts_user_change", args=[world.teacher_a.pk]))
    assert person.status_code == 200
    assert client.get(reverse("admin:accounts_membership_changelist")).status_code == 200


def test_roles_are_read_only_in_the_admin(world, client_for):
    client = client_for("trust_admin")
    assert client.get(reverse("admin:accounts_membership_add")).status_code == 403
    assert client.get(reverse("admin:accounts_trustrole_add")).status_code == 403
    delete = reverse("admin:accounts_user_delete", args=[world.teacher_a.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=world.teacher_a.pk).exists()


def test_trust_admin_without_second_factor_is_sent_to_verify(world, rf):
    client = Client()
    client.force_login(world.trust_admin)
    TOTPDevice.objects.create(user=world.trust_admin, name="phone", confirmed=True)
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    # and the site itself refuses an unverified session, whatever the middleware does
    request = rf.get(INDEX)
    request.user = User.objects.get(pk=world.trust_admin.pk)
    request.user.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    request.user.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_staff_flag_alone_does_not_open_the_admin(world):
    User.objects.filter(pk=world.leader_a.pk).update(is_staff=True)
    client = sign_in(Client(), User.objects.get(pk=world.leader_a.pk))
    assert client.session.get(DEVICE_ID_SESSION_KEY)
    assert client.get(INDEX).status_code == 302
    assert client.get(reverse("admin:login")).status_code == 403


def test_anonymous_is_sent_to_the_portal_sign_in(db):
    response = Client().get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/admin/" in response["Location"]


def test_trustee_is_refused(world, client_for):
    client = client_for("trustee")
    assert client.get(INDEX).status_code == 302
    assert client.get(reverse("admin:login")).status_code == 403


def test_admin_login_sends_a_permitted_admin_on_to_the_index(world, client_for):
    response = client_for("trust_admin").get(reverse("admin:login") + "?next=https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == INDEX


def test_admin_shows_people_and_schools_but_changes_go_through_the_portal(world, client_for):
    client = client_for("trust_admin")
    user_page = client.get(f"/admin/accounts/user/{world.teacher_a.pk}/change/")
    assert user_page.status_code == 200
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("admin:accounts_user_password_change", args=[world.teacher_a.pk])
    assert (
        b"password1"
        not in client.get(
            f"/admin/accounts/user/{world.teacher_a.pk}/password/", follow=True
        ).content
    )
    assert client.get("/admin/accounts/user/add/").status_code == 403
    school_page = client.get(f"/admin/accounts/school/{world.school_a.pk}/change/")
    assert school_page.status_code == 200
    before = world.school_a.name
    client.post(f"/admin/accounts/school/{world.school_a.pk}/change/", {"name": "Renamed"})
    world.school_a.refresh_from_db()
    assert world.school_a.name == before
