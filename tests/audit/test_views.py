"""Clause 6: trust administrators search the audit log; everyone sees their own activity."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Trust
from audit.masking import MASK
from audit.models import AuditEntry
from audit.services import record
from tests.factories import SchoolFactory, UserFactory

LIST = reverse("audit:list")
EXPORT = reverse("audit:export")
MINE = reverse("audit:my_activity")


def shown_ids(response) -> list[int]:
    return [e.id for e in response.context["page"].entries]


@pytest.fixture
def admin(client_for):
    return client_for("trust_admin")


@pytest.fixture
def sample(world):
    """A few entries of different kinds, schools and people."""
    return {
        "reveal_a": record(
            world.leader_a, "credential.revealed", world.teacher_a, world.school_a, {"n": 1}
        ),
        "reveal_b": record(
            world.leader_b, "credential.revealed", world.teacher_b, world.school_b, {"n": 2}
        ),
        "breach_a": record(world.head_a, "account.viewed", world.staff_a, world.school_a),
        "login": record(world.teacher_a, "auth.login", world.teacher_a),
    }


def test_trust_admin_sees_newest_entries_first(admin, sample):
    response = admin.get(LIST)
    ids = shown_ids(response)
    assert ids == sorted(ids, reverse=True)
    assert {e.pk for e in sample.values()} <= set(ids)


def test_filter_by_action_prefix(admin, sample):
    ids = shown_ids(admin.get(LIST, {"action": "credential."}))
    assert set(ids) == {sample["reveal_a"].pk, sample["reveal_b"].pk}


def test_filter_by_actor_email_or_name(admin, world, sample):
    by_email = shown_ids(admin.get(LIST, {"actor": world.leader_b.email.upper()}))
    assert sample["reveal_b"].pk in by_email and sample["reveal_a"].pk not in by_email
    by_name = shown_ids(admin.get(LIST, {"actor": "head a"}))
    assert by_name == [sample["breach_a"].pk]


def test_filter_by_school(admin, world, sample):
    ids = shown_ids(admin.get(LIST, {"school": world.school_b.pk}))
    assert sample["reveal_b"].pk in ids
    assert not {sample["reveal_a"].pk, sample["breach_a"].pk, sample["login"].pk} & set(ids)


def test_filter_by_target(admin, world, sample):
    entries = admin.get(LIST, {"target": str(world.staff_a.pk)}).context["page"].entries
    assert sample["breach_a"].pk in {e.id for e in entries}
    assert {e.target_id for e in entries} == {str(world.staff_a.pk)}  # and their role.assigned
    by_name = shown_ids(admin.get(LIST, {"target": "Teacher B"}))
    assert sample["reveal_b"].pk in by_name and sample["reveal_a"].pk not in by_name


def test_filter_by_date_range(admin, sample):
    today = timezone.localdate()
    assert sample["login"].pk in shown_ids(
        admin.get(LIST, {"date_from": today.isoformat(), "date_to": today.isoformat()})
    )
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert shown_ids(admin.get(LIST, {"date_from": tomorrow})) == []
    yesterday = (today - timedelta(days=1)).isoformat()
    assert shown_ids(admin.get(LIST, {"date_to": yesterday})) == []


def test_impossible_date_range_shows_an_error_and_no_entries(admin, sample):
    today = timezone.localdate()
    response = admin.get(
        LIST,
        {"date_from": today.isoformat(), "date_to": (today - timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert shown_ids(response) == []


def test_school_choices_are_only_the_admins_trust(admin, world):
    other = SchoolFactory(trust=Trust.objects.create(name="Another Trust"), name="Elsewhere")
    choices = admin.get(LIST).context["form"].fields["school"].queryset
    assert set(choices) == {world.school_a, world.school_b}
    response = admin.get(LIST, {"school": other.pk})
    assert "school" in response.context["form"].errors


def test_entries_of_another_trusts_school_are_not_shown(admin, world, sample):
    other = SchoolFactory(trust=Trust.objects.create(name="Another Trust"), name="Elsewhere")
    hidden = record(None, "breach.viewed", school=other)
    assert hidden.pk not in shown_ids(admin.get(LIST))
    assert str(hidden.pk) not in {r[0] for r in csv.reader(io.StringIO(export_text(admin)))}


def test_pages_follow_each_other_without_gaps(admin, world):
    made = [record(world.teacher_a, "test.paged", data={"n": n}) for n in range(120)]
    first = admin.get(LIST, {"action": "test.paged"})
    page = first.context["page"]
    assert len(page.entries) == 50 and page.newer is None
    second = admin.get(LIST, {"action": "test.paged", "before": page.older}).context["page"]
    third = admin.get(LIST, {"action": "test.paged", "before": second.older}).context["page"]
    assert third.older is None
    seen = [e.id for p in (page, second, third) for e in p.entries]
    assert seen == sorted((e.pk for e in made), reverse=True)
    back = admin.get(LIST, {"action": "test.paged", "after": second.newer}).context["page"]
    assert [e.id for e in back.entries] == [e.id for e in page.entries]
    assert 'href="?action=test.paged&amp;before=' in first.content.decode()


def test_list_query_count_does_not_grow_with_entries(admin, world, count_queries):
    for n in range(3):
        record(world.leader_a, "test.counted", world.teacher_a, world.school_a, {"n": n})
    before = count_queries(admin, LIST)
    for n in range(80):
        record(world.leader_b, "test.counted", world.teacher_b, world.school_b, {"n": n})
    assert count_queries(admin, LIST) == before


def test_masked_values_stay_masked_on_the_page(admin, world):
    record(world.leader_a, "credential.revealed", data={"password": "hunter2hunter2"})
    body = admin.get(LIST).content.decode()
    assert MASK in body and "hunter2hunter2" not in body


def export_text(client, params=None) -> str:
    response = client.get(EXPORT, params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content).decode()


def test_export_contains_the_filtered_entries(admin, sample):
    rows = list(csv.DictReader(io.StringIO(export_text(admin, {"action": "credential."}))))
    assert {int(r["id"]) for r in rows} == {sample["reveal_a"].pk, sample["reveal_b"].pk}
    assert {r["action"] for r in rows} == {"credential.revealed"}


def test_export_neutralises_spreadsheet_formulas(admin, world):
    attacker = UserFactory(full_name='=HYPERLINK("http://x")', email="plus@alder.example")
    for start in ("+", "-", "@", "\t", "\r"):
        record(attacker, "test.formula", target=UserFactory(full_name=f"{start}cmd|calc"))
    rows = list(csv.DictReader(io.StringIO(export_text(admin, {"action": "test.formula"}))))
    assert len(rows) == 5
    assert {r["actor_name"] for r in rows} == {'\'=HYPERLINK("http://x")'}
    assert sorted(r["target_repr"][:2] for r in rows) == sorted(["'+", "'-", "'@", "'\t", "'\r"])


def test_export_is_itself_recorded(admin, world):
    export_text(admin, {"action": "credential."})
    entry = AuditEntry.objects.filter(action="audit.exported").latest("id")
    assert entry.actor_id == world.trust_admin.pk
    assert entry.data == {"filters": {"action": "credential."}}


def test_my_activity_shows_what_i_did_and_what_was_done_to_my_account(world, client_for):
    mine = record(world.teacher_a, "test.did_something")
    role = record(world.head_a, "role.assigned", world.teacher_a, world.school_a, {"role": "x"})
    failed = record(None, "auth.login_failed", world.teacher_a, data={"email": "t@a"})
    someone_elses = record(world.teacher_b, "test.did_something")
    # An entry about them in a case namespace would name whoever reported it: not shown.
    case = record(world.head_a, "breach.reported", world.teacher_a, world.school_a)
    ids = shown_ids(client_for("teacher_a").get(MINE))
    assert {mine.pk, role.pk, failed.pk} <= set(ids)
    assert someone_elses.pk not in ids and case.pk not in ids


def test_my_activity_of_a_trustee_works_too(world, client_for):
    mine = record(world.trustee, "test.did_something")
    assert mine.pk in shown_ids(client_for("trustee").get(MINE))


def test_my_activity_query_count_does_not_grow(world, client_for, count_queries):
    client = client_for("teacher_a")
    before = count_queries(client, MINE)
    for n in range(60):
        record(world.teacher_a, "test.mine", world.teacher_a, world.school_a, {"n": n})
    assert count_queries(client, MINE) == before


def test_nav_shows_audit_log_to_trust_admins_only(client_for):
    assert LIST in client_for("trust_admin").get(MINE).content.decode()
    teacher_page = client_for("head_a").get(MINE).content.decode()
    assert LIST not in teacher_page.replace(MINE, "")
    assert MINE in teacher_page


def test_my_activity_download_holds_only_my_entries(world, client_for):
    mine = record(world.teacher_a, "test.did_something", data={"password": "hunter2hunter2"})
    theirs = record(world.teacher_b, "test.did_something")
    response = client_for("teacher_a").get(reverse("audit:my_activity_export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    ids = {int(r["id"]) for r in csv.DictReader(io.StringIO(text))}
    assert mine.pk in ids and theirs.pk not in ids
    assert "hunter2hunter2" not in text


@pytest.mark.parametrize("cursor", ["abc", "²", "-1", "9" * 40, ""])
def test_nonsense_page_cursor_shows_the_first_page(admin, sample, cursor):
    response = admin.get(LIST, {"before": cursor})
    assert response.status_code == 200
    assert sample["login"].pk in shown_ids(response)


def test_trust_admin_home_shows_denied_access_and_lockouts_of_the_week(world, client_for):
    home = reverse("dashboard:home")
    client = client_for("trust_admin")
    assert "Sign-in lockouts" not in client.get(home).content.decode()
    record(world.leader_a, "access.denied", world.teacher_b, world.school_b)
    record(None, "auth.locked_out", world.teacher_a, data={"email": world.teacher_a.email})
    record(None, "auth.locked_out", world.leader_a, data={"email": world.leader_a.email})
    cards = {c.title: c for c in client.get(home).context["cards"]}
    lockouts = cards["Sign-in lockouts (7 days)"]
    assert lockouts.count == 2 and lockouts.url.startswith(LIST + "?action=auth.locked_out")
    assert cards["Records asked for that were missing or another school's (7 days)"].count == 1
    assert "Sign-in lockouts" not in client_for("head_a").get(home).content.decode()


def test_trust_admin_home_query_count_does_not_grow_with_the_log(world, client_for, count_queries):
    client = client_for("trust_admin")
    record(None, "auth.locked_out", world.teacher_a)
    before = count_queries(client, reverse("dashboard:home"))
    for _ in range(30):
        record(world.leader_a, "access.denied", world.teacher_b, world.school_b)
    assert count_queries(client, reverse("dashboard:home")) == before


def test_trust_admins_do_not_see_breach_entries_that_name_the_reporter(world, client_for):
    from tests.breaches.factories import report

    case = report(world)
    from activity.selectors import entries_visible_to
    from audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="breach.reported").exists()
    visible = entries_visible_to(world.trust_admin)
    assert not visible.filter(action__startswith="breach.").exists()
    assert not visible.filter(target_id=str(case.pk)).exists()
    assert visible.exists()  # the rest of the log is still there
