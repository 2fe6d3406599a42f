"""The scale data set (issue 9, portal/scale.py), this app's part:
notifications of every kind, written set-based.

Each stage is a function of the builder, run in the order of STAGES across the apps, in one
transaction."""

from __future__ import annotations

from portal.scale import (
    ScaleBuilder,
)

# (order across the apps, name printed, function of this module)
STAGES = [
    (120, "notifications", "notifications"),
]


def notifications(b: ScaleBuilder) -> str:
    """What the services would have notified, as already emailed: requests to acknowledge
    (read once acknowledged), breach reports and receipts, takedowns, comment and
    fake-account reports to the leadership team, declarations. What is not dealt with
    yet is mostly unread: a backlog of a few to a few dozen per person."""
    from django.urls import reverse

    from accounts.roles import SCHOOL_ROLE_PERMISSIONS, Perm

    def url(name: str, arg) -> str:
        return reverse(name, args=[arg]).replace(str(arg), "{}")

    receive = [
        str(r) for r, perms in SCHOOL_ROLE_PERMISSIONS.items()
        if Perm.RECEIVE_COMMENT_REPORTS in perms
    ]  # fmt: skip
    fake = [
        str(r) for r, perms in SCHOOL_ROLE_PERMISSIONS.items()
        if {Perm.RECEIVE_COMMENT_REPORTS, Perm.APPROVE_CHANNEL} & perms
    ]  # fmt: skip
    p = {
        "now": b.now,
        "policy": url("policies:detail", 987654321),
        "case": url("breaches:case_detail", "00000000-0000-0000-0000-000000000abc"),
        "my": url("breaches:my_report", "00000000-0000-0000-0000-000000000abc"),
        "comment": url("channels:comment_report_detail", 987654321),
        "fake": url("channels:fake_report_detail", 987654321),
        "takedowns": reverse("consents:takedown_list"),
        "declarations": reverse("breaches:declaration_list"),
        "receive": receive,
        "fake_roles": fake,
    }
    # Ids relative to the run's first row: a run after --reset draws the same shares.
    for key, table in [("r0", "channels_commentreport"), ("f0", "channels_fakeaccountreport")]:
        p[key] = b.one(
            f"SELECT coalesce(min(id), 0) FROM {table} "
            "WHERE school_id IN (SELECT id FROM scale_school)"
        )
    # Columns every row shares: sent by email a minute after it was written.
    cols = """(recipient_id, kind, context, link, school_id, dedupe_key, created_at, read_at,
               email_status, email_attempts, email_sent_at, email_last_error, digest)"""
    sent = "'sent', 1, x.at + interval '1 minute', '', false"
    total = 0
    total += b.q(
        f"""INSERT INTO notifications_notification {cols}
        SELECT x.user_id, 'policies.acknowledge_requested', x.ctx, x.link, x.school_id,
               'policies.ack:' || x.version_id, x.at, x.read_at, {sent}
        FROM (SELECT a.user_id, a.version_id, a.school_id, a.asked_at AS at,
                     jsonb_build_object('policy_title', a.title, 'version', a.number) AS ctx,
                     replace(%(policy)s, '{{}}', a.policy_id::text) AS link,
                     CASE WHEN a.acked THEN ack.acknowledged_at - interval '2 minutes'
                          WHEN (a.n + a.pol_n) %% 3 = 0
                          THEN a.asked_at + interval '1 day' END AS read_at
              FROM scale_applicable a
              LEFT JOIN policies_acknowledgement ack
                ON ack.user_id = a.user_id AND ack.version_id = a.version_id) x""",
        p,
    )
    total += b.q(
        f"""INSERT INTO notifications_notification {cols}
        SELECT x.user_id, x.kind, x.ctx, x.link, x.school_id, NULL, x.at, x.read_at, {sent}
        FROM (
            SELECT c.owner_id AS user_id, 'breaches.reported' AS kind, c.school_id,
                   jsonb_build_object('reference', upper(left(c.id::text, 8))) AS ctx,
                   replace(%(case)s, '{{}}', c.id::text) AS link, c.created_at AS at,
                   c.acknowledged_at AS read_at
            FROM breaches_breachcase c WHERE c.school_id IN (SELECT id FROM scale_school)
            UNION ALL
            SELECT c.reporter_id, 'breaches.receipt', c.school_id,
                   jsonb_build_object('reference', upper(left(c.id::text, 8))),
                   replace(%(my)s, '{{}}', c.id::text), c.created_at,
                   CASE WHEN c.status <> 'reported' THEN c.created_at + interval '1 hour'
                   END
            FROM breaches_breachcase c WHERE c.school_id IN (SELECT id FROM scale_school)
            UNION ALL
            SELECT d.acknowledged_by_id, 'breaches.declaration', d.school_id,
                   jsonb_build_object('site', d.site), %(declarations)s, d.created_at,
                   d.acknowledged_at
            FROM breaches_declaration d WHERE d.acknowledged_by_id IS NOT NULL
              AND d.school_id IN (SELECT id FROM scale_school)
            UNION ALL
            SELECT s.head_id, 'breaches.declaration', d.school_id,
                   jsonb_build_object('site', d.site), %(declarations)s, d.created_at, NULL
            FROM breaches_declaration d JOIN scale_school s ON s.id = d.school_id
            WHERE d.acknowledged_by_id IS NULL
            UNION ALL
            SELECT d.user_id, 'breaches.declaration_acknowledged', d.school_id,
                   jsonb_build_object('site', d.site), %(declarations)s, d.acknowledged_at,
                   CASE WHEN u.n %% 5 <> 0 THEN d.acknowledged_at + interval '3 hours' END
            FROM breaches_declaration d JOIN scale_user u ON u.id = d.user_id
            WHERE d.acknowledged_at IS NOT NULL
        ) x WHERE x.user_id IS NOT NULL""",
        p,
    )
    total += b.q(
        f"""INSERT INTO notifications_notification {cols}
        SELECT t.owner_id, 'consents.takedown',
               jsonb_build_object('account', a.handle || ' on ' || pl.name,
                                  'post_url', pub.post_url),
               %(takedowns)s, t.school_id, 'takedown:' || t.id, x.at,
               CASE WHEN t.status = 'done' THEN t.done_at - interval '1 hour' END, {sent}
        FROM consents_takedown t
        JOIN consents_publication pub ON pub.id = t.publication_id
        JOIN channels_officialaccount a ON a.id = pub.account_id
        JOIN channels_platform pl ON pl.id = a.platform_id
        CROSS JOIN LATERAL (SELECT t.created_at AS at) x
        WHERE t.school_id IN (SELECT id FROM scale_school)""",
        p,
    )
    # The leadership team hears of every comment report; the one who dealt with it read
    # it, the others read two in three.
    total += b.q(
        f"""INSERT INTO notifications_notification {cols}
        SELECT m.user_id, 'channels.comment_reported',
               jsonb_build_object('account', a.handle || ' on ' || pl.name,
                                  'school', sc.name, 'platform', pl.name,
                                  'handle', a.handle, 'status', initcap(a.status),
                                  'removed', CASE WHEN r.was_removed THEN 'yes' ELSE 'no'
                                             END),
               replace(%(comment)s, '{{}}', r.id::text), r.school_id, NULL, x.at,
               CASE WHEN r.closed_by_id = m.user_id THEN r.closed_at - interval '1 hour'
                    WHEN r.status = 'closed' AND (r.id - %(r0)s + u.n) %% 3 <> 0
                    THEN x.at + interval '5 hours' END, {sent}
        FROM channels_commentreport r
        JOIN channels_officialaccount a ON a.id = r.account_id
        JOIN channels_platform pl ON pl.id = a.platform_id
        JOIN accounts_school sc ON sc.id = r.school_id
        JOIN accounts_membership m ON m.school_id = r.school_id
             AND m.role = ANY(%(receive)s::text[])
        JOIN scale_user u ON u.id = m.user_id
        CROSS JOIN LATERAL (SELECT r.created_at AS at) x
        WHERE r.school_id IN (SELECT id FROM scale_school)""",
        p,
    )
    total += b.q(
        f"""INSERT INTO notifications_notification {cols}
        SELECT x.user_id, x.kind, x.ctx, x.link, x.school_id, NULL, x.at, x.read_at, {sent}
        FROM (
            SELECT m.user_id, 'channels.fake_reported' AS kind, f.school_id,
                   jsonb_build_object('school', sc.name, 'handle', f.handle, 'url', f.url)
                       AS ctx,
                   replace(%(fake)s, '{{}}', f.id::text) AS link, f.created_at AS at,
                   CASE WHEN f.resolved_by_id = m.user_id
                             OR (f.status = 'resolved' AND (f.id - %(f0)s + u.n) %% 3 <> 0)
                        THEN f.created_at + interval '4 hours' END AS read_at
            FROM channels_fakeaccountreport f
            JOIN accounts_school sc ON sc.id = f.school_id
            JOIN accounts_membership m ON m.school_id = f.school_id
                 AND m.role = ANY(%(fake_roles)s::text[])
            JOIN scale_user u ON u.id = m.user_id
            WHERE f.school_id IN (SELECT id FROM scale_school)
            UNION ALL
            SELECT f.reporter_id, 'channels.fake_resolved', f.school_id,
                   jsonb_build_object('school', sc.name, 'handle', f.handle),
                   replace(%(fake)s, '{{}}', f.id::text), f.resolved_at,
                   f.resolved_at + interval '1 day'
            FROM channels_fakeaccountreport f
            JOIN accounts_school sc ON sc.id = f.school_id
            WHERE f.status = 'resolved' AND f.school_id IN (SELECT id FROM scale_school)
        ) x""",
        p,
    )
    unread = b.one(
        """SELECT count(*) FROM notifications_notification
        WHERE read_at IS NULL AND recipient_id IN (SELECT id FROM scale_user)"""
    )
    people = b.one(
        """SELECT count(DISTINCT recipient_id) FROM notifications_notification
        WHERE recipient_id IN (SELECT id FROM scale_user)"""
    )
    return (
        f"{total} notifications to {people} people, {unread} unread "
        f"({unread / max(1, people):.0f} per person)"
    )
