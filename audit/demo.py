"""Demo audit entries: a few sign-in events so the audit pages are not empty (idempotent)."""

from __future__ import annotations

from .models import AuditEntry
from .services import record


def load(ctx) -> None:
    teacher = ctx.people["northfield.teacher"]
    if not AuditEntry.objects.filter(
        action="auth.login_failed", target_id=str(teacher.pk)
    ).exists():
        # As the receivers would write them: two mistyped passwords, then a sign-in.
        for _ in range(2):
            record(
                None,
                "auth.login_failed",
                target=teacher,
                data={"email": teacher.email},
                ip_address="203.0.113.5",
            )
        record(teacher, "auth.login", target=teacher, ip_address="203.0.113.5")
    ctx.hints.append(
        f"Audit log: sign in as {ctx.people['admin'].email} and open /audit/ (search, CSV); "
        "everyone has /audit/my-activity/. `manage.py verify_audit_chain` checks the chain."
    )
