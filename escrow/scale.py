"""The scale data set (issue 9, portal/scale.py), this app's part:
escrowed login details of the official accounts, written set-based.

Each stage is a function of the builder, run in the order of STAGES across the apps, in one
transaction."""

from __future__ import annotations

import csv
import io

from django.conf import settings

from portal.scale import (
    ScaleBuilder,
)

# (order across the apps, name printed, function of this module)
STAGES = [
    (50, "escrow", "escrow"),
]


def escrow(b: ScaleBuilder) -> str:
    from escrow.crypto import keyring, seal

    p = {"now": b.now, "days": settings.ESCROW_ROTATION_DAYS}
    credentials = b.q(
        """INSERT INTO escrow_credential (uuid, account_id, school_id,
            rotation_interval_days, rotated_at, rotation_required, rotation_reason,
            rotation_required_at, created_at)
        SELECT gen_random_uuid(), a.id, a.school_id, %(days)s,
               %(now)s - (a.id %% 120) * interval '1 day', a.id %% 50 = 0,
               CASE WHEN a.id %% 50 = 0 THEN 'Someone who knew them has left.' ELSE '' END,
               CASE WHEN a.id %% 50 = 0 THEN %(now)s END, a.created_at
        FROM channels_officialaccount a
        WHERE a.school_id IN (SELECT id FROM scale_school) AND a.status <> 'submitted'""",
        p,
    )
    b.q(
        """INSERT INTO escrow_credentialversion (uuid, credential_id, number,
            deposited_by_id, deposited_at)
        SELECT gen_random_uuid(), c.id, 1, a.owner_id, c.rotated_at
        FROM escrow_credential c JOIN channels_officialaccount a ON a.id = c.account_id
        WHERE c.school_id IN (SELECT id FROM scale_school)"""
    )
    b.cur.execute(
        """SELECT c.uuid, c.school_id, v.id, v.uuid, a.login_email
        FROM escrow_credentialversion v JOIN escrow_credential c ON c.id = v.credential_id
        JOIN channels_officialaccount a ON a.id = c.account_id
        WHERE c.school_id IN (SELECT id FROM scale_school)"""
    )
    ring = keyring()
    buffer = io.StringIO()
    out = csv.writer(buffer)
    secrets = 0
    # Real ciphertexts bound to each record, so retrieval works on this data too.
    for cred_uuid, school_id, version_id, version_uuid, login in b.cur.fetchall():
        values = {
            "username": login,
            "password": f"Scale-{version_uuid.hex[:12]}",
            "recovery_codes": "1111-2222 3333-4444",
            "notes": "Scale data set",
        }
        for name, value in values.items():
            context = (
                f"escrow.credential:{cred_uuid}:school:{school_id}"
                f":version:{version_uuid}:field:{name}"
            )
            sealed = seal(value, context=context, ring=ring)
            out.writerow(
                [
                    version_id,
                    name,
                    sealed.key_id,
                    "\\x" + sealed.wrapped_key.hex(),
                    "\\x" + sealed.nonce.hex(),
                    "\\x" + sealed.ciphertext.hex(),
                ]
            )
            secrets += 1
    b.copy(
        "escrow_sealedsecret",
        ["version_id", "field", "key_id", "wrapped_key", "nonce", "ciphertext"],
        buffer,
    )
    return f"{credentials} credentials, {credentials} versions, {secrets} sealed secrets"
