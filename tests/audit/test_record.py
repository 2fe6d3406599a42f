"""audit.services.record: namespaced codes, copies of the actor, the client's address."""

import pytest
from django.test import RequestFactory, override_settings

from audit.chain import verify_chain
from audit.models import AuditEntry
from audit.services import client_ip, record
from tests.factories import UserFactory


def test_entry_keeps_actor_name_and_email_after_the_user_is_deleted(db):
    user = UserFactory(full_name="Leaving Person", email="leaver@alder.example")
    entry = record(user, "account.deactivated", target=user)
    user_id = user.pk
    user.delete()  # no foreign-key constraint on actor: the log does not stop a deletion

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.actor_name, stored.actor_email) == ("Leaving Person", "leaver@alder.example")
    assert stored.actor_id == user_id
    assert stored.target_repr == "Leaving Person"
    assert verify_chain().ok


@pytest.mark.parametrize("action", ["approved", "Account.Approved", "account.", ".x", "a b.c", ""])
def test_action_without_a_namespace_is_refused(db, action):
    with pytest.raises(ValueError):
        record(None, action)


def test_anonymous_actor_is_stored_as_nobody(db):
    from django.contrib.auth.models import AnonymousUser

    entry = record(AnonymousUser(), "auth.login_failed")
    assert entry.actor_id is None and entry.actor_name == "" and entry.actor_email == ""


def test_values_the_database_reshapes_still_verify(db):
    # jsonb rewrites 1e16 as an integer and IPv6 has several spellings; the hash must not care.
    record(
        None,
        "test.reshaped",
        data={"big": 1e16, "ratio": 0.1, "tiny": 1e-7, "set": {3, 1, 2}, "text": "a\x00b"},
        ip_address="2001:0db8:0000:0000:0000:0000:0000:0001",
    )
    assert verify_chain().ok


def test_invalid_ip_address_is_not_stored(db):
    assert record(None, "test.ip", ip_address="not an address").ip_address is None


def test_client_ip_is_remote_addr_by_default():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert client_ip(request) == "203.0.113.7"


@override_settings(AUDIT_TRUSTED_PROXY_COUNT=1, AUDIT_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_client_ip_behind_a_trusted_proxy_is_the_address_the_proxy_saw():
    # The client wrote the left-hand entry itself; only our proxy's own addition is believed.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    assert client_ip(request) == "203.0.113.9"


@override_settings(AUDIT_TRUSTED_PROXY_COUNT=1, AUDIT_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_client_ip_behind_a_proxy_without_the_header_falls_back_to_remote_addr():
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


@override_settings(AUDIT_TRUSTED_PROXY_COUNT=1, AUDIT_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_forwarded_header_from_a_peer_that_is_not_our_proxy_is_ignored():
    # gunicorn reached directly: the header is the client's own word (issue 14).
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="198.51.100.77"
    )
    assert client_ip(request) == "203.0.113.50"


def test_entry_rolls_back_with_the_change_it_records(db):
    from django.db import transaction

    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(None, "test.rolled_back")
        raise RuntimeError
    assert AuditEntry.objects.count() == before
    assert verify_chain().ok


def test_entry_written_during_a_request_carries_its_address(db):
    # The receivers themselves: sending request_finished would also close the test's connection.
    from audit.receivers import on_request_finished, on_request_started

    on_request_started(sender=None, environ={"REMOTE_ADDR": "192.0.2.77"})
    inside = record(None, "test.inside_request")
    on_request_finished(sender=None)
    after = record(None, "test.after_request")
    assert inside.ip_address == "192.0.2.77"
    assert after.ip_address is None


def test_asgi_request_address_is_remembered_too(db):
    from audit.receivers import on_request_finished, on_request_started

    scope = {"client": ("192.0.2.78", 5000), "headers": [(b"x-forwarded-for", b"1.1.1.1")]}
    on_request_started(sender=None, scope=scope)
    try:
        assert record(None, "test.asgi").ip_address == "192.0.2.78"
    finally:
        on_request_finished(sender=None)


def test_denied_access_to_another_schools_record_carries_the_address(world):
    from django.test import Client
    from django.urls import reverse

    from tests.conftest import sign_in

    client = sign_in(Client(REMOTE_ADDR="198.51.100.99"), world.leader_a)
    response = client.get(reverse("accounts:person_detail", args=[world.teacher_b.pk]))
    assert response.status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied").latest("id")
    # Only what was asked for (issue 14): the model and the id sent, never the record.
    assert denied.actor_id == world.leader_a.pk and denied.target_repr == ""
    assert denied.data["lookup"] == {"pk": str(world.teacher_b.pk)}
    assert denied.ip_address == "198.51.100.99"
