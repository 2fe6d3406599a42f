"""The trustees' dashboard: counts and rates only, per school and for the trust; filters,
CSV export, chart with a table alternative, and a fixed number of queries."""

import csv
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import SchoolRole
from accounts.services import role_assign
from dashboard.figures import (
    SUPPRESSED_TEXT,
    count_cell,
    csv_safe,
    dashboard_scope,
    rate_cell,
    trust_figures,
)
from policies.services import policy_acknowledge
from tests.factories import UserFactory
from tests.policies.browser_steps import seed_social_media_policy
from tests.policies.helpers import school_policy, social_media_policy, trust_policy

URL = reverse("dashboard:trust")
CSV_URL = reverse("dashboard:trust_csv")


@pytest.fixture(autouse=True)
def social_media_policy_installed(db):
    """As on a fresh installation (migration 0002); a transactional test earlier in the run
    may have emptied the tables."""
    seed_social_media_policy()


def _table(body: str, key: str) -> str:
    return body.split(f'data-figures="{key}"', 1)[1].split("</section>", 1)[0]


def _row(table_html: str, label: str) -> list[str]:
    row = table_html.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_trustee_sees_the_overdue_social_media_policy_and_the_charts(world, client_for):
    body = client_for("trustee").get(URL).content.decode()
    reviews = _table(body, "policies-reviews")
    # Overdue, due within 60 days, current: the Social Media Policy applies at both schools.
    assert _row(reviews, "Alder Academy") == ["1", "0", "0"]
    assert _row(reviews, "Birch Academy") == ["1", "0", "0"]
    assert _row(reviews, "Whole trust") == ["1", "0", "0"]
    assert "<canvas data-chart=" in body
    assert "vendor/chartjs/chart.umd.min.js" in body
    assert "js/dashboard.js" in body
    assert "the table below gives the same figures" in body


def test_no_personal_data_anywhere_on_the_page_or_in_the_csv(world, client_for):
    for person in world.people.values():  # names no heading could contain by chance
        person.full_name = f"Quillon{person.pk} Vexworth"
        person.save(update_fields=["full_name"])
    school_policy(world, owner=world.head_a)
    policy_acknowledge(user=world.staff_a, policy=social_media_policy(world))
    client = client_for("trustee")
    body = client.get(URL).content.decode()
    exported = client.get(CSV_URL).content.decode()
    page = body.split('<main id="main"', 1)[1]  # the navigation names the signed-in trustee
    for person in world.people.values():
        for text in (page, exported):
            assert person.full_name not in text
            assert person.email not in text


def test_acknowledgement_rates_per_school_and_for_the_trust(world, client_for):
    smp = social_media_policy(world)
    for persona in ("staff_a", "teacher_a", "leader_a"):
        policy_acknowledge(user=world.people[persona], policy=smp)
    body = client_for("trustee").get(URL).content.decode()
    acks = _table(body, "policies-acknowledgements")
    assert _row(acks, "Alder Academy") == ["50%"]  # 3 of 6 staff
    assert _row(acks, "Birch Academy") == ["0%"]
    assert _row(acks, "Whole trust") == ["25%"]  # 3 of 12


def test_due_soon_and_current_are_counted_per_school(world, client_for):
    school_policy(world, review_in_days=30)
    school_policy(world, school=world.school_b, review_in_days=300)
    trust_policy(world, review_in_days=20)
    body = client_for("trust_admin").get(URL).content.decode()
    reviews = _table(body, "policies-reviews")
    assert _row(reviews, "Alder Academy") == ["1", "2", "0"]
    assert _row(reviews, "Birch Academy") == ["1", "1", "1"]
    assert _row(reviews, "Whole trust") == ["1", "2", "1"]


def test_school_leader_sees_only_their_own_school(world, client_for):
    body = client_for("leader_a").get(URL).content.decode()
    assert "Alder Academy" in body
    assert "Birch Academy" not in body
    assert "School dashboard" in body


def test_school_leader_filtering_on_another_school_still_sees_only_their_own(world, client_for):
    response = client_for("leader_a").get(URL, {"school": world.school_b.pk})
    assert response.status_code == 200
    assert "Birch Academy" not in response.content.decode()


def test_trustee_filters_by_school(world, client_for):
    body = client_for("trustee").get(URL, {"school": world.school_b.pk}).content.decode()
    reviews = _table(body, "policies-reviews")
    assert "Alder Academy" not in reviews
    assert _row(reviews, "Birch Academy") == ["1", "0", "0"]


