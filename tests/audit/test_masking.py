"""Clause 6 and the brief: secrets never reach audit data."""

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from audit.masking import MASK, mask
from audit.models import AuditEntry
from audit.services import record

SECRET_KEYS = [
    "password",
    "new_password1",
    "new_password2",
    "old_password",
    "Password",
    "passphrase",
    "token",
    "access_token",
    "refresh-token",
    "otp_token",
    "otp",
    "otp_code",
    "totp_secret",
    "recovery_codes",
    "backup_codes",
    "api_key",
    "apiKey",
    "X-API-Key",
    "client_secret",
    "private_key",
    "encryption_key",
    "key",
    "session_id",
    "sessionid",
    "session",
    "session_key",
    "session_data",
    "csrf_cookie",
    "Authorization",
    "credential",
    "pin",
]
PLAIN_KEYS = [
    "email",
    "role",
    "school",
    "reason",
    "credential_id",
    "password_changed_at",
    "backup_codes_count",
    "key_id",
    "monkey",
    "footprint",
    "compass",
    "spinner",
    "sessions_ended",
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_secret_looking_key_is_masked(key):
    assert mask({key: "s3cr3t-value"}) == {key: MASK}


@pytest.mark.parametrize("key", PLAIN_KEYS)
def test_ordinary_key_is_kept(key):
    assert mask({key: "value"}) == {key: "value"}


def test_nested_dicts_and_lists_are_masked_at_every_depth():
    data = {
        "form": {"email": "a@b.example", "password": "hunter2"},
        "devices": [{"name": "phone", "otp_secret": "JBSWY3DP"}, {"token": "abc"}],
        "codes": ({"recovery_code": "1234-5678"},),
        "account": {"login": {"api_key": "k-123", "platform": "X"}},
    }
    assert mask(data) == {
        "form": {"email": "a@b.example", "password": MASK},
        "devices": [{"name": "phone", "otp_secret": MASK}, {"token": MASK}],
        "codes": [{"recovery_code": MASK}],
        "account": {"login": {"api_key": MASK, "platform": "X"}},
    }


def test_a_whole_secret_subtree_is_masked_not_walked():
    assert mask({"credentials": {"username": "u", "password": "p"}}) == {"credentials": MASK}


@pytest.mark.parametrize(
    "value",
    [
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...",
        "Bearer abcdefghijklmnop",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig",
    ],
)
def test_secret_looking_values_are_masked_under_any_key(value):
    assert mask({"detail": value, "items": [value]}) == {"detail": MASK, "items": [MASK]}


def test_request_bodies_are_refused():
    request = RequestFactory().post("/", {"password": "x"})
    with pytest.raises(TypeError):
        mask({"body": request.POST})
    with pytest.raises(TypeError):
        mask({"request": request})
    with pytest.raises(TypeError):
        mask({"query": QueryDict("a=1")})


def test_record_stores_only_the_masked_form(db):
    entry = record(
        None,
        "test.masked",
        data={"email": "a@b.example", "new_password1": "hunter2hunter2", "otp_token": "123456"},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.data == {"email": "a@b.example", "new_password1": MASK, "otp_token": MASK}
    assert "hunter2" not in str(AuditEntry.objects.filter(pk=entry.pk).values_list("data"))
