"""The scale data set (issue 9, portal/scale.py), this app's part:
official accounts, comment and fake-account reports, written set-based.

Each stage is a function of the builder, run in the order of STAGES across the apps, in one
transaction."""

from __future__ import annotations

from portal.scale import (
    DOMAIN,
    ScaleBuilder,
)

# (order across the apps, name printed, function of this module)
STAGES = [
    (40, "official accounts", "accounts"),
    (100, "reports", "reports"),
]


def accounts(b: ScaleBuilder) -> str:
    p = {"a": b.c["accounts"], "s": b.c["schools"], "d": DOMAIN, "now": b.now}
    b.q(
        """CREATE TEMP TABLE scale_platform ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY id) - 1 AS i, id FROM channels_platform"""
    )
    p["np"] = b.one("SELECT count(*) FROM scale_platform")
    if not p["np"]:
        raise RuntimeError("No platforms: run migrate first (a migration seeds them).")
    b.q(
        """INSERT INTO channels_officialaccount (school_id, platform_id, handle, handle_key,
            url, url_key, purpose, audience_year_groups, audience_adults,
            students_can_comment, students_can_upload_images, students_can_add_text,
            login_email, attest_dedicated, attest_no_private_messages,
            attest_no_follow_back, attest_strongest_privacy, requested_by_id, owner_id,
            status, submitted_at, decided_at, decided_by_id, decision_reason, activated_at,
            next_review_due, needs_new_owner, created_at, updated_at)
        SELECT s.id, pl.id, '@scale' || g, 'scale' || g,
               'https://social.example/scale' || g, 'social.example/scale' || g,
               'News and celebrations of the school community.', '["7", "8"]'::jsonb, true,
               false, false, false, 'account' || g || '@s' || s.n || '.' || %(d)s,
               true, true, true, true, s.leader_id, s.leader_id,
               CASE WHEN g %% 20 = 0 THEN 'submitted' WHEN g %% 33 = 0 THEN 'suspended'
                    ELSE 'active' END,
               %(now)s - interval '400 days', %(now)s - interval '390 days', s.head_id, '',
               %(now)s - interval '389 days', CURRENT_DATE + (g %% 400) - 40, false,
               %(now)s - interval '400 days', %(now)s
        FROM generate_series(1, %(a)s) g
        JOIN scale_school s ON s.n = (g - 1) %% %(s)s + 1
        JOIN scale_platform pl ON pl.i = g %% %(np)s""",
        p,
    )
    events = b.q(
        """INSERT INTO channels_accountevent (account_id, created_at, actor_id, action,
            from_status, to_status, note)
        SELECT a.id, a.created_at + e.after, a.owner_id, e.action, e.f, e.t, ''
        FROM channels_officialaccount a
        CROSS JOIN (VALUES ('submitted', 'draft', 'submitted', interval '0 days'),
                           ('approved', 'submitted', 'approved', interval '10 days'),
                           ('activated', 'approved', 'active', interval '11 days')
                   ) e(action, f, t, after)
        WHERE a.school_id IN (SELECT id FROM scale_school)"""
    )
    return f"{b.c['accounts']} accounts, {events} events"


