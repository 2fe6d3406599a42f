"""The demo has official accounts in every state and loads twice without change."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from channels.models import AccountEvent, OfficialAccount

S = OfficialAccount.Status


@pytest.mark.django_db
def test_demo_has_every_state_an_overdue_review_and_a_new_owner_needed(client):
    call_command("load_demo")
    counts = (OfficialAccount.objects.count(), AccountEvent.objects.count())
    call_command("load_demo")
    assert (OfficialAccount.objects.count(), AccountEvent.objects.count()) == counts

    states = set(OfficialAccount.objects.values_list("status", flat=True))
    assert states == set(S.values)
    today = timezone.localdate()
    assert OfficialAccount.objects.filter(status=S.ACTIVE, next_review_due__lt=today).exists()
    flagged = OfficialAccount.objects.get(needs_new_owner=True)
    assert not flagged.owner.is_active
    for slug in ("Northfield", "Riverside", "Oakwood"):
        assert OfficialAccount.objects.filter(school__name__startswith=slug).count() >= 3
    body = client.get(reverse("register:index")).content.decode()
    assert "@RiversideSport" in body
    assert "@riverside_art" not in body  # waiting for approval: not on the register
