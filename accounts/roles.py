"""Roles of POLICY-MAP.md and the permissions each grants.

Permissions per school are data: a role held at a school grants these codenames as
django-guardian object permissions on that School (accounts.services.role_assign keeps
them in step). Trust-wide roles grant their codenames on every school of the trust.
"""

from django.db import models


class SchoolRole(models.TextChoices):
    STAFF = "staff", "Staff member"
    TEACHER = "teacher", "Teacher / channel owner"
    LEADER = "leader", "School leader"
    HEADTEACHER = "headteacher", "Headteacher"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    CONSENT_ADMIN = "consent_admin", "Consent administrator (office)"


class TrustRoleKind(models.TextChoices):
    TRUST_ADMIN = "trust_admin", "Trust administrator"
    TRUST_HR = "trust_hr", "Trust HR / executive"
    TRUSTEE = "trustee", "Trustee"
    # Issue 19: subject access, rights requests and the retention report (privacy/).
    DPO = "dpo", "Data protection officer"


class Perm:
    """Object permission codenames on accounts.School (declared in School.Meta)."""

    STAFF = "act_as_staff"  # 2.1: report breaches, declare, acknowledge policies
    REGISTER_CHANNEL = "register_channel"  # 4.2
    APPROVE_CHANNEL = "approve_channel"  # 4.2, 4.5(b), 4.5(d)
    RETRIEVE_CREDENTIAL = "retrieve_credential"  # 4.5(c)
    VIEW_CONSENT = "view_consent"  # 4.5(e)
    MANAGE_CONSENT = "manage_consent"  # 4.5(e)
    HANDLE_BREACHES = "handle_breaches"  # 7.3
    HANDLE_SAFEGUARDING = "handle_safeguarding"  # 5.12
    RECEIVE_COMMENT_REPORTS = "receive_comment_reports"  # 4.5(h)
    MANAGE_POLICIES = "manage_school_policies"  # 8
    VIEW_DASHBOARD = "view_school_dashboard"
    VIEW_STAFF = "view_staff"  # see the school's staff list (names, roles)


SCHOOL_PERMISSION_CHOICES = [
    (Perm.STAFF, "Act as a member of staff of the school"),
    (Perm.REGISTER_CHANNEL, "Register official accounts"),
    (Perm.APPROVE_CHANNEL, "Approve and review official accounts"),
    (Perm.RETRIEVE_CREDENTIAL, "Retrieve escrowed login details"),
    (Perm.VIEW_CONSENT, "Read current consent"),
    (Perm.MANAGE_CONSENT, "Keep consent records"),
    (Perm.HANDLE_BREACHES, "Handle breach cases"),
    (Perm.HANDLE_SAFEGUARDING, "Handle breach cases involving students"),
    (Perm.RECEIVE_COMMENT_REPORTS, "Receive reports of inappropriate comments"),
    (Perm.MANAGE_POLICIES, "Manage the school's policies"),
    (Perm.VIEW_DASHBOARD, "See the school's dashboard"),
    (Perm.VIEW_STAFF, "See the school's staff"),
]

_EVERY_STAFF = {Perm.STAFF}
_LEADER = _EVERY_STAFF | {
    Perm.REGISTER_CHANNEL,
    Perm.APPROVE_CHANNEL,
    Perm.RETRIEVE_CREDENTIAL,
    Perm.VIEW_CONSENT,
    Perm.RECEIVE_COMMENT_REPORTS,
    Perm.VIEW_DASHBOARD,
    Perm.VIEW_STAFF,
}

SCHOOL_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    SchoolRole.STAFF: frozenset(_EVERY_STAFF),
    SchoolRole.TEACHER: frozenset(_EVERY_STAFF | {Perm.REGISTER_CHANNEL, Perm.VIEW_CONSENT}),
    SchoolRole.LEADER: frozenset(_LEADER),
    SchoolRole.HEADTEACHER: frozenset(
        _LEADER | {Perm.HANDLE_BREACHES, Perm.MANAGE_POLICIES, Perm.MANAGE_CONSENT}
    ),
    SchoolRole.SAFEGUARDING_LEAD: frozenset(
        _EVERY_STAFF | {Perm.HANDLE_SAFEGUARDING, Perm.VIEW_CONSENT, Perm.VIEW_STAFF}
    ),
    SchoolRole.CONSENT_ADMIN: frozenset(
        _EVERY_STAFF | {Perm.VIEW_CONSENT, Perm.MANAGE_CONSENT, Perm.VIEW_STAFF}
    ),
}

# Trust-wide roles act on every school of their trust. Trustees see aggregates only,
# so they get no school permission that reveals people.
TRUST_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    TrustRoleKind.TRUST_ADMIN: frozenset({Perm.VIEW_STAFF, Perm.MANAGE_POLICIES}),
    TrustRoleKind.TRUST_HR: frozenset({Perm.VIEW_STAFF}),
    TrustRoleKind.TRUSTEE: frozenset(),
    # Reaches people through the privacy app's own checks, not through school permissions.
    TrustRoleKind.DPO: frozenset(),
}

# Every role above teacher must sign in with a second factor.
TWO_FACTOR_FREE_SCHOOL_ROLES = frozenset({SchoolRole.STAFF, SchoolRole.TEACHER})
