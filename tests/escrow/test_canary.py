"""The canary test (issue 5): the full flow through the pages — deposit, update, retrieve —
with known canary values, then a search of everything the portal keeps or sends: captured
logs at DEBUG for every logger, sent emails, audit data, notification rows and a `pg_dump`
of the whole test database (committed data: a transactional test). Zero hits."""

from __future__ import annotations

import logging
import os
import subprocess

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from audit.models import AuditEntry
from escrow.models import Retrieval
from notifications.models import Notification

from .factories import active_account
from .test_views import stepped_up

CANARY = "Canary-7f3a9c1e-DO-NOT-LEAK"
CANARY_V2 = "Canary-v2-b81d44aa-DO-NOT-LEAK"
CANARY_USER = "canary-login-5e2b@alder.example"
CANARY_CODES = "CANARYCODE-9911 CANARYCODE-2288"


def _needles() -> list[str]:
    values = [CANARY, CANARY_V2, CANARY_USER, CANARY_CODES.split()[0]]
    # bytea columns are dumped as hex: a plaintext stored as bytes would show up so.
    return values + [v.encode().hex() for v in values]


def _pg_dump() -> str:
    s = connection.settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    cmd = ["pg_dump", "--data-only", "--no-owner", "-d", s["NAME"]]
    if s.get("HOST"):
        cmd += ["-h", s["HOST"]]
    if s.get("PORT"):
        cmd += ["-p", str(s["PORT"])]
    if s.get("USER"):
        cmd += ["-U", s["USER"]]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout


@pytest.mark.django_db(transaction=True)
def test_canary_password_appears_in_no_log_table_or_email(world, client_for, caplog):
    caplog.set_level(logging.DEBUG)
    account = active_account(world)
    owner = client_for("teacher_a")
    deposit = reverse("escrow:deposit", kwargs={"pk": account.pk})
    # A bad submission first: the error page must not carry the secret either.
    bad = owner.post(deposit, {"username": "", "password": CANARY})
    assert bad.status_code == 200 and CANARY not in bad.content.decode()
    assert (
        owner.post(
            deposit,
            {
                "username": CANARY_USER,
                "password": CANARY,
                "recovery_codes": CANARY_CODES,
                "notes": f"old password was {CANARY}",
            },
        ).status_code
        == 302
    )
    assert owner.post(deposit, {"username": CANARY_USER, "password": CANARY_V2}).status_code == 302
    leader = stepped_up(client_for("leader_a"))
    shown = leader.post(
        reverse("escrow:retrieve", kwargs={"pk": account.pk}), {"reason": "Owner away"}
    )
    assert CANARY_V2 in shown.content.decode()  # the flow really ran end to end
    assert Retrieval.objects.count() == 1
    assert mail.outbox, "the owner's notification email was sent"

    logs = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records
    )
    emails = "\n".join(
        f"{m.subject}\n{m.body}\n{[a[0] for a in getattr(m, 'alternatives', [])]}"
        for m in mail.outbox
    )
    audit = "\n".join(str(row) for row in AuditEntry.objects.values_list("data", "target_repr"))
    notes = "\n".join(str(row) for row in Notification.objects.values_list("context", "link"))
    dump = _pg_dump()
    assert "escrow_sealedsecret" in dump  # the dump did include the escrow's own rows
    for needle in _needles():
        assert needle not in logs, f"{needle!r} in the logs"
        assert needle not in emails, f"{needle!r} in an email"
        assert needle not in audit, f"{needle!r} in audit data"
        assert needle not in notes, f"{needle!r} in a notification"
        assert needle not in dump, f"{needle!r} in the database dump"
