"""SCIM 2.0 provisioning (issue 20): the HTTP calls Entra ID's provisioning service sends,
in its own shapes, and what they do to people in the portal (the leaver service runs)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import LeaverEvent, PortalSession, User
from accounts.scim.models import DirectoryAccount
from accounts.scim.services import directory_create
from audit.models import AuditEntry
from channels.models import OfficialAccount
from tests.channels.factories import make_account

SCIM = "application/scim+json"


@pytest.fixture
def directory(world):
    directory, token = directory_create(actor=None, name="Entra ID")
    return directory, token


def call(token, method, path, body=None, **extra):
    client = Client()
    return getattr(client, method)(
        f"/scim/v2/{path}",
        data=json.dumps(body) if body is not None else None,
        content_type=SCIM,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **extra,
    )


def entra_user(user_name, *, email=None, active=True, given="Nia", family="Newcomer"):
    """Entra ID's create request (its documented sample, with our people)."""
    return {
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": active,
        "emails": [{"primary": True, "type": "work", "value": email or user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": f"{given} {family}", "familyName": family, "givenName": given},
        "roles": [],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Maths"},
    }


def test_without_a_valid_token_every_call_is_401(directory):
    for token in ("", "scim_not-a-real-token"):
        response = call(token, "get", "Users")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="scim"'


def test_entra_cycle_creates_a_person_with_no_role_and_no_password(directory, world):
    _, token = directory
    found = call(token, "get", 'Users?filter=userName eq "nia@alder.example"')
    assert found.status_code == 200
    assert found.json()["totalResults"] == 0

    created = call(token, "post", "Users", entra_user("nia@alder.example"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["userName"] == "nia@alder.example"
    assert body["active"] is True
    assert body["emails"][0]["value"] == "nia@alder.example"
    assert created["Location"].endswith(f"/scim/v2/Users/{body['id']}")

    person = User.objects.get(email="nia@alder.example")
    assert person.full_name == "Nia Newcomer"
    assert not person.has_usable_password()
    assert not person.memberships.exists() and not person.trust_roles.exists()
    assert AuditEntry.objects.filter(action="user.provisioned", target_id=str(person.pk)).exists()

    # The filter Entra uses to match is case-insensitive, as SCIM says userName is.
    again = call(token, "get", 'Users?filter=userName eq "NIA@alder.example"')
    assert again.json()["totalResults"] == 1
    assert again.json()["Resources"][0]["id"] == body["id"]
    single = call(token, "get", f"Users/{body['id']}")
    assert single.status_code == 200 and single.json()["displayName"] == "Nia Newcomer"


def test_a_person_the_portal_knows_is_linked_not_duplicated(directory, world):
    _, token = directory
    created = call(token, "post", "Users", entra_user(world.teacher_a.email))
    assert created.status_code == 201
    assert User.objects.filter(email__iexact=world.teacher_a.email).count() == 1
    link = DirectoryAccount.objects.get(scim_id=created.json()["id"])
    assert link.user == world.teacher_a
    # A second create of the same person is a conflict, as SCIM says.
    duplicate = call(token, "post", "Users", entra_user(world.teacher_a.email))
    assert duplicate.status_code == 409
    assert duplicate.json()["scimType"] == "uniqueness"


def test_an_address_outside_the_directorys_schools_is_refused(world):
    _, token = directory_create(actor=None, name="Alder only", school_urns=[world.school_a.urn])
    refused = call(token, "post", "Users", entra_user("someone@birch.example"))
    assert refused.status_code == 400
    assert not User.objects.filter(email="someone@birch.example").exists()
    stranger = call(token, "post", "Users", entra_user("someone@gmail.example"))
    assert stranger.status_code == 400


def test_entra_updates_in_its_own_shapes_are_applied(directory, world):
    _, token = directory
    scim_id = call(token, "post", "Users", entra_user("nia@alder.example")).json()["id"]
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "nia.n@alder.example",
            },
            {"op": "Replace", "path": "name.familyName", "value": "Newman"},
            {"op": "Add", "path": "title", "value": "Teacher of Maths"},
            {
                "op": "Replace",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "Science",
            },
        ],
    }
    response = call(token, "patch", f"Users/{scim_id}", patch)
    assert response.status_code == 200, response.content
    person = User.objects.get(directory_accounts__scim_id=scim_id)
    assert person.email == "nia.n@alder.example"
    assert person.full_name == "Nia Newman"


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "Replace", "path": "active", "value": "False"}],  # Entra ID without the flag
        [{"op": "replace", "path": "active", "value": False}],  # SCIM 2.0 compliant
        [{"op": "replace", "value": {"active": False}}],  # no path, a dict of attributes
    ],
    ids=["entra-string-False", "compliant", "no-path"],
)
def test_disabling_in_the_directory_runs_the_leaver_service(directory, world, operations):
    _, token = directory
    teacher = world.teacher_a
    scim_id = call(token, "post", "Users", entra_user(teacher.email)).json()["id"]
    client = Client()
    client.force_login(teacher)
    assert PortalSession.objects.filter(user=teacher).exists()
    owned = make_account(world.school_a, requested_by=teacher, status=OfficialAccount.Status.ACTIVE)

    response = call(
        token,
        "patch",
        f"Users/{scim_id}",
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations},
    )
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    teacher.refresh_from_db()
    assert not teacher.is_active
    event = LeaverEvent.objects.get(user=teacher)
    assert "Entra ID" in event.reason
    assert not PortalSession.objects.filter(user=teacher).exists(), "sessions end at once"
    owned.refresh_from_db()
    assert owned.needs_new_owner, "official accounts they looked after need a new owner"
    assert client.get("/").status_code == 302
    # GET after disabling shows active false (Entra's validator checks this).
    listed = call(token, "get", f'Users?filter=userName eq "{teacher.email}"').json()
    assert listed["Resources"][0]["active"] is False
    # Disabling again changes nothing and is not an error.
    assert call(token, "patch", f"Users/{scim_id}", {"Operations": operations}).status_code == 200
    assert LeaverEvent.objects.filter(user=teacher).count() == 1


