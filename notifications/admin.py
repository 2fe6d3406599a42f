"""The outbox in the admin, read-only for trust administrators: what was sent to whom and
what failed. Changes go through services (preferences, re-queueing), which audit."""

from django.contrib import admin

from accounts.admin import TrustAdminPermissions

from .models import DigestEmail, Notification, NotificationPreference
from .services import notifications_requeue


@admin.register(Notification)
class NotificationAdmin(TrustAdminPermissions, admin.ModelAdmin):
    read_only = True
    list_display = ("kind", "recipient", "school", "created_at", "email_status", "read_at")
    list_filter = ("email_status", "kind", "digest")
    search_fields = ("recipient__email", "kind")
    list_select_related = ("recipient", "school")
    show_full_result_count = False
    # The context may name people and records; support sees the delivery state, not content.
    exclude = ("context",)
    readonly_fields = [f.name for f in Notification._meta.fields if f.name not in ("id", "context")]
    actions = ["requeue"]

    @admin.action(description="Try failed emails again")
    def requeue(self, request, queryset):
        count = notifications_requeue(request.user, list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} failed email(s) queued again.")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(TrustAdminPermissions, admin.ModelAdmin):
    read_only = True  # each person sets their own, at notifications:preferences
    list_display = ("user", "weekly_digest", "updated_at")
    list_select_related = ("user",)


@admin.register(DigestEmail)
class DigestEmailAdmin(TrustAdminPermissions, admin.ModelAdmin):
    read_only = True
    list_display = ("recipient", "week_start", "sent_at", "item_count")
    list_select_related = ("recipient",)
