"""Escrow pages through the client: step-up before retrieval, no-store, the auto-hide element,
forms that never echo a secret, 404 for another school, fixed query counts (issue 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.stepup import STEP_UP_SESSION_KEY
from escrow.models import Credential, Retrieval
from notifications.models import Notification

from .factories import PASSWORD, active_account, escrowed_account


def stepped_up(client):
    session = client.session
    session[STEP_UP_SESSION_KEY] = timezone.now().timestamp()
    session.save()
    return client


def test_leader_retrieves_after_step_up_shown_for_60_seconds_and_never_cached(world, client_for):
    account = escrowed_account(world)
    client = stepped_up(client_for("leader_a"))
    url = reverse("escrow:retrieve", kwargs={"pk": account.pk})
    form = client.get(url)
    assert form.status_code == 200 and "no-store" in form["Cache-Control"]
    response = client.post(url, {"reason": "Owner off sick"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'data-auto-hide="60"' in html and PASSWORD in html
    assert Retrieval.objects.get().reason == "Owner off sick"
    assert Notification.objects.filter(kind="escrow.retrieved", recipient=world.teacher_a)


def test_retrieval_without_step_up_goes_to_step_up_and_reveals_nothing(world, client_for):
    account = escrowed_account(world)
    response = client_for("leader_a").post(
        reverse("escrow:retrieve", kwargs={"pk": account.pk}), {"reason": "x"}
    )
    assert response.status_code == 302 and reverse("accounts:step_up") in response["Location"]
    assert not Retrieval.objects.exists()


def test_leader_of_other_school_gets_404_even_after_step_up(world, client_for):
    account = escrowed_account(world)
    client = stepped_up(client_for("leader_b"))
    url = reverse("escrow:retrieve", kwargs={"pk": account.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert client.get(reverse("escrow:account", kwargs={"pk": account.pk})).status_code == 404
    assert not Retrieval.objects.exists()


def test_owner_cannot_retrieve_even_after_step_up(world, client_for):
    account = escrowed_account(world)
    client = stepped_up(client_for("teacher_a"))
    url = reverse("escrow:retrieve", kwargs={"pk": account.pk})
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_retrieval_with_empty_reason_rerenders_with_an_error(world, client_for):
    account = escrowed_account(world)
    client = stepped_up(client_for("leader_a"))
    response = client.post(reverse("escrow:retrieve", kwargs={"pk": account.pk}), {"reason": ""})
    assert response.status_code == 200 and PASSWORD not in response.content.decode()
    assert response.context["form"].errors
    assert not Retrieval.objects.exists()


def test_trust_admin_must_confirm_the_emergency(world, client_for):
    account = escrowed_account(world)
    client = stepped_up(client_for("trust_admin"))
    url = reverse("escrow:retrieve", kwargs={"pk": account.pk})
    refused = client.post(url, {"reason": "Head unreachable"})
    assert "break_glass" in refused.context["form"].errors and not Retrieval.objects.exists()
    response = client.post(url, {"reason": "Head unreachable", "break_glass": "on"})
    assert PASSWORD in response.content.decode()
    assert Retrieval.objects.get().break_glass


def test_eleventh_retrieval_through_the_page_is_refused_clearly(world, client_for, settings):
    settings.ESCROW_RETRIEVALS_PER_HOUR = 2
    account = escrowed_account(world)
    client = stepped_up(client_for("leader_a"))
    url = reverse("escrow:retrieve", kwargs={"pk": account.pk})
    for _ in range(2):
        assert client.post(url, {"reason": "x"}).status_code == 200
    refused = client.post(url, {"reason": "x"})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "the most allowed" in html and PASSWORD not in html
    assert Notification.objects.filter(kind="escrow.rate_limited", recipient=world.trust_admin)


def test_deposit_form_never_echoes_a_secret(world, client_for):
    account = active_account(world)
    client = client_for("teacher_a")
    url = reverse("escrow:deposit", kwargs={"pk": account.pk})
    bad = client.post(url, {"username": "", "password": "Canary-echo-1234"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert "Canary-echo-1234" not in bad.content.decode()
    assert "no-store" in bad["Cache-Control"]
    assert not Credential.objects.filter(account=account).exists()
    good = client.post(url, {"username": "u@alder.example", "password": "Canary-echo-1234"})
    assert good.status_code == 302
    page = client.get(reverse("escrow:account", kwargs={"pk": account.pk}))
    assert "Canary-echo-1234" not in page.content.decode()
    again = client.get(url)
    assert "Canary-echo-1234" not in again.content.decode()
    assert "u@alder.example" not in again.content.decode()


def test_account_page_shows_who_retrieved_to_leaders_only(world, client_for):
    account = escrowed_account(world)
    stepped_up(client_for("head_a")).post(
        reverse("escrow:retrieve", kwargs={"pk": account.pk}), {"reason": "Audit of accounts"}
    )
    url = reverse("escrow:account", kwargs={"pk": account.pk})
    leader_page = client_for("leader_a").get(url).content.decode()
    assert "Audit of accounts" in leader_page and "Head A" in leader_page
    owner_page = client_for("teacher_a").get(url).content.decode()
    assert "Audit of accounts" not in owner_page


def test_person_report_lists_what_they_retrieved(world, client_for):
    account = escrowed_account(world)
    stepped_up(client_for("leader_a")).post(
        reverse("escrow:retrieve", kwargs={"pk": account.pk}), {"reason": "Cover lesson"}
    )
    url = reverse("escrow:person_report", kwargs={"pk": world.leader_a.pk})
    html = client_for("trust_admin").get(url).content.decode()
    assert account.handle in html and "Cover lesson" in html


def test_yearly_check_button_records_the_check(world, client_for):
    account = escrowed_account(world)
    response = client_for("leader_a").post(reverse("escrow:check", kwargs={"pk": account.pk}))
    assert response.status_code == 302
    assert Credential.objects.get(account=account).last_checked_by == world.leader_a


@pytest.mark.parametrize("persona", ["leader_a", "teacher_a", "trust_admin"])
def test_escrow_list_query_count_does_not_grow(world, client_for, count_queries, persona):
    escrowed_account(world)
    client = client_for(persona)
    url = reverse("escrow:index")
    before = count_queries(client, url)
    for _ in range(4):
        escrowed_account(world)
    active_account(world)
    assert count_queries(client, url) == before


def test_retrieval_query_count_does_not_grow_with_retrievals_versions_or_team(
    world, client_for, settings
):
    """The retrieval writes its row, the audit entry and one notification per team member,
    in a fixed number of queries: however many retrievals, versions, other escrowed accounts
    and people to tell there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from escrow.services import credential_deposit

    settings.ESCROW_RETRIEVALS_PER_HOUR = 100
    account = escrowed_account(world)
    client = stepped_up(client_for("leader_a"))
    url = reverse("escrow:retrieve", kwargs={"pk": account.pk})

    def retrieve(password=PASSWORD):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, {"reason": "Owner off sick"})
        assert response.status_code == 200 and password in response.content.decode()
        return len(ctx.captured_queries)

    retrieve()  # the session's first request writes its bookkeeping
    few = retrieve()
    for _ in range(3):
        escrowed_account(world)
    credential_deposit(
        actor=account.owner,
        account=account,
        username=account.login_email,
        password="Second-password-0",
        recovery_codes="5555-6666",
    )
    account.deputies.add(world.dsl_a, world.office_a)
    for _ in range(4):
        retrieve("Second-password-0")
    assert retrieve("Second-password-0") == few
    assert Retrieval.objects.filter(user=world.leader_a).count() == 7
    told = Notification.objects.filter(kind="escrow.retrieved")
    assert set(told.values_list("recipient", flat=True)) == {
        world.teacher_a.pk,
        world.staff_a.pk,
        world.dsl_a.pk,
        world.office_a.pk,
    }
    assert told.filter(recipient=world.dsl_a).count() == 5


def test_escrow_list_searches_and_keeps_its_query_count(world, client_for, count_queries):
    from tests.escrow.factories import active_account

    active_account(world, handle="@alder_drama")
    client = client_for("leader_a")
    url = reverse("escrow:index")
    assert "@alder_drama" in client.get(url, {"q": "drama"}).content.decode()
    assert "@alder_drama" not in client.get(url, {"q": "football"}).content.decode()
    before = count_queries(client, url + "?q=alder")
    for _ in range(5):
        active_account(world)
    assert count_queries(client, url + "?q=alder") == before