def test_enabling_again_brings_back_only_a_leaver_this_directory_made(directory, world):
    _, token = directory
    scim_id = call(token, "post", "Users", entra_user(world.staff_a.email)).json()["id"]
    off = {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}
    on = {"Operations": [{"op": "Replace", "path": "active", "value": "True"}]}
    assert call(token, "patch", f"Users/{scim_id}", off).status_code == 200
    assert call(token, "patch", f"Users/{scim_id}", on).status_code == 200
    world.staff_a.refresh_from_db()
    assert world.staff_a.is_active


def test_delete_runs_the_leaver_service_and_the_resource_is_gone(directory, world):
    _, token = directory
    scim_id = call(token, "post", "Users", entra_user(world.office_b.email)).json()["id"]
    assert call(token, "delete", f"Users/{scim_id}").status_code == 204
    world.office_b.refresh_from_db()
    assert not world.office_b.is_active
    assert call(token, "get", f"Users/{scim_id}").status_code == 404


def test_another_directorys_people_answer_404_like_missing_ones(directory, world):
    _, token = directory
    scim_id = call(token, "post", "Users", entra_user("nia@alder.example")).json()["id"]
    _, other_token = directory_create(actor=None, name="Google Workspace")
    assert call(other_token, "get", f"Users/{scim_id}").status_code == 404
    assert call(other_token, "get", "Users/not-a-uuid").status_code == 404
    off = {"Operations": [{"op": "Replace", "path": "active", "value": False}]}
    assert call(other_token, "patch", f"Users/{scim_id}", off).status_code == 404
    listed = call(
        other_token, "get", 'Users?filter=userName eq "nia@alder.example" or active eq true'
    )
    assert listed.json()["totalResults"] == 0
    assert User.objects.get(email="nia@alder.example").is_active


def test_bad_input_is_a_scim_error_and_changes_nothing(directory, world):
    _, token = directory
    assert call(token, "post", "Users", {"userName": ""}).status_code == 400
    bad_bool = entra_user("nia@alder.example", active="perhaps")
    assert call(token, "post", "Users", bad_bool).status_code == 400
    assert call(token, "get", "Users?filter=userName eq").status_code == 400
    response = Client().post(
        "/scim/v2/Users", data="{not json", content_type=SCIM, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="nia@alder.example").exists()


def test_groups_are_not_implemented_and_discovery_lists_users_only(directory):
    _, token = directory
    assert call(token, "get", "Groups").status_code == 501
    types = call(token, "get", "ResourceTypes").json()
    assert [t["id"] for t in types["Resources"]] == ["User"]
    config = call(token, "get", "ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["filter"]["supported"]


def test_directory_token_is_shown_once_and_stored_as_a_digest(world):
    out = StringIO()
    call_command("scim_directory", "create", "Entra ID", "--school", world.school_a.urn, stdout=out)
    token = out.getvalue().split("(shown once, store it in the directory now): ")[1].strip()
    from accounts.scim.models import Directory

    directory = Directory.objects.get(name="Entra ID")
    assert token not in directory.token_digest and len(directory.token_digest) == 64
    assert call(token, "get", "Users").status_code == 200
    entry = AuditEntry.objects.get(action="directory.created")
    assert token not in json.dumps(entry.data)
    out = StringIO()
    call_command("scim_directory", "rotate", "Entra ID", stdout=out)
    assert call(token, "get", "Users").status_code == 401
    call_command("scim_directory", "revoke", "Entra ID", stdout=StringIO())
    new = out.getvalue().split("(shown once, store it in the directory now): ")[1].strip()
    assert call(new, "get", "Users").status_code == 401


def test_provisioned_person_without_a_role_sees_only_what_any_staff_member_sees(directory, world):
    _, token = directory
    call(token, "post", "Users", entra_user("nia@alder.example"))
    person = User.objects.get(email="nia@alder.example")
    client = Client()
    client.force_login(person)
    assert client.get("/").status_code == 200
    # Pages for roles answer as they do to any member of staff without that role.
    staff = Client()
    staff.force_login(world.staff_a)
    for url in ("/accounts/people/", "/audit/", "/escrow/", "/official-accounts/queue/"):
        assert client.get(url).status_code == staff.get(url).status_code, url
    admin = Client()
    from tests.conftest import sign_in

    sign_in(admin, world.trust_admin)
    page = admin.get(f"/accounts/people/{person.pk}/")
    assert page.status_code == 200
    assert b"no password set yet" not in page.content