def test_csv_export_lists_every_figure_and_neutralises_formulas(world, client_for):
    world.school_a.name = '=HYPERLINK("http://evil.example","x")'
    world.school_a.save()
    response = client_for("trustee").get(CSV_URL)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "school", "figure", "value"]
    schools = {row[1] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example","x")' in schools
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert ["Policy reviews", "Whole trust", "Overdue", "1"] in rows


def test_csv_safe_neutralises_every_formula_prefix():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_safe(start + "1+1") == "'" + start + "1+1"
    assert csv_safe("Alder Academy") == "Alder Academy"
    assert csv_safe(None) == ""


def test_small_counts_show_fewer_than_5_and_others_show_the_number():
    assert count_cell(0, suppress=True).text == "0"
    for n in range(1, 5):
        cell = count_cell(n, suppress=True)
        assert cell.text == SUPPRESSED_TEXT == "fewer than 5"
        assert cell.value is None and cell.suppressed  # the chart gets no number either
    assert count_cell(5, suppress=True).text == "5"
    assert count_cell(3).text == "3"  # only cells that could identify someone are suppressed


def test_rate_cell_says_not_applicable_without_staff():
    assert rate_cell(0, 0).text == "n/a"
    assert rate_cell(1, 3).text == "33%"


def test_print_layout_hides_filters_and_keeps_sections_whole(world, client_for):
    body = client_for("trustee").get(URL).content.decode()
    assert 'class="row g-2 align-items-end mb-4 no-print"' in body
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
    assert ".figure-section { break-inside: avoid; }" in css


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _provider_queries(user) -> int:
    scope = dashboard_scope(user)
    with CaptureQueriesContext(connection) as ctx:
        trust_figures(scope)
    return len(ctx.captured_queries)


def _cold_and_warm(client, url) -> tuple[int, int]:
    """Queries of a request that computes the figures, then of one served from the cache."""
    client.get(url)  # the session's first request writes its bookkeeping
    cache.clear()
    client.session.load()  # sessions are cached too (accounts.sessions): this one back
    return _queries(client, url), _queries(client, url)


@pytest.fixture
def dashboard_cache_on(settings):
    settings.DASHBOARD_CACHE_SECONDS = 120  # as in production (off for the other tests)
    cache.clear()
    yield
    cache.clear()


def test_dashboard_query_count_is_the_same_whatever_the_data(world, client_for, dashboard_cache_on):
    client = client_for("trustee")
    small = _cold_and_warm(client, URL)
    small_csv = _cold_and_warm(client, CSV_URL)
    providers = _provider_queries(world.trustee)
    from accounts.models import School
    from tests.factories import SchoolFactory

    extra_school = SchoolFactory(trust=world.trust, name="Cedar Academy")
    for i in range(4):
        for school in School.objects.all():
            school_policy(world, school=school, title=f"P{i}", owner=world.trust_admin)
        trust_policy(world, title=f"T{i}")
        user = UserFactory()
        role_assign(actor=None, user=user, school=extra_school, role=SchoolRole.STAFF)
        role_assign(actor=None, user=user, school=world.school_a, role=SchoolRole.TEACHER)
        policy_acknowledge(user=user, policy=social_media_policy(world))
    assert _cold_and_warm(client, URL) == small  # cold and warm alike
    assert _cold_and_warm(client, CSV_URL) == small_csv
    assert _provider_queries(world.trustee) == providers
    # A warm request runs none of the providers' queries, and nothing else changes.
    for cold, warm in (small, small_csv):
        assert cold - warm == providers >= 10


def test_leader_dashboard_query_count_is_fixed(world, client_for, dashboard_cache_on):
    client = client_for("head_a")
    before = _cold_and_warm(client, URL)
    for i in range(3):
        school_policy(world, title=f"P{i}")
        trust_policy(world, title=f"T{i}")
    assert _cold_and_warm(client, URL) == before
    assert before[0] - before[1] == _provider_queries(world.head_a)


def test_a_filtered_view_costs_no_more_queries_than_the_full_one(
    world, client_for, dashboard_cache_on
):
    client = client_for("trustee")
    full = _cold_and_warm(client, URL)
    cold, warm = _cold_and_warm(client, f"{URL}?school={world.school_a.pk}&period=6")
    # One school's view has no breakdown by category and month for a trustee (issue 14).
    assert cold <= full[0] and warm == full[1]


def test_a_local_variant_counts_instead_of_the_trust_policy_at_its_school(world):
    from django.utils import timezone

    from dashboard.figures import dashboard_scope
    from policies.selectors import policy_figures
    from policies.services import policy_adopt
    from tests.policies.helpers import pdf

    trust = trust_policy(world, review_in_days=400)
    policy_adopt(
        actor=world.head_a, policy=trust, school=world.school_a,
        adopted_on=timezone.localdate(), local_variant_document=pdf(),
    )  # fmt: skip
    scope = dashboard_scope(world.trustee)
    per_school, total = policy_figures(scope.schools, scope.today)
    a, b = per_school[world.school_a.pk], per_school[world.school_b.pk]
    assert (a.policies, b.policies, total.policies) == (2, 2, 3)
    # Acknowledgements expected: 6 staff x 2 policies at each school.
    assert (a.ack_expected, b.ack_expected) == (12, 12)
