"""Clause 6: Django admin shows the audit log read-only, even to trust administrators."""

from django.urls import reverse

from audit.models import AuditEntry
from audit.services import record


def test_trust_admin_can_read_the_log_in_admin(world, client_for):
    entry = record(world.leader_a, "credential.revealed", world.teacher_a, world.school_a)
    client = client_for("trust_admin")
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_nobody_adds_changes_or_deletes_entries_in_admin(world, client_for):
    entry = record(world.leader_a, "credential.revealed", world.teacher_a, world.school_a)
    client = client_for("trust_admin")
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    client.post(change, {"action": "credential.forged"})
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "credential.revealed"


def test_other_people_cannot_reach_the_log_in_admin(world, client_for):
    response = client_for("head_a").get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 302  # to the admin sign-in, which refuses them
