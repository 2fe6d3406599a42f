"""Permission rows for schools, people, roles, invitations, leavers and the admin (H2)."""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.permissions import Row


def _school_a(w):
    return {"pk": w.school_a.pk}


def _teacher_a(w):
    return {"pk": w.teacher_a.pk}


def _teacher_b(w):
    return {"pk": w.teacher_b.pk}


def _trustee(w):
    return {"pk": w.trustee.pk}


def _school_data(w):
    return {
        "name": "Cedar Academy",
        "urn": "130999",
        "phase": "primary",
        "age_from": 4,
        "age_to": 11,
        "domains": "cedar.example",
    }


def _edit_data(w):
    return {
        "name": "Alder Academy",
        "urn": w.school_a.urn,
        "phase": "secondary",
        "age_from": 11,
        "age_to": 18,
        "domains": "alder.example",
    }


def _add_leader(w):
    return {"school_role-school": w.school_a.pk, "school_role-role": "leader"}


def _teacher_a_membership(w):
    return {"membership": w.teacher_a.memberships.get().pk}


def _trustee_role(w):
    return {"trust_role": w.trustee.trust_roles.get().pk}


def _invite_data(w):
    return {
        "full_name": "New Person",
        "email": "new.person@alder.example",
        "school": w.school_a.pk,
        "role": "teacher",
    }


def _accept_valid(w):
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(w.teacher_a.pk)),
        "token": default_token_generator.make_token(w.teacher_a),
    }


def _accept_bad(w):
    return {"uidb64": urlsafe_base64_encode(force_bytes(w.teacher_a.pk)), "token": "bad-token"}


