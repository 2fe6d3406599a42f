"""The escrow in Django admin: metadata for trust administrators, read-only, no ciphertext,
nothing for anyone else."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from escrow.models import Credential, SealedSecret

from .factories import PASSWORD, escrowed_account


def test_trust_admin_reads_escrow_metadata_but_cannot_change_it(world, client_for):
    account = escrowed_account(world)
    credential = Credential.objects.get(account=account)
    client = client_for("trust_admin")
    for name in ("credential", "credentialversion", "retrieval"):
        assert client.get(reverse(f"admin:escrow_{name}_changelist")).status_code == 200
    page = client.get(reverse("admin:escrow_credential_change", args=[credential.pk]))
    assert page.status_code == 200 and PASSWORD not in page.content.decode()
    assert client.get(reverse("admin:escrow_credential_add")).status_code == 403
    delete = reverse("admin:escrow_credential_delete", args=[credential.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_sealed_secrets_are_not_in_the_admin():
    assert SealedSecret not in admin.site._registry
    with pytest.raises(NoReverseMatch):
        reverse("admin:escrow_sealedsecret_changelist")


def test_leader_gets_no_escrow_admin(world, client_for):
    response = client_for("leader_a").get(reverse("admin:escrow_credential_changelist"))
    assert response.status_code == 302  # the admin site's "sign in" (it has no form of its own)
    assert response["Location"].startswith(reverse("admin:login"))
