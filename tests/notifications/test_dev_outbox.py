"""The development mailbox (issue 13): with DEBUG on, a trust administrator reads every email of
the outbox at /notifications/outbox/, as it is sent; the demo's emails are read there instead of
scrolling through the terminal during `load_demo`. Nobody else sees it, and with DEBUG off
(production always) it does not exist for anyone."""

import pytest
from django.urls import reverse

from notifications.services import notify
from tests.conftest import PERSONA_NAMES

URL = reverse("notifications:dev_outbox")


@pytest.fixture
def development(settings):
    settings.DEBUG = True


@pytest.mark.usefixtures("development", "probe_kinds")
def test_trust_admin_reads_every_outbox_email_as_it_is_sent_in_development(world, client_for):
    notify(
        [world.teacher_a],
        "accounts.role_changed",
        context={"change": "assigned", "role_label": "School leader"},
        school=world.school_a,
    )
    notify([world.head_b], "tests.confidential_probe", context={"secret": "Mr Smith's post"})

    response = client_for("trust_admin").get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Your roles in the policy portal changed" in body
    assert world.teacher_a.email in body and world.head_b.email in body
    assert "Role: School leader (assigned)" in body
    # Exactly the email that was sent: a confidential kind is a pointer, its context never shown.
    assert "Something needs your attention" in body
    assert "Mr Smith" not in body


@pytest.mark.usefixtures("development")
@pytest.mark.parametrize("persona", [p for p in PERSONA_NAMES if p not in {"trust_admin"}])
def test_nobody_but_a_trust_admin_finds_the_outbox_page(world, client_for, persona):
    expected = 302 if persona == "anonymous" else 404
    assert client_for(persona).get(URL).status_code == expected


def test_with_debug_off_the_outbox_page_does_not_exist_even_for_a_trust_admin(world, client_for):
    assert client_for("trust_admin").get(URL).status_code == 404


@pytest.mark.usefixtures("development")
def test_outbox_page_queries_do_not_grow_with_the_number_of_emails(
    world, client_for, count_queries
):
    client = client_for("trust_admin")

    def send(n: int) -> None:
        for _ in range(n):
            notify(
                [world.teacher_a, world.leader_b],
                "accounts.role_changed",
                context={"change": "assigned", "role_label": "Teacher"},
                school=world.school_a,
            )

    send(1)
    few = count_queries(client, URL)
    send(10)
    assert count_queries(client, URL) == few
