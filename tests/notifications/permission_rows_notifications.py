"""Every notifications URL × persona. A notification is visible to its recipient only."""

from notifications.models import Notification
from tests.conftest import PERSONA_NAMES
from tests.permissions import Row

SIGNED_IN = [p for p in PERSONA_NAMES if p != "anonymous"]


def _teacher_a_notification(w) -> dict:
    n = Notification.objects.create(
        recipient=w.teacher_a, kind="accounts.role_changed", link="/", school=w.school_a
    )
    return {"pk": n.pk}


ROWS = [
    *[Row("notifications:list", p, 200) for p in SIGNED_IN],
    Row("notifications:list", "anonymous", 302),
    *[Row("notifications:bell", p, 200) for p in SIGNED_IN],
    Row("notifications:bell", "anonymous", 302),
    *[Row("notifications:preferences", p, 200) for p in SIGNED_IN],
    Row("notifications:preferences", "anonymous", 302),
    Row("notifications:preferences", "teacher_a", 302, method="post", data=lambda w: {}),
    Row("notifications:preferences", "anonymous", 302, method="post", data=lambda w: {}),
    Row("notifications:mark_all_read", "teacher_a", 302, method="post"),
    Row("notifications:mark_all_read", "trustee", 302, method="post"),
    Row("notifications:mark_all_read", "anonymous", 302, method="post"),
    Row("notifications:mark_all_read", "teacher_a", 405, note="POST only"),
    Row("notifications:open", "teacher_a", 302, kwargs=_teacher_a_notification, note="to link"),
    Row("notifications:open", "teacher_b", 404, kwargs=_teacher_a_notification),
    Row("notifications:open", "leader_a", 404, kwargs=_teacher_a_notification),
    Row("notifications:open", "head_a", 404, kwargs=_teacher_a_notification),
    Row("notifications:open", "trust_admin", 404, kwargs=_teacher_a_notification),
    Row("notifications:open", "anonymous", 302, kwargs=_teacher_a_notification),
    Row("notifications:mark_read", "teacher_a", 302, method="post", kwargs=_teacher_a_notification),
    Row("notifications:mark_read", "teacher_b", 404, method="post", kwargs=_teacher_a_notification),
    Row("notifications:mark_read", "leader_a", 404, method="post", kwargs=_teacher_a_notification),
    Row("notifications:mark_read", "trust_hr", 404, method="post", kwargs=_teacher_a_notification),
    Row("notifications:mark_read", "anonymous", 302, method="post", kwargs=_teacher_a_notification),
    Row("notifications:mark_read", "teacher_a", 405, kwargs=_teacher_a_notification),
    # The development mailbox: DEBUG is off here, as in production, so it is not there at all
    # (with DEBUG on: tests/notifications/test_dev_outbox.py).
    *[Row("notifications:dev_outbox", p, 404, note="DEBUG off") for p in SIGNED_IN],
    Row("notifications:dev_outbox", "anonymous", 302),
]
