"""Read-only admin: metadata only (no ciphertext, no form that could change a secret).
Changes go through escrow.services."""

from django.contrib import admin

from accounts.admin import TrustAdminPermissions

from .models import Credential, CredentialVersion, Retrieval


class ReadOnly(TrustAdminPermissions, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Credential)
class CredentialAdmin(ReadOnly):
    list_display = ["account", "school", "rotated_at", "rotation_required", "last_checked_at"]
    list_filter = ["rotation_required", "school"]
    fields = [
        "account",
        "school",
        "rotation_interval_days",
        "rotated_at",
        "rotation_required",
        "rotation_reason",
        "last_checked_at",
    ]


@admin.register(CredentialVersion)
class CredentialVersionAdmin(ReadOnly):
    list_display = ["credential", "number", "deposited_by", "deposited_at", "superseded_at"]
    fields = ["credential", "number", "deposited_by", "deposited_at", "superseded_at"]


@admin.register(Retrieval)
class RetrievalAdmin(ReadOnly):
    list_display = ["credential", "user", "at", "break_glass", "reason"]
    list_filter = ["break_glass", "school"]
    fields = ["credential", "user", "at", "break_glass", "reason"]
