"""Browser journey of issue 8: a trustee sees the overdue Social Media Policy and the charts,
and no personal data anywhere on the page."""

from __future__ import annotations

import pytest

from policies.services import policy_acknowledge
from tests.policies.browser_steps import seed_social_media_policy, sign_in
from tests.policies.helpers import school_policy, social_media_policy

pytestmark = pytest.mark.django_db(transaction=True)


def test_trustee_sees_the_overdue_policy_and_the_charts_and_no_personal_data(
    world,
    new_visitor,
):
    seed_social_media_policy()
    for person in world.people.values():  # names no heading could contain by chance
        person.full_name = f"Quillon{person.pk} Vexworth"
        person.save(update_fields=["full_name"])
    school_policy(world, review_in_days=30, owner=world.head_a)
    policy_acknowledge(user=world.staff_a, policy=social_media_policy(world))

    visitor = new_visitor("trustee")
    sign_in(visitor, world.trustee)
    visitor.goto("dashboard:trust", slug="trust-dashboard")
    page = visitor.page

    reviews = page.locator('[data-figures="policies-reviews"] table')
    trust_row = reviews.locator("tr", has=page.locator("th", has_text="Whole trust"))
    assert trust_row.locator("td").all_inner_texts() == ["1", "1", "0"]
    # Chart.js drew every chart (a canvas it owns), and each has its table.
    # Other apps add their own sections; every chart must be drawn and have its table.
    for key in ("policies-reviews", "policies-acknowledgements"):
        assert page.locator(f'[data-figures="{key}"] canvas[data-chart]').count() == 1
    canvases = page.locator("canvas[data-chart]")
    drawn = canvases.evaluate_all("cs => cs.map(c => Chart.getChart(c) !== undefined)")
    assert drawn and all(drawn)
    sections = page.locator("section[data-figures]")
    assert sections.locator("table").count() == sections.count()

    main = visitor.text("main")
    for person in world.people.values():
        assert person.full_name not in main
        assert person.email not in main
