"""Named people in two schools (STYLE.md, Tests) and the helpers every test uses."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import School, Trust, User
from accounts.roles import SchoolRole, TrustRoleKind
from accounts.selectors import requires_two_factor
from accounts.services import role_assign, trust_role_assign

from .factories import UserFactory

SCHOOL_PERSONAS = {
    "teacher": SchoolRole.TEACHER,
    "leader": SchoolRole.LEADER,
    "head": SchoolRole.HEADTEACHER,
    "dsl": SchoolRole.SAFEGUARDING_LEAD,
    "office": SchoolRole.CONSENT_ADMIN,
    "staff": SchoolRole.STAFF,
}
TRUST_PERSONAS = {
    "trust_admin": TrustRoleKind.TRUST_ADMIN,
    "trust_hr": TrustRoleKind.TRUST_HR,
    "trustee": TrustRoleKind.TRUSTEE,
    "dpo": TrustRoleKind.DPO,
}
PERSONA_NAMES = (
    [f"{p}_a" for p in SCHOOL_PERSONAS]
    + [f"{p}_b" for p in SCHOOL_PERSONAS]
    + list(TRUST_PERSONAS)
    + ["anonymous"]
)


@dataclass
class World:
    """Two schools of one trust and a named person in every role."""

    trust: Trust
    school_a: School
    school_b: School
    people: dict[str, User]

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


WORLD_SCHOOLS = (
    ("a", "Alder Academy", "100001", "alder.example"),
    ("b", "Birch Academy", "100002", "birch.example"),
)


def _build_world() -> World:
    """Create (or find) the two schools and the named people. Idempotent."""
    trust, _ = Trust.objects.get_or_create(name="The Star Multi Academy Trust")
    schools: dict[str, School] = {}
    people: dict[str, User] = {}
    for suffix, name, urn, domain in WORLD_SCHOOLS:
        school, created = School.objects.get_or_create(
            urn=urn,
            defaults={
                "trust": trust,
                "name": name,
                "phase": "secondary",
                "age_from": 11,
                "age_to": 18,
            },
        )
        if created:
            school.email_domains.create(domain=domain)
        schools[suffix] = school
        for key, role in SCHOOL_PERSONAS.items():
            email = f"{key}@{domain}"
            user = User.objects.filter(email=email).first() or UserFactory(
                email=email, full_name=f"{key.title()} {suffix.upper()}"
            )
            role_assign(actor=None, user=user, school=school, role=role)
            people[f"{key}_{suffix}"] = user
    for key, role in TRUST_PERSONAS.items():
        email = f"{key}@trust.example"
        user = User.objects.filter(email=email).first() or UserFactory(
            email=email, full_name=key.replace("_", " ").title()
        )
        trust_role_assign(actor=None, user=user, trust=trust, role=role)
        people[key] = user
    return World(trust=trust, school_a=schools["a"], school_b=schools["b"], people=people)


@pytest.fixture(scope="session")
def _world_in_database(django_db_setup, django_db_blocker) -> None:
    # Built once per run and committed, so each test starts from it inside its own
    # rolled-back transaction (building it per test cost ~0.7 s a test).
    with django_db_blocker.unblock():
        _build_world()


@pytest.fixture
def world(_world_in_database, db) -> World:
    """Two schools of one trust and a named person in every role. (A test that also asks for
    transactional_db or live_server gets a transactional database: pytest-django decides on
    the whole set of fixtures.)"""
    # Transactional tests empty the tables when they end; _build_world then recreates the
    # people (pytest-django runs those tests last, so this is rare).
    return _build_world()


def sign_in(client: Client, user: User) -> Client:
    """Sign `user` in as the portal would after password and, where required, a TOTP code."""
    client.force_login(user)
    if requires_two_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="test authenticator", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(world):
    """client_for("leader_a") -> a Client signed in as that persona ("anonymous": nobody)."""

    def make(persona: str) -> Client:
        client = Client()
        if persona == "anonymous":
            return client
        return sign_in(client, world.people[persona])

    return make


@pytest.fixture
def count_queries():
    """count_queries(client, url) -> number of SQL queries a (second) GET of `url` runs."""

    def run(client: Client, url: str) -> int:
        client.get(url)  # warm up: the first request of a session writes session bookkeeping
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(ctx.captured_queries)

    return run
