"""Official accounts on the trustees' dashboard: counts per school, nobody named."""

import re
from datetime import date

import pytest
from django.urls import reverse

from channels.models import OfficialAccount

from .factories import make_account

S = OfficialAccount.Status
URL = reverse("dashboard:trust")
pytestmark = pytest.mark.django_db


def _row(body: str, label: str) -> list[str]:
    table = body.split('data-figures="channels-accounts"', 1)[1].split("</section>", 1)[0]
    row = table.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
    return [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _accounts(world, n: int = 1) -> None:
    for _ in range(n):
        make_account(world.school_a, requested_by=world.teacher_a, status=S.ACTIVE)
        make_account(world.school_a, requested_by=world.teacher_a, status=S.SUBMITTED)
        overdue = make_account(world.school_b, requested_by=world.teacher_b, status=S.ACTIVE)
        overdue.next_review_due = date(2020, 1, 1)
        overdue.needs_new_owner = True
        overdue.save()


def test_trustee_sees_account_counts_per_school_and_for_the_trust(world, client_for):
    _accounts(world)
    body = client_for("trustee").get(URL).content.decode()
    assert _row(body, "Alder Academy") == ["1", "1", "0", "0"]
    assert _row(body, "Birch Academy") == ["1", "0", "1", "1"]
    assert _row(body, "Whole trust") == ["2", "1", "1", "1"]
    assert world.teacher_a.full_name not in body


def test_account_figures_use_a_fixed_number_of_queries(world, client_for, count_queries):
    client = client_for("trustee")
    _accounts(world)
    before = count_queries(client, URL)
    _accounts(world, 3)
    assert count_queries(client, URL) == before
