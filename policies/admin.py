"""Read-only admin views: every change goes through policies.services (audited)."""

from django.contrib import admin

from accounts.admin import TrustAdminPermissions

from .models import Acknowledgement, Policy, PolicyAdoption, PolicyReview, PolicyVersion


class ReadOnlyAdmin(TrustAdminPermissions, admin.ModelAdmin):
    read_only = True


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    list_display = ["title", "school", "approving_body", "review_due"]
    list_filter = ["school", "category"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["policy", "number", "approved_on", "approved_by"]
    exclude = ["document"]


admin.site.register(PolicyReview, ReadOnlyAdmin)
admin.site.register(PolicyAdoption, ReadOnlyAdmin)
admin.site.register(Acknowledgement, ReadOnlyAdmin)
