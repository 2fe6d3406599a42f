"""`make run` loads the demo on every start: it must be complete and safe to run twice."""

import pytest
from django.core.management import call_command

from accounts.models import Membership, School, TrustRole, User
from accounts.roles import SchoolRole, TrustRoleKind


@pytest.mark.django_db
def test_demo_has_a_person_in_every_role_at_every_school_and_loads_twice(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), Membership.objects.count(), TrustRole.objects.count())
    call_command("load_demo")
    assert (User.objects.count(), Membership.objects.count(), TrustRole.objects.count()) == counts

    schools = list(
        School.objects.filter(email_domains__domain__endswith="starmat.example").distinct()
    )
    assert len(schools) >= 3
    for school in schools:
        held = set(Membership.objects.filter(school=school).values_list("role", flat=True))
        assert held >= set(SchoolRole.values), (school, set(SchoolRole.values) - held)
    assert set(TrustRole.objects.values_list("role", flat=True)) == set(TrustRoleKind.values)
    # The logins are printed, with the password.
    for user in User.objects.filter(email__endswith="starmat.example"):
        assert user.email in first
    assert "star-demo-pass-2026" in first