def reports(b: ScaleBuilder) -> str:
    """Comment reports on official accounts (4.5h), a quarter of them turned into breach
    cases; suspected fake accounts (4.1). Older ones are dealt with."""
    p = {
        "c": b.c["comment_reports"],
        "f": b.c["fake_account_reports"],
        "now": b.now,
    }
    b.q(
        """CREATE TEMP TABLE scale_in_use ON COMMIT DROP AS
        SELECT row_number() OVER (ORDER BY a.id) - 1 AS i, a.id, a.school_id, a.owner_id,
               a.url, a.status, s.head_id
        FROM channels_officialaccount a JOIN scale_school s ON s.id = a.school_id
        WHERE a.status IN ('active', 'suspended')"""
    )
    p["na"] = b.one("SELECT count(*) FROM scale_in_use")
    comments = b.q(
        """INSERT INTO channels_commentreport (account_id, school_id, reporter_id,
            comment_url, screenshot, screenshot_ext, screenshot_type, was_removed,
            description, status, created_at, closed_at, closed_by_id, closing_note)
        SELECT a.id, a.school_id, a.owner_id, a.url || '/comments/' || g, '', '', '',
               g %% 8 <> 0, 'An offensive reply under a post about the school trip.',
               CASE WHEN t.age < 10 OR g %% 12 = 0 THEN 'open' ELSE 'closed' END,
               t.at,
               CASE WHEN NOT (t.age < 10 OR g %% 12 = 0) THEN t.at + interval '1 day' END,
               CASE WHEN NOT (t.age < 10 OR g %% 12 = 0) THEN a.head_id END,
               CASE WHEN NOT (t.age < 10 OR g %% 12 = 0)
                    THEN 'Comment hidden and the commenter blocked.' ELSE '' END
        FROM generate_series(1, %(c)s) g
        JOIN scale_in_use a ON a.i = (g * 7) %% %(na)s
        CROSS JOIN LATERAL (SELECT (g * 13) %% 730 AS age,
            %(now)s - ((g * 13) %% 730) * interval '1 day' - (g %% 600) * interval '1 minute'
                AS at) t""",
        p,
    )
    b.q(
        """INSERT INTO channels_accountevent (account_id, created_at, actor_id, action,
            from_status, to_status, note)
        SELECT r.account_id, r.created_at, r.reporter_id, 'comment_reported', a.status,
               a.status, 'Comment report #' || r.id
        FROM channels_commentreport r JOIN scale_in_use a ON a.id = r.account_id"""
    )
    p["r0"] = b.one(
        "SELECT min(id) FROM channels_commentreport WHERE school_id IN "
        "(SELECT id FROM scale_school)"
    )
    # 4.5(h): a leader turns a report into a case. Existing cases about inappropriate
    # comments at the same school point at a report, one each.
    linked = b.q(
        """WITH r AS (
            SELECT id, account_id, school_id, row_number() OVER (
                PARTITION BY school_id ORDER BY id) AS k
            FROM channels_commentreport
            WHERE school_id IN (SELECT id FROM scale_school)
              AND (id - %(r0)s) %% 4 = 0),
        c AS (
            SELECT id, school_id, row_number() OVER (
                PARTITION BY school_id ORDER BY created_at) AS k
            FROM breaches_breachcase
            WHERE school_id IN (SELECT id FROM scale_school)
              AND category = 'inappropriate_comment')
        UPDATE breaches_breachcase b SET comment_report_id = r.id, account_id = r.account_id
        FROM c JOIN r ON r.school_id = c.school_id AND r.k = c.k
        WHERE b.id = c.id""",
        p,
    )
    platforms = b.one("SELECT count(*) FROM channels_platform")
    p["np"] = platforms
    fakes = b.q(
        """INSERT INTO channels_fakeaccountreport (school_id, reporter_id, platform_id,
            handle, url, description, status, created_at, resolved_at, resolved_by_id,
            resolution)
        SELECT s.id, u.id, pl.id, '@scale_academy_' || g || '_official',
               'https://social.example/fake' || g,
               'An account using the school badge posts photos from our website.',
               CASE WHEN t.age < 14 OR g %% 20 = 0 THEN 'open' ELSE 'resolved' END, t.at,
               CASE WHEN NOT (t.age < 14 OR g %% 20 = 0) THEN t.at + interval '3 days' END,
               CASE WHEN NOT (t.age < 14 OR g %% 20 = 0) THEN s.head_id END,
               CASE WHEN NOT (t.age < 14 OR g %% 20 = 0)
                    THEN 'Reported to the platform; the account was removed.' ELSE '' END
        FROM generate_series(1, %(f)s) g
        JOIN scale_school s ON s.n = (g - 1) %% (SELECT count(*) FROM scale_school) + 1
        JOIN scale_user u ON u.school_n = s.n AND u.k = 3
        JOIN scale_platform pl ON pl.i = g %% %(np)s
        CROSS JOIN LATERAL (SELECT (g * 11) %% 730 AS age,
            %(now)s - ((g * 11) %% 730) * interval '1 day' AS at) t""",
        p,
    )
    return (
        f"{comments} comment reports ({linked} turned into breach cases), "
        f"{fakes} fake-account reports"
    )
