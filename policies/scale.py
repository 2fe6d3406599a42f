"""The scale data set (issue 9, portal/scale.py), this app's part:
policies, versions, reviews and acknowledgements, written set-based.

Each stage is a function of the builder, run in the order of STAGES across the apps, in one
transaction."""

from __future__ import annotations

from portal.scale import (
    ACK_SHARE_MIN,
    ACK_SHARE_SPREAD,
    ScaleBuilder,
)

# (order across the apps, name printed, function of this module)
STAGES = [
    (70, "policies", "policies"),
    (80, "acknowledgements", "acknowledgements"),
]


def policies(b: ScaleBuilder) -> str:
    n = b.c["policies"]
    trust_wide = max(1, n // 100)
    p = {
        "t": b.trust_id,
        "tw": trust_wide,
        "n": n,
        "s": b.c["schools"],
        "now": b.now,
    }
    admin_id = b.one("SELECT admin_id FROM scale_school ORDER BY n LIMIT 1")
    p["owner"] = admin_id
    b.q(
        """INSERT INTO policies_policy (trust_id, school_id, title, category, code, owner_id,
            approving_body, review_interval_months, review_due, requires_acknowledgement,
            created_at)
        SELECT %(t)s, CASE WHEN g <= %(tw)s THEN NULL ELSE s.id END,
               CASE WHEN g = 1 THEN 'Social Media Policy' ELSE 'Policy ' || g END,
               CASE WHEN g = 1 THEN 'social_media'
                    ELSE (ARRAY['allegations', 'disciplinary', 'esafety', 'ict',
                                'code_of_conduct', 'resolving_issues', 'other'])[1 + g %% 7]
               END,
               CASE WHEN g <= %(tw)s THEN 'scale-' || g ELSE '' END,
               CASE WHEN g <= %(tw)s THEN %(owner)s ELSE s.head_id END,
               CASE WHEN g <= %(tw)s THEN 'trust_board' ELSE 'headteacher' END, 12,
               CURRENT_DATE + (g %% 500) - 100, g <= %(tw)s OR g %% 3 = 0,
               %(now)s - interval '3 years'
        FROM generate_series(1, %(n)s) g
        JOIN scale_school s ON s.n = (g - 1) %% %(s)s + 1""",
        p,
    )
    versions = b.q(
        """INSERT INTO policies_policyversion (policy_id, number, document,
            original_filename, content_type, size, sha256, approved_on, approved_by,
            summary, created_by_id, created_at)
        SELECT pol.id, v.number, '', '', '', 0, '', pol.review_due - v.before,
               pol.approving_body, 'Annual review.', pol.owner_id,
               %(now)s - v.before * interval '1 day'
        FROM policies_policy pol
        CROSS JOIN (VALUES (1, 730), (2, 365)) v(number, before)
        WHERE pol.trust_id = %(t)s""",
        p,
    )
    b.q(
        """UPDATE policies_policy pol SET current_version_id = v.id
        FROM policies_policyversion v
        WHERE v.policy_id = pol.id AND v.number = 2 AND pol.trust_id = %(t)s""",
        p,
    )
    adoptions = b.q(
        """INSERT INTO policies_policyadoption (policy_id, school_id, adopted_on,
            recorded_at)
        SELECT pol.id, s.id, CURRENT_DATE - 300, %(now)s
        FROM policies_policy pol CROSS JOIN scale_school s
        WHERE pol.trust_id = %(t)s AND pol.school_id IS NULL""",
        p,
    )
    # The history the policy page shows: "added to the register", then the new version.
    reviews = b.q(
        """INSERT INTO policies_policyreview (policy_id, outcome, version_id, approved_on,
            approved_by, previous_review_due, next_review_due, notes, recorded_by_id,
            recorded_at)
        SELECT pol.id, CASE WHEN v.number = 1 THEN 'created' ELSE 'new_version' END, v.id,
               v.approved_on, v.approved_by,
               CASE WHEN v.number = 2 THEN v.approved_on END,
               CASE WHEN v.number = 1 THEN v.approved_on + 365 ELSE pol.review_due END,
               '', pol.owner_id, v.created_at
        FROM policies_policy pol JOIN policies_policyversion v ON v.policy_id = pol.id
        WHERE pol.trust_id = %(t)s""",
        p,
    )
    return f"{n} policies, {versions} versions, {reviews} reviews, {adoptions} adoptions"


def acknowledgements(b: ScaleBuilder) -> str:
    """Staff acknowledge the current version of the policies that apply to them (their
    school's and the trust-wide ones) at a share that differs from school to school."""
    p = {"t": b.trust_id, "now": b.now, "lo": ACK_SHARE_MIN, "sp": ACK_SHARE_SPREAD}
    b.q(
        """CREATE TEMP TABLE scale_applicable ON COMMIT DROP AS
        SELECT u.id AS user_id, u.n, u.school_n, pol.id AS policy_id, pol.school_id,
               pol.title, v.id AS version_id, v.number, pol.id - m.first AS pol_n,
               greatest(v.created_at, au.date_joined) AS asked_at,
               (u.n * 31 + (pol.id - m.first) * 17) %% 100
                   < %(lo)s + (u.school_n * 37) %% %(sp)s
                   AND greatest(v.created_at, au.date_joined) < %(now)s - interval '2 days'
                   AS acked
        FROM scale_user u JOIN accounts_user au ON au.id = u.id
        JOIN scale_school s ON s.n = u.school_n
        JOIN policies_policy pol ON pol.trust_id = %(t)s
             AND (pol.school_id = s.id OR pol.school_id IS NULL)
        JOIN policies_policyversion v ON v.id = pol.current_version_id
        CROSS JOIN (SELECT min(id) AS first FROM policies_policy
                    WHERE trust_id = %(t)s) m
        WHERE pol.requires_acknowledgement""",
        p,
    )
    acks = b.q(
        """INSERT INTO policies_acknowledgement (user_id, version_id, acknowledged_at)
        SELECT user_id, version_id, least(%(now)s - interval '1 hour',
               asked_at + ((n + pol_n) %% 40) * interval '1 day' + interval '2 hours')
        FROM scale_applicable WHERE acked""",
        p,
    )
    asked = b.one("SELECT count(*) FROM scale_applicable")
    return f"{acks} acknowledgements of {asked} asked ({100 * acks / max(1, asked):.0f} %)"
