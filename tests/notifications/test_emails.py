"""Email per kind: templates for every registered kind; confidential kinds carry a link only."""

import pytest
from django.apps import apps
from django.core import mail
from django.template.loader import get_template

from notifications import delivery
from notifications.kinds import KINDS, template_names
from notifications.services import notify


def test_every_registered_kind_has_a_text_and_an_html_template():
    assert apps.ready  # every AppConfig.ready() has registered its kinds
    missing = []
    for code in sorted(KINDS):
        for name in template_names(code):
            try:
                get_template(name)
            except Exception:
                missing.append(name)
    assert not missing, (
        "registered notification kinds without email templates (put them in the templates/ "
        f"directory of the app that registers the kind): {missing}"
    )


@pytest.mark.usefixtures("probe_kinds")
def test_confidential_email_says_only_that_something_needs_attention(world, settings):
    settings.SITE_URL = "https://portal.starmat.example"
    (n,) = notify(
        [world.head_a],
        "tests.confidential_probe",
        context={"secret": "Mr Smith posted a pupil photo"},
        link="/breaches/42/",
        school=world.school_a,
    )
    delivery.deliver_email(n.pk)
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "Mr Smith" not in body
        assert "pupil photo" not in body
        assert world.school_a.name not in body
        assert "needs your attention" in body
        assert "https://portal.starmat.example/breaches/42/" in body
        assert "PROBE[||]" in body  # the template asked for the context and got nothing
    assert message.subject == "Something needs your attention"


@pytest.mark.usefixtures("probe_kinds")
def test_ordinary_email_renders_its_context_and_school(world):
    (n,) = notify(
        [world.teacher_a],
        "tests.plain_probe",
        context={"topic": "the annual review"},
        link="/official-accounts/7/",
        school=world.school_a,
    )
    delivery.deliver_email(n.pk)
    (message,) = mail.outbox
    assert "Plain probe about the annual review at Alder Academy." in message.body
    assert "Plain probe about the annual review at Alder Academy." in message.alternatives[0][0]


def test_links_are_absolute_from_site_url(world, settings):
    settings.SITE_URL = "https://portal.starmat.example/"
    (n,) = notify([world.teacher_a], "accounts.role_changed", link="/accounts/people/3/")
    delivery.deliver_email(n.pk)
    (message,) = mail.outbox
    assert "https://portal.starmat.example/accounts/people/3/" in message.body
    assert 'href="https://portal.starmat.example/accounts/people/3/"' in message.alternatives[0][0]
    assert "https://portal.starmat.example/notifications/preferences/" in message.body


def test_html_email_escapes_context(world):
    (n,) = notify(
        [world.leader_a],
        "accounts.leaver",
        context={"name": "<script>alert(1)</script>"},
        school=world.school_a,
    )
    delivery.deliver_email(n.pk)
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_accounts_role_changed_email_names_the_role(world):
    (n,) = notify(
        [world.teacher_a],
        "accounts.role_changed",
        context={"change": "granted", "role_label": "School leader"},
        school=world.school_a,
    )
    delivery.deliver_email(n.pk)
    (message,) = mail.outbox
    assert message.subject == "Your roles in the policy portal changed"
    assert "Role: School leader (granted)" in message.body
    assert "at Alder Academy" in message.body


def test_every_digestible_kind_has_a_body_block_the_digest_can_list():
    from django.template.loader_tags import BlockNode

    without = []
    for code, kind in sorted(KINDS.items()):
        if not kind.digestible or kind.confidential:
            continue
        for name in template_names(code):
            nodes = get_template(name).template.nodelist.get_nodes_by_type(BlockNode)
            if not any(node.name == "body" for node in nodes):
                without.append(name)
    assert not without, f"digestible kinds need a {{% block body %}}: {without}"
