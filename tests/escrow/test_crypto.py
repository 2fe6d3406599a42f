"""Property tests of the escrow's envelope encryption (issue 5, Storage)."""

import base64
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from escrow.crypto import CryptoError, Sealed, parse_keyring, rewrap, seal, unseal


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


RING = parse_keyring(f"k2:{_key()},k1:{_key()}")
contexts = st.text(min_size=1, max_size=60)
secrets = st.one_of(st.text(max_size=300), st.binary(max_size=300))


@settings(deadline=None)  # a shared CI machine: timing is not what this tests
@given(secret=secrets, context=contexts)
def test_round_trip(secret, context):
    sealed = seal(secret, context=context, ring=RING)
    expected = secret.encode() if isinstance(secret, str) else secret
    assert unseal(sealed, context=context, ring=RING) == expected
    assert sealed.key_id == "k2"


@settings(deadline=None)
@given(secret=st.text(min_size=1, max_size=100), a=contexts, b=contexts)
def test_ciphertext_moved_to_another_record_fails(secret, a, b):
    if a == b:
        return
    sealed = seal(secret, context=a, ring=RING)
    with pytest.raises(CryptoError):
        unseal(sealed, context=b, ring=RING)


@settings(max_examples=200, deadline=None)
@given(
    secret=st.text(min_size=1, max_size=100),
    field=st.sampled_from(["wrapped_key", "nonce", "ciphertext"]),
    data=st.data(),
)
def test_any_flipped_bit_fails(secret, field, data):
    sealed = seal(secret, context="credential:1:school:1", ring=RING)
    raw = bytearray(getattr(sealed, field))
    index = data.draw(st.integers(0, len(raw) - 1))
    bit = data.draw(st.integers(0, 7))
    raw[index] ^= 1 << bit
    tampered = Sealed(**{**sealed.__dict__, field: bytes(raw)})
    with pytest.raises(CryptoError):
        unseal(tampered, context="credential:1:school:1", ring=RING)


def test_each_secret_gets_its_own_data_key_and_nonce():
    a = seal("same", context="c", ring=RING)
    b = seal("same", context="c", ring=RING)
    assert a.wrapped_key != b.wrapped_key and a.nonce != b.nonce and a.ciphertext != b.ciphertext


def test_rewrap_under_new_key_then_old_key_removed_still_decrypts():
    old = _key()
    new = _key()
    before = parse_keyring(f"old:{old}")
    sealed = seal("hunter2-but-longer", context="ctx", ring=before)
    during = parse_keyring(f"new:{new},old:{old}")
    moved = rewrap(sealed, ring=during)
    assert moved.key_id == "new" and moved.ciphertext == sealed.ciphertext
    assert rewrap(moved, ring=during) is moved  # re-running changes nothing
    after = parse_keyring(f"new:{new}")
    assert unseal(moved, context="ctx", ring=after) == b"hunter2-but-longer"
    with pytest.raises(CryptoError, match="not configured"):
        unseal(sealed, context="ctx", ring=after)


def test_wrong_key_with_same_id_fails():
    sealed = seal("x", context="c", ring=parse_keyring(f"k:{_key()}"))
    with pytest.raises(CryptoError):
        unseal(sealed, context="c", ring=parse_keyring(f"k:{_key()}"))


@pytest.mark.parametrize(
    "spec, message",
    [
        ("", "No credential key"),
        ("k1", "expected 'id:base64key'"),
        ("k1:not base64!", "not valid base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "must be 32 bytes"),
        (f"k1:{_key()},k1:{_key()}", "appears twice"),
        (f"bad id:{_key()}", "expected 'id:base64key'"),
    ],
    # Fixed ids: the keys are random, and parallel workers must collect the same tests.
    ids=["empty", "no-key", "not-base64", "short", "same-id-twice", "bad-id"],
)
def test_bad_key_configuration_is_refused_without_echoing_the_key(spec, message):
    with pytest.raises(ImproperlyConfigured, match=message) as exc:
        parse_keyring(spec)
    secret_part = spec.partition(":")[2]
    if len(secret_part) > 8:
        assert secret_part not in str(exc.value)


def test_keyring_repr_hides_key_material():
    ring = parse_keyring(f"k1:{_key()}")
    assert "k1" in repr(ring) and base64.b64encode(ring.keys["k1"]).decode() not in repr(ring)
