"""The demo trust: the Star Multi Academy Trust, three schools, a person in every role.

Other apps add their own demo data in `<app>/demo.py` with a `load(ctx)` function; the
`load_demo` command calls them in INSTALLED_APPS order and each must be safe to run twice.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import School, SchoolEmailDomain, Trust, User
from .roles import SchoolRole, TrustRoleKind
from .selectors import forget_cached_roles
from .services import role_assign, trust_role_assign

DEMO_PASSWORD = "star-demo-pass-2026"
TRUST_NAME = "The Star Multi Academy Trust"

SCHOOLS = [
    # slug, name, URN, phase, ages
    ("northfield", "Northfield Primary Academy", "140001", School.Phase.PRIMARY, 4, 11),
    ("riverside", "Riverside Secondary Academy", "140002", School.Phase.SECONDARY, 11, 18),
    ("oakwood", "Oakwood All-Through Academy", "140003", School.Phase.ALL_THROUGH, 4, 16),
]

SCHOOL_PEOPLE = [
    # email local part, role, given name, family name (per school)
    ("staff", SchoolRole.STAFF, "Sam", "Staff"),
    ("teacher", SchoolRole.TEACHER, "Tara", "Teacher"),
    ("leader", SchoolRole.LEADER, "Lee", "Leader"),
    ("head", SchoolRole.HEADTEACHER, "Helen", "Head"),
    ("dsl", SchoolRole.SAFEGUARDING_LEAD, "Dev", "Safeguarding"),
    ("office", SchoolRole.CONSENT_ADMIN, "Olu", "Office"),
]

TRUST_PEOPLE = [
    ("admin", TrustRoleKind.TRUST_ADMIN, "Ada Admin"),
    ("hr", TrustRoleKind.TRUST_HR, "Harper HR"),
    ("trustee", TrustRoleKind.TRUSTEE, "Terry Trustee"),
    ("dpo", TrustRoleKind.DPO, "Dana Data-Protection"),
]


@dataclass
class DemoContext:
    """What app demo loaders build on."""

    trust: Trust
    schools: dict[str, School] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)  # "northfield.teacher", "admin"
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # email, role, where
    hints: list[str] = field(default_factory=list)  # printed after the logins


def _person(email: str, full_name: str, password_hash: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
        user.password = password_hash
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load() -> DemoContext:
    trust, _ = Trust.objects.get_or_create(name=TRUST_NAME)
    ctx = DemoContext(trust=trust)
    # One salted hash for every demo person: hashing costs ~0.1 s each (21 people).
    password_hash = make_password(DEMO_PASSWORD)
    for slug, name, urn, phase, age_from, age_to in SCHOOLS:
        school, _ = School.objects.get_or_create(
            urn=urn,
            defaults={
                "trust": trust,
                "name": name,
                "phase": phase,
                "age_from": age_from,
                "age_to": age_to,
            },
        )
        SchoolEmailDomain.objects.get_or_create(school=school, domain=f"{slug}.starmat.example")
        ctx.schools[slug] = school
        for local, role, given, family in SCHOOL_PEOPLE:
            email = f"{local}@{slug}.starmat.example"
            user = _person(email, f"{given} {family} ({school.name.split()[0]})", password_hash)
            role_assign(actor=None, user=user, school=school, role=role)
            ctx.people[f"{slug}.{local}"] = user
            ctx.logins.append((email, SchoolRole(role).label, school.name))
    # One person with roles at two schools (a teacher who also leads at another school).
    shared = ctx.people["northfield.teacher"]
    role_assign(actor=None, user=shared, school=ctx.schools["oakwood"], role=SchoolRole.STAFF)
    for local, role, full_name in TRUST_PEOPLE:
        email = f"{local}@starmat.example"
        user = _person(email, full_name, password_hash)
        trust_role_assign(actor=None, user=user, trust=trust, role=role)
        ctx.people[local] = user
        ctx.logins.append((email, TrustRoleKind(role).label, "whole trust"))
    _demo_authenticators(ctx)
    return ctx


# Demo only: authenticator keys derive from the email so every `load_demo` gives the same key
# and a phone set up once keeps working. Real people enrol with a random key.
DEMO_TOTP_SALT = b"star-mat-demo-totp-2026"


def demo_totp_key(email: str) -> str:
    """The hex TOTP key of a demo person (deterministic, demo data only)."""
    return hmac.new(DEMO_TOTP_SALT, email.lower().encode(), hashlib.sha1).hexdigest()


def _demo_authenticators(ctx: DemoContext) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .selectors import requires_two_factor

    for user in {u.pk: u for u in ctx.people.values()}.values():
        forget_cached_roles(user)  # roles were assigned after the cache filled
        if not requires_two_factor(user):
            continue
        TOTPDevice.objects.update_or_create(
            user=user,
            name="Demo authenticator",
            defaults={"key": demo_totp_key(user.email), "confirmed": True},
        )
    ctx.hints += [
        "",
        "Roles above teacher use two-factor sign-in. Get the current code with:",
        "  .venv/bin/python manage.py demo_totp EMAIL",
        "It also prints the key, which you can add to an authenticator app (the key stays",
        "the same each time the demo loads).",
    ]
