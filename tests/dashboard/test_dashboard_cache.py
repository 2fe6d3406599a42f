"""The trustees' dashboard's cache (issue 9): warm requests are cheaper and show the same
figures; a viewer's own change is never hidden; other changes show within the TTL; scopes
never share an entry; nothing about the viewer is stored in the shared fragment."""

from __future__ import annotations

import csv
import io
import re
import zlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import record
from audit.signals import change_committed
from dashboard.cache import changed_key, scope_key
from dashboard.figures import dashboard_scope
from tests.policies.browser_steps import seed_social_media_policy
from tests.policies.helpers import trust_policy

URL = reverse("dashboard:trust")
CSV_URL = reverse("dashboard:trust_csv")
TTL = 120


@pytest.fixture(autouse=True)
def dashboard_cache(db, settings):
    """The cache as in production (tests run with it off), emptied around each test."""
    seed_social_media_policy()
    settings.DASHBOARD_CACHE_SECONDS = TTL
    cache.clear()
    yield
    cache.clear()


def _figures(body: str) -> str:
    """The cached part of the page: from the first figure section to the end of <main>."""
    start = body.index('<section class="figure-section')
    return body[start : body.index("</main>", start)]


def _reviews_total(body: str) -> list[str]:
    table = body.split('data-figures="policies-reviews"', 1)[1].split("</section>", 1)[0]
    row = table.split('<th scope="row">Whole trust</th>', 1)[1].split("</tr>", 1)[0]
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _get(client, url=URL, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_a_warm_request_runs_fewer_queries_and_shows_the_same_figures(world, client_for):
    client = client_for("trustee")
    client.get(URL)  # the session's first request writes its bookkeeping
    cache.clear()
    cold, cold_queries = _get(client)
    warm, warm_queries = _get(client)
    assert warm_queries < cold_queries
    assert cold_queries - warm_queries >= 10  # every provider's queries are skipped
    assert _figures(warm) == _figures(cold)
    assert _reviews_total(warm) == ["1", "0", "0"]
    assert "Figures as of" in warm


def test_the_viewers_own_change_shows_at_once(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("trust_admin")
    assert _reviews_total(_get(client)[0]) == ["1", "0", "0"]
    with django_capture_on_commit_callbacks(execute=True):
        trust_policy(world, review_in_days=20)  # audited, with the trust admin as actor
    assert _reviews_total(_get(client)[0]) == ["1", "1", "0"]


def test_the_viewers_own_change_also_refreshes_the_csv(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("trust_admin")
    _get(client)  # fills the page and the CSV's entries
    with django_capture_on_commit_callbacks(execute=True):
        trust_policy(world, review_in_days=20)
    rows = list(csv.reader(io.StringIO(client.get(CSV_URL).content.decode())))
    assert ["Policy reviews", "Whole trust", "Due within 60 days", "1"] in rows


def test_a_change_rolled_back_marks_nothing(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record(world.trust_admin, "policy.created", data={"n": 1})
        raise RuntimeError("roll back")
    assert callbacks == []
    assert cache.get(changed_key(world.trust_admin.pk)) is None


def test_the_audit_signal_names_the_actor_after_commit(world, django_capture_on_commit_callbacks):
    heard = []

    def listen(sender, **kwargs):
        heard.append((sender, kwargs["actor_id"], kwargs["action"]))

    change_committed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            record(world.trust_admin, "policy.created", school=world.school_a)
            record(None, "consent.rollover")  # nobody signed in: nothing to tell
            assert heard == []  # not before the commit
    finally:
        change_committed.disconnect(listen)
    assert heard == [(AuditEntry, world.trust_admin.pk, "policy.created")]
    assert cache.get(changed_key(world.trust_admin.pk)) is not None


def test_another_persons_change_may_wait_for_the_ttl_and_then_shows(
    world, client_for, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-11-24 10:00", tick=False)
    client = client_for("trustee")
    assert _reviews_total(_get(client)[0]) == ["1", "0", "0"]
    with django_capture_on_commit_callbacks(execute=True):
        trust_policy(world, review_in_days=20)  # by the trust admin, not the trustee
    time_machine.shift(timedelta(seconds=TTL - 1))
    body, queries = _get(client)
    assert _reviews_total(body) == ["1", "0", "0"]  # still the entry from 10:00
    assert "Figures as of 10:00" in body
    time_machine.shift(timedelta(seconds=2))
    body, fresh_queries = _get(client)
    assert _reviews_total(body) == ["1", "1", "0"]
    assert "Figures as of 10:02" in body
    assert fresh_queries > queries


def test_the_csv_uses_the_same_cached_figures(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for("trustee")
    _get(client)
    with django_capture_on_commit_callbacks(execute=True):
        trust_policy(world, review_in_days=20)  # someone else's change
    exported, warm_queries = _get(client, CSV_URL)
    rows = list(csv.reader(io.StringIO(exported)))
    assert ["Policy reviews", "Whole trust", "Due within 60 days", "0"] in rows  # as the page
    cache.clear()
    exported, cold_queries = _get(client, CSV_URL)
    assert ["Policy reviews", "Whole trust", "Due within 60 days", "1"] in csv.reader(
        io.StringIO(exported)
    )
    assert warm_queries < cold_queries


def test_a_school_leader_and_the_trust_never_share_an_entry(world, client_for):
    trustee, leader = client_for("trustee"), client_for("leader_a")
    for client in (trustee, leader):
        client.get(URL)  # session bookkeeping
    cache.clear()
    _get(trustee)
    _get(trustee, school=world.school_a.pk)  # the trustee's view of school A alone
    body, first = _get(leader)  # computed, not taken from either of the trustee's entries
    _, second = _get(leader)
    assert first > second
    assert "Birch Academy" not in body and "Whole trust" not in body
    keys = {
        scope_key(dashboard_scope(world.trustee), "page"),
        scope_key(dashboard_scope(world.trustee, school_id=world.school_a.pk), "page"),
        scope_key(dashboard_scope(world.leader_a), "page"),
        scope_key(dashboard_scope(world.trustee, period_months=6), "page"),
        scope_key(dashboard_scope(world.leader_b), "page"),
    }
    assert len(keys) == 5


def test_the_trustee_does_not_get_the_leaders_school_view(world, client_for):
    _get(client_for("leader_a"))
    body, _ = _get(client_for("trustee"))
    assert "Birch Academy" in body and "Whole trust" in body


def test_a_new_day_or_a_renamed_school_is_a_new_entry(world, time_machine):
    time_machine.move_to("2026-11-24 10:00", tick=False)
    before = scope_key(dashboard_scope(world.trustee), "page")
    world.school_b.name = "Beech Academy"
    world.school_b.save()
    renamed = scope_key(dashboard_scope(world.trustee), "page")
    time_machine.move_to("2026-11-25 10:00", tick=False)
    assert len({before, renamed, scope_key(dashboard_scope(world.trustee), "page")}) == 3


def test_the_shared_fragment_holds_nothing_about_the_viewer(world, client_for):
    client = client_for("trust_admin")
    client.get(URL)
    cache.clear()
    body, _ = _get(client)
    page_token = re.search(r'"X-CSRFToken": "([^"]+)"', body).group(1)  # base.html, per request
    entry = cache.get(scope_key(dashboard_scope(world.trust_admin), "page"))
    assert entry is not None
    html = zlib.decompress(entry["html"]).decode()
    assert 'data-figures="policies-reviews"' in html
    for secret in [page_token, client.cookies["csrftoken"].value, "csrfmiddlewaretoken",
                   world.trust_admin.full_name, world.trust_admin.email,
                   client.session.session_key]:  # fmt: skip
        assert secret not in html
    # The trustee gets the trust admin's entry: still nothing about the trust admin.
    body, _ = _get(client_for("trustee"))
    assert world.trust_admin.email not in body


def test_the_cache_can_be_turned_off(world, client_for, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = client_for("trustee")
    client.get(URL)
    _, first = _get(client)
    _, second = _get(client)
    assert first == second
    assert cache.get(scope_key(dashboard_scope(world.trustee), "page")) is None


def test_a_failing_cache_still_serves_the_page(world, client_for):
    down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    with override_settings(CACHES=down):
        body, _ = _get(client_for("trustee"))
        exported, _ = _get(client_for("trustee"), CSV_URL)
    assert _reviews_total(body) == ["1", "0", "0"]
    assert ["Policy reviews", "Whole trust", "Overdue", "1"] in csv.reader(io.StringIO(exported))
