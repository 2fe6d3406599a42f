"""The scale data set (issue 9, portal/scale.py), this app's part:
breach cases and declarations, written set-based.

Each stage is a function of the builder, run in the order of STAGES across the apps, in one
transaction."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from portal.scale import (
    ScaleBuilder,
)

# (order across the apps, name printed, function of this module)
STAGES = [
    (60, "breach cases", "breaches"),
    (110, "declarations", "declarations"),
]


def breaches(b: ScaleBuilder) -> str:
    from breaches.models import Category

    p = {
        "n": b.c["breach_cases"],
        "s": b.c["schools"],
        "now": b.now,
        "cats": [str(c) for c in Category.values],
    }
    b.q(
        """INSERT INTO breaches_breachcase (id, school_id, reporter_id, category, seen_at,
            platform, link, description, students_involved, status, owner_id, outcome,
            outcome_summary, created_at, acknowledged_at, closed_at, last_activity_at,
            retention_until)
        SELECT gen_random_uuid(), s.id, s.leader_id,
               (%(cats)s::text[])[1 + g %% cardinality(%(cats)s::text[])],
               t.at - interval '1 day', 'Facebook', '', 'Scale data set report.',
               g %% 9 = 0, st.status, s.head_id,
               CASE WHEN st.status IN ('outcome_decided', 'closed') THEN 'informal_advice'
                    ELSE '' END, '', t.at,
               CASE WHEN st.status <> 'reported' THEN t.at + interval '1 day' END,
               CASE WHEN st.status = 'closed' THEN t.at + interval '20 days' END,
               t.at + interval '2 days',
               CASE WHEN st.status = 'closed' THEN (t.at + interval '6 years')::date END
        FROM generate_series(1, %(n)s) g
        JOIN scale_school s ON s.n = (g - 1) %% %(s)s + 1
        CROSS JOIN LATERAL (SELECT %(now)s - (g %% 1460) * interval '1 day' AS at) t
        CROSS JOIN LATERAL (SELECT CASE
            -- g / schools, not g: every school gets open cases of every status.
            WHEN g %% 1460 > 60 THEN 'closed' WHEN (g / %(s)s) %% 5 = 0 THEN 'reported'
            WHEN (g / %(s)s) %% 5 = 1 THEN 'acknowledged'
            WHEN (g / %(s)s) %% 5 = 2 THEN 'investigating'
            ELSE 'outcome_decided' END AS status) st""",
        p,
    )
    entries = b.q(
        """INSERT INTO breaches_caseentry (case_id, author_id, kind, action, text,
            created_at)
        SELECT c.id, c.owner_id, e.kind, e.action, e.text, c.created_at + e.after
        FROM breaches_breachcase c
        CROSS JOIN (VALUES
            ('status', '', 'Acknowledged.', interval '1 day'),
            ('note', '', 'Spoke to the member of staff.', interval '3 days'),
            ('action', 'content_removed', 'The post was taken down.', interval '5 days')
        ) e(kind, action, text, after)
        WHERE c.school_id IN (SELECT id FROM scale_school)"""
    )
    handle = Permission.objects.get(content_type__app_label="breaches", codename="handle_case")
    grants = b.q(
        """INSERT INTO breaches_breachcaseuserobjectpermission
               (user_id, permission_id, content_object_id)
        SELECT owner_id, %(perm)s, id FROM breaches_breachcase
        WHERE school_id IN (SELECT id FROM scale_school)""",
        {"perm": handle.id},
    )
    return f"{b.c['breach_cases']} cases, {entries} entries, {grants} grants"


def declarations(b: ScaleBuilder) -> str:
    """5.5: members of staff declare a personal site that mentions their job; the
    headteacher acknowledges most of them."""
    p = {"n": b.c["declarations"], "now": b.now, "st": b.c["staff"]}
    # Member of staff g * 4999 (a prime): distinct people spread over every school.
    rows = b.q(
        """INSERT INTO breaches_declaration (user_id, school_id, site, link,
            disclaimer_present, created_at, acknowledged_by_id, acknowledged_at)
        SELECT u.id, s.id, x.site, 'https://' || x.host || '/staff' || u.n || '-' || g,
               g %% 10 <> 0, t.at,
               CASE WHEN t.acked THEN s.head_id END,
               CASE WHEN t.acked THEN t.at + interval '2 days' END
        FROM generate_series(1, %(n)s) g
        JOIN scale_user u ON u.n = (g * 4999) %% %(st)s + 1
        JOIN scale_school s ON s.n = u.school_n
        CROSS JOIN LATERAL (SELECT (ARRAY['LinkedIn', 'Personal blog', 'YouTube',
                                          'Podcast'])[1 + g %% 4] AS site,
            (ARRAY['linkedin.example', 'blog.example', 'video.example',
                   'podcast.example'])[1 + g %% 4] AS host) x
        CROSS JOIN LATERAL (SELECT
            %(now)s - ((g * 17) %% 900) * interval '1 day' AS at,
            (g * 17) %% 900 > 7 AND g %% 5 <> 0 AS acked) t""",
        p,
    )
    acked = b.one(
        """SELECT count(*) FROM breaches_declaration
        WHERE school_id IN (SELECT id FROM scale_school) AND acknowledged_at IS NOT NULL"""
    )
    return f"{rows} declarations ({acked} acknowledged)"
