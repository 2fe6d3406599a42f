"""Directories that provision people, and the people each one provisioned (issue 20)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Directory(models.Model):
    """A SCIM client of the portal: the trust's Entra ID tenant or Google Workspace.

    Its bearer token is shown once when made (`manage.py scim_directory`) and stored only as
    a SHA-256 digest: tokens are 256 random bits, so a fast digest cannot be reversed, and
    the lookup by digest needs no per-row comparison. `schools` limits whose email domains
    it may provision (none: every school of the trust).
    """

    name = models.CharField(max_length=100, unique=True)
    token_digest = models.CharField(max_length=64, unique=True)
    # The first characters of the token, to tell tokens apart in lists and logs.
    token_hint = models.CharField(max_length=16)
    schools = models.ManyToManyField("accounts.School", blank=True, related_name="directories")
    created_at = models.DateTimeField(auto_now_add=True)
    token_rotated_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "directories"

    def __str__(self) -> str:
        return self.name


class DirectoryAccount(models.Model):
    """One person as one directory provisioned them: the SCIM User resource.

    `scim_id` is the resource id the directory uses in URLs (opaque, never the user's pk);
    `user_name` is the directory's userName (usually the sign-in address), `external_id` its
    own id for the person. `active` mirrors the directory; the portal account's own
    `is_active` changes only through the leaver service.
    """

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    directory = models.ForeignKey(Directory, on_delete=models.PROTECT, related_name="accounts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="directory_accounts"
    )
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=254, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["directory", "user_name"]
        constraints = [
            models.UniqueConstraint(fields=["directory", "user"], name="directory_account_user"),
            models.UniqueConstraint(
                "directory", Lower("user_name"), name="directory_account_user_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_name} ({self.directory})"
