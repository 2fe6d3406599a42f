"""The outbox in the admin: delivery state for support, never the content."""

from django.urls import reverse

from notifications.models import Notification


def test_trust_admin_sees_delivery_state_but_not_the_context(world, client_for):
    n = Notification.objects.create(
        recipient=world.teacher_a,
        kind="accounts.leaver",
        context={"name": "Private Person"},
        email_status="failed",
    )
    client = client_for("trust_admin")
    listing = client.get(reverse("admin:notifications_notification_changelist"))
    assert listing.status_code == 200
    assert "accounts.leaver" in listing.content.decode()
    detail = client.get(reverse("admin:notifications_notification_change", args=[n.pk]))
    assert detail.status_code == 200
    assert "Private Person" not in detail.content.decode()


def test_admin_action_requeues_failed_emails(world, client_for, django_capture_on_commit_callbacks):
    n = Notification.objects.create(
        recipient=world.teacher_a, kind="accounts.leaver", email_status="failed", email_attempts=6
    )
    client = client_for("trust_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "requeue", "_selected_action": [n.pk]},
        )
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.email_status == Notification.EmailStatus.SENT