ROWS = [
    # Schools: trust administrators only.
    Row("accounts:school_list", "anonymous", 302),
    Row("accounts:school_list", "teacher_a", 403),
    Row("accounts:school_list", "leader_a", 403),
    Row("accounts:school_list", "trust_hr", 403),
    Row("accounts:school_list", "trustee", 403),
    Row("accounts:school_list", "trust_admin", 200),
    Row("accounts:school_create", "anonymous", 302),
    Row("accounts:school_create", "head_a", 403),
    Row("accounts:school_create", "trust_admin", 200),
    Row("accounts:school_create", "trust_admin", 302, method="post", data=_school_data),
    Row("accounts:school_create", "head_a", 403, method="post", data=_school_data),
    Row("accounts:school_detail", "anonymous", 302, kwargs=_school_a),
    Row("accounts:school_detail", "trust_admin", 200, kwargs=_school_a),
    # Only trust administrators manage schools: for anyone else the page is missing (issue 14).
    Row("accounts:school_detail", "leader_a", 404, kwargs=_school_a),
    Row("accounts:school_detail", "leader_b", 404, kwargs=_school_a),
    Row("accounts:school_detail", "trustee", 404, kwargs=_school_a),
    Row("accounts:school_edit", "anonymous", 302, kwargs=_school_a),
    Row("accounts:school_edit", "trust_admin", 200, kwargs=_school_a),
    Row(
        "accounts:school_edit", "trust_admin", 302, method="post", kwargs=_school_a, data=_edit_data
    ),
    Row("accounts:school_edit", "head_a", 404, method="post", kwargs=_school_a, data=_edit_data),
    Row("accounts:school_edit", "head_b", 404, method="post", kwargs=_school_a, data=_edit_data),
    # People: whoever may view staff somewhere sees the list; only their schools' people.
    Row("accounts:person_list", "anonymous", 302),
    Row("accounts:person_list", "teacher_a", 403),
    Row("accounts:person_list", "staff_b", 403),
    Row("accounts:person_list", "trustee", 403, note="trustees see figures, never people"),
    Row("accounts:person_list", "leader_a", 200),
    Row("accounts:person_list", "office_b", 200),
    Row("accounts:person_list", "trust_hr", 200),
    Row("accounts:person_list", "trust_admin", 200),
    Row("accounts:person_detail", "anonymous", 302, kwargs=_teacher_b),
    Row("accounts:person_detail", "trust_admin", 200, kwargs=_teacher_b),
    Row("accounts:person_detail", "leader_b", 200, kwargs=_teacher_b),
    Row("accounts:person_detail", "leader_a", 404, kwargs=_teacher_b),
    Row("accounts:person_detail", "teacher_a", 404, kwargs=_teacher_b),
    Row("accounts:person_detail", "teacher_b", 200, kwargs=_teacher_b, note="their own page"),
    Row("accounts:person_detail", "trustee", 404, kwargs=_teacher_b),
    # Roles: trust administrators act; a leader who can see the person gets 403.
    Row(
        "accounts:person_role_add",
        "anonymous",
        302,
        method="post",
        kwargs=_teacher_a,
        data=_add_leader,
    ),
    Row(
        "accounts:person_role_add",
        "trust_admin",
        302,
        method="post",
        kwargs=_teacher_a,
        data=_add_leader,
    ),
    Row(
        "accounts:person_role_add",
        "head_a",
        403,
        method="post",
        kwargs=_teacher_a,
        data=_add_leader,
    ),
    Row(
        "accounts:person_role_add",
        "head_b",
        404,
        method="post",
        kwargs=_teacher_a,
        data=_add_leader,
    ),
    Row("accounts:person_role_add", "trust_admin", 405, kwargs=_teacher_a, note="POST only"),
    Row(
        "accounts:person_role_remove",
        "anonymous",
        302,
        method="post",
        kwargs=_teacher_a,
        data=_teacher_a_membership,
    ),
    Row(
        "accounts:person_role_remove",
        "trust_admin",
        302,
        method="post",
        kwargs=_teacher_a,
        data=_teacher_a_membership,
    ),
    Row(
        "accounts:person_role_remove",
        "leader_a",
        403,
        method="post",
        kwargs=_teacher_a,
        data=_teacher_a_membership,
    ),
    Row(
        "accounts:person_role_remove",
        "leader_b",
        404,
        method="post",
        kwargs=_teacher_a,
        data=_teacher_a_membership,
    ),
    Row(
        "accounts:person_trust_role_add",
        "anonymous",
        302,
        method="post",
        kwargs=_teacher_a,
        data=lambda w: {"trust_role-trust_role": "trustee"},
    ),
    Row(
        "accounts:person_trust_role_add",
        "trust_admin",
        302,
        method="post",
        kwargs=_teacher_a,
        data=lambda w: {"trust_role-trust_role": "trustee"},
    ),
    Row(
        "accounts:person_trust_role_add",
        "head_a",
        403,
        method="post",
        kwargs=_teacher_a,
        data=lambda w: {"trust_role-trust_role": "trust_admin"},
    ),
    Row(
        "accounts:person_trust_role_remove",
        "anonymous",
        302,
        method="post",
        kwargs=_trustee,
        data=_trustee_role,
    ),
    Row(
        "accounts:person_trust_role_remove",
        "trust_admin",
        302,
        method="post",
        kwargs=_trustee,
        data=_trustee_role,
    ),
    Row(
        "accounts:person_trust_role_remove",
        "trust_hr",
        403,
        method="post",
        kwargs=_trustee,
        data=_trustee_role,
    ),
    Row(
        "accounts:person_trust_role_remove",
        "leader_a",
        404,
        method="post",
        kwargs=_trustee,
        data=_trustee_role,
    ),
    # Invitations.
    Row("accounts:person_invite", "anonymous", 302),
    Row("accounts:person_invite", "leader_a", 403),
    Row("accounts:person_invite", "trust_hr", 403),
    Row("accounts:person_invite", "trust_admin", 200),
    Row("accounts:person_invite", "trust_admin", 302, method="post", data=_invite_data),
    Row("accounts:person_invite", "head_a", 403, method="post", data=_invite_data),
    Row("accounts:person_invite_resend", "anonymous", 302, method="post", kwargs=_teacher_a),
    Row("accounts:person_invite_resend", "trust_admin", 302, method="post", kwargs=_teacher_a),
    Row("accounts:person_invite_resend", "leader_a", 403, method="post", kwargs=_teacher_a),
    Row("accounts:person_invite_resend", "leader_b", 404, method="post", kwargs=_teacher_a),
    Row("accounts:invite_accept", "anonymous", 200, kwargs=_accept_bad, note="invalid link page"),
    Row(
        "accounts:invite_accept", "anonymous", 302, kwargs=_accept_valid, note="token into session"
    ),
    # Leavers.
    Row("accounts:person_deactivate", "anonymous", 302, kwargs=_teacher_a),
    Row("accounts:person_deactivate", "trust_admin", 200, kwargs=_teacher_a),
    Row(
        "accounts:person_deactivate",
        "trust_admin",
        302,
        method="post",
        kwargs=_teacher_a,
        data=lambda w: {"reason": "Left in August"},
    ),
    Row("accounts:person_deactivate", "head_a", 403, kwargs=_teacher_a),
    Row(
        "accounts:person_deactivate",
        "head_a",
        403,
        method="post",
        kwargs=_teacher_a,
        data=lambda w: {"reason": "x"},
    ),
    Row("accounts:person_deactivate", "head_b", 404, kwargs=_teacher_a),
    Row("accounts:person_reactivate", "anonymous", 302, method="post", kwargs=_teacher_a),
    Row("accounts:person_reactivate", "trust_admin", 302, method="post", kwargs=_teacher_a),
    Row("accounts:person_reactivate", "leader_a", 403, method="post", kwargs=_teacher_a),
    # Django admin: trust administrators with 2FA only (others are sent to admin:login,
    # which sends anonymous visitors to the portal sign-in and answers 403 to the rest).
    Row("admin:index", "trust_admin", 200),
    Row("admin:index", "trustee", 302),
    Row("admin:index", "trust_hr", 302),
    Row("admin:index", "head_a", 302),
    Row("admin:login", "trustee", 403),
    Row("admin:login", "anonymous", 302),
]
