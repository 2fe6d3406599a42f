"""Read-only admin views: every change goes through channels.services (audited); trust
administrators edit the platform catalogue in the portal (channels:platform_list)."""

from django.contrib import admin

from accounts.admin import TrustAdminPermissions

from .models import (
    AccountEvent,
    AccountReview,
    CommentReport,
    FakeAccountReport,
    OfficialAccount,
    Platform,
)


class ReadOnlyAdmin(TrustAdminPermissions, admin.ModelAdmin):
    read_only = True


@admin.register(Platform)
class PlatformAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "min_age",
        "dms_can_be_disabled",
        "comments_can_be_limited",
        "is_active",
    ]


@admin.register(OfficialAccount)
class OfficialAccountAdmin(ReadOnlyAdmin):
    list_display = ["handle", "platform", "school", "status", "next_review_due", "needs_new_owner"]
    list_filter = ["status", "school", "platform", "needs_new_owner"]
    search_fields = ["handle", "url"]


@admin.register(CommentReport)
class CommentReportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "account", "school", "status", "created_at"]
    list_filter = ["status", "school"]
    # The screenshot is served only by the access-checked portal view.
    exclude = ["screenshot"]


@admin.register(FakeAccountReport)
class FakeAccountReportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "school", "platform", "handle", "status", "created_at"]
    list_filter = ["status", "school"]


admin.site.register(AccountEvent, ReadOnlyAdmin)
admin.site.register(AccountReview, ReadOnlyAdmin)
