"""manage.py seed_scale (issue 9): the largest trust's data set, here at a tiny scale."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, School, SchoolUserObjectPermission, Trust, User
from audit.models import AuditEntry
from breaches.models import BreachCase, BreachCaseUserObjectPermission, CaseEntry
from channels.models import OfficialAccount
from consents.models import Carer, ConsentDecision, CurrentConsent, Student, StudentCarer
from escrow.crypto import unseal
from escrow.models import Credential, SealedSecret
from escrow.services import secret_context
from policies.models import Policy, PolicyVersion
from portal.scale import BENCH_PASSWORD, SCALE_TRUST_NAME, scaled_counts
from tests.conftest import sign_in

SCALE = 0.0005


def _seed() -> str:
    out = StringIO()
    call_command("seed_scale", scale=SCALE, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    before = AuditEntry.objects.count()
    output = _seed()
    return output, before


def test_seed_scale_writes_every_table_at_the_scaled_counts(seeded):
    output, audit_before = seeded
    counts = scaled_counts(SCALE)
    trust = Trust.objects.get(name=SCALE_TRUST_NAME)
    schools = School.objects.filter(trust=trust)
    assert schools.count() == counts["schools"]
    staff = User.objects.filter(memberships__school__trust=trust).distinct()
    assert staff.count() == counts["staff"]
    assert (
        Membership.objects.filter(school__trust=trust, role="headteacher").count()
        == (counts["schools"])
    )
    assert SchoolUserObjectPermission.objects.filter(content_object__trust=trust).exists()
    assert Student.objects.filter(school__trust=trust).count() == counts["students"]
    assert Carer.objects.filter(school__trust=trust).count() == counts["carers"]
    assert StudentCarer.objects.filter(carer__school__trust=trust).count() == counts["carers"]
    decisions = ConsentDecision.objects.filter(student__school__trust=trust)
    assert decisions.count() == counts["consent_decisions"]
    assert CurrentConsent.objects.filter(student__school__trust=trust).count() == (
        counts["students"] * 10
    )
    assert OfficialAccount.objects.filter(school__trust=trust).count() == counts["accounts"]
    cases = BreachCase.objects.filter(school__trust=trust)
    assert cases.count() == counts["breach_cases"]
    assert CaseEntry.objects.filter(case__school__trust=trust).count() == 3 * counts["breach_cases"]
    assert (
        BreachCaseUserObjectPermission.objects.filter(content_object__school__trust=trust).count()
        == counts["breach_cases"]
    )
    assert Policy.objects.filter(trust=trust).count() == counts["policies"]
    assert PolicyVersion.objects.filter(policy__trust=trust).count() == 2 * counts["policies"]
    assert AuditEntry.objects.count() == audit_before + counts["audit_entries"]
    assert "trustee@" in output and BENCH_PASSWORD in output


def test_escrowed_secrets_are_real_ciphertexts_of_their_own_record(seeded):
    credential = Credential.objects.filter(school__trust__name=SCALE_TRUST_NAME).first()
    version = credential.versions.get()
    secret = SealedSecret.objects.get(version=version, field="username")
    context = secret_context(credential, version, "username")
    assert unseal(secret.sealed, context=context).decode() == credential.account.login_email


def test_audit_chain_still_verifies_after_seeding(seeded):
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "Audit chain intact" in out.getvalue()


def test_second_run_adds_nothing_and_says_so(seeded):
    audit = AuditEntry.objects.count()
    students = Student.objects.count()
    output = _seed()
    assert "already here" in output
    assert AuditEntry.objects.count() == audit
    assert Student.objects.count() == students


def test_printed_trustee_signs_in_and_sees_the_scale_schools_on_the_dashboard(seeded):
    trustee = User.objects.get(email="trustee@scale-trust.example")
    assert trustee.check_password(BENCH_PASSWORD)
    body = sign_in(Client(), trustee).get(reverse("dashboard:trust")).content.decode()
    assert "Scale Academy 001" in body
