"""The audit log in Django admin: read-only for trust administrators (clause 6). The model is
audit's (admin URLs stay admin:audit_auditentry_*); the registration is here because who may
use it is an access rule of accounts, which audit may not import."""

from django.contrib import admin

from accounts.admin import TrustAdminPermissions
from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(TrustAdminPermissions, admin.ModelAdmin):
    list_display = ("created_at", "action", "actor_name", "actor_email", "target_repr", "school")
    # No list_filter or date_hierarchy: both run DISTINCT over the whole log on every page.
    # The portal's own audit view (audit:list) is the place to filter.
    search_fields = ("action", "actor_name", "actor_email", "target_repr", "target_id")
    list_select_related = ("school",)
    show_full_result_count = False  # no COUNT(*) over millions of rows on every page
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    # Append-only: nobody adds, edits or deletes an entry here, superusers included.
    read_only = True
