"""The scale data set (issue 9, portal/scale.py), this app's part:
audit entries appended to the chain, written set-based.

Each stage is a function of the builder, run in the order of STAGES across the apps, in one
transaction."""

from __future__ import annotations

import time
from datetime import timedelta

from portal.scale import (
    ScaleBuilder,
)

AUDIT_PROGRESS_EVERY = 200_000
AUDIT_BATCH = 100_000

# (order across the apps, name printed, function of this module)
STAGES = [
    (130, "audit", "audit"),
]


def audit(b: ScaleBuilder) -> str:
    # The audit app appends with the keyed hashes record() would give (audit/chain.py).
    from audit.services import record_many

    b.cur.execute(
        """SELECT u.id, au.full_name, au.email, s.id FROM scale_user u
        JOIN accounts_user au ON au.id = u.id JOIN scale_school s ON s.n = u.school_n
        ORDER BY u.id"""
    )
    people = b.cur.fetchall()
    b.cur.execute("SELECT id FROM channels_officialaccount ORDER BY id DESC LIMIT 3000")
    account_ids = [str(r[0]) for r in b.cur.fetchall()] or ["0"]
    actions = [
        ("auth.signed_in", "accounts.User", None),
        ("account.reviewed", "channels.OfficialAccount", "account"),
        ("consent.recorded", "consents.Student", "student"),
        ("policy.acknowledged", "policies.PolicyVersion", "version"),
        ("breach.note_added", "breaches.BreachCase", "case"),
    ]
    total = b.c["audit_entries"]
    start = b.now - timedelta(seconds=total)

    def entries():
        for i in range(total):
            uid, name, email, school_id = people[i % len(people)]
            action, target_type, kind = actions[i % len(actions)]
            if kind is None:
                target_id, target_repr, data = str(uid), name, {}
            elif kind == "account":
                target_id = account_ids[i % len(account_ids)]
                target_repr, data = f"Account {target_id}", {"passed": i % 3 != 0}
            else:
                target_id = str(i)
                target_repr, data = f"Scale {kind} {i}", {"n": i % 10}
            yield {
                "created_at": start + timedelta(seconds=i),
                "actor_id": uid,
                "actor_name": name,
                "actor_email": email,
                "action": action,
                "target_type": target_type,
                "target_id": target_id,
                "target_repr": target_repr,
                "school_id": school_id,
                "data": data,
                "ip_address": f"10.{i % 7}.{i % 251}.{1 + i % 250}",
            }

    t0 = time.perf_counter()

    def progress(done: int) -> None:
        if done < total and done % AUDIT_PROGRESS_EVERY < AUDIT_BATCH:
            rate = done / (time.perf_counter() - t0)
            b.progress(
                f"audit: {done:,} of {total:,} entries ({rate:,.0f}/s, about "
                f"{(total - done) / rate:.0f} s to go)"
            )

    record_many(entries(), batch_size=AUDIT_BATCH, progress=progress)
    return f"{total} entries appended to the chain"
