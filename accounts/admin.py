"""Django admin for trust administrators (accounts.admin_site.PortalAdminSite: 2FA required).

Day-to-day work goes through the portal's own pages and services, which audit and notify;
the admin is for inspection and repairs. Passwords are never edited here beyond Django's own
forms, and roles are best changed on a person's page so that permissions stay in step.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .models import LeaverEvent, Membership, School, SchoolEmailDomain, Trust, TrustRole, User
from .selectors import is_trust_admin


class TrustAdminPermissions:
    """Model permissions for the admin: a trust administrator may use it, nobody else.

    Access is by role, not by Django's per-model permissions (no one is given those); other
    apps' ModelAdmins use this mixin too. `read_only` admins show data whose changes must go
    through a service (roles keep guardian grants in step, deactivation ends sessions).
    """

    read_only = False

    def has_module_permission(self, request):
        return is_trust_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_trust_admin(request.user)

    def has_add_permission(self, request, *args):
        return not self.read_only and is_trust_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return not self.read_only and is_trust_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return not self.read_only and is_trust_admin(request.user)


class SchoolEmailDomainInline(TrustAdminPermissions, admin.TabularInline):
    read_only = True
    model = SchoolEmailDomain
    extra = 0


@admin.register(Trust)
class TrustAdmin(TrustAdminPermissions, admin.ModelAdmin):
    """Read-only: one trust per installation."""

    read_only = True
    list_display = ["name"]


@admin.register(School)
class SchoolAdmin(TrustAdminPermissions, admin.ModelAdmin):
    """Read-only: schools change on the portal's pages (accounts.services.school_create /
    school_update), which audit every change."""

    read_only = True
    list_display = ["name", "urn", "phase", "age_from", "age_to", "trust"]
    list_filter = ["phase", "trust"]
    search_fields = ["name", "urn", "email_domains__domain"]
    inlines = [SchoolEmailDomainInline]


class MembershipInline(TrustAdminPermissions, admin.TabularInline):
    read_only = True
    model = Membership
    extra = 0
    autocomplete_fields = ["school"]


class TrustRoleInline(TrustAdminPermissions, admin.TabularInline):
    read_only = True
    model = TrustRole
    extra = 0


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["email", "full_name"]


@admin.register(User)
class UserAdmin(TrustAdminPermissions, DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "trust_roles__role", "memberships__role"]
    search_fields = ["full_name", "email"]
    # Deactivation goes through the portal (accounts.services.user_deactivate ends sessions and
    # raises the leaver event), so is_active is shown, not edited.
    readonly_fields = [
        "email",
        "is_active",
        "last_login",
        "date_joined",
        "deactivated_at",
        "invited_at",
        "invited_by",
    ]
    # Permissions come from roles (accounts.roles), never from ad-hoc groups or flags.
    fieldsets = [
        (None, {"fields": ["email", "full_name"]}),
        ("Status", {"fields": ["is_active", "deactivated_at", "invited_at", "invited_by"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "usable_password", "password1", "password2"],
            },
        )
    ]
    filter_horizontal = []

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted: the audit trail points at them

    def has_add_permission(self, request, *args):
        return False  # people are invited (accounts.services.user_invite), which is audited

    def get_urls(self):
        # No admin password-change page: a password is set by its owner (invitation, reset),
        # never by someone else without a trace.
        return [u for u in super().get_urls() if "password" not in str(u.pattern)]

    inlines = [MembershipInline, TrustRoleInline]


@admin.register(Membership)
class MembershipAdmin(TrustAdminPermissions, admin.ModelAdmin):
    """Read-only: roles change on a person's page (accounts.services.role_assign / remove)."""

    read_only = True
    list_display = ["user", "school", "role", "created_at"]
    list_filter = ["role", "school"]
    search_fields = ["user__full_name", "user__email", "school__name"]
    autocomplete_fields = ["user", "school"]


@admin.register(TrustRole)
class TrustRoleAdmin(TrustAdminPermissions, admin.ModelAdmin):
    read_only = True
    list_display = ["user", "trust", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__full_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(LeaverEvent)
class LeaverEventAdmin(TrustAdminPermissions, admin.ModelAdmin):
    """Read-only: leaver records are written by accounts.services.user_deactivate."""

    read_only = True
    list_display = ["user", "created_at", "actor_name", "reason"]
    search_fields = ["user__full_name", "user__email", "reason"]


# --- Single sign-on and provisioning (issue 20) ----------------------------------------------
from allauth.socialaccount.models import SocialApp, SocialToken  # noqa: E402

from .scim.models import Directory, DirectoryAccount  # noqa: E402

# Identity providers come from settings with secrets from the environment or files
# (accounts/sso/config.py); allauth's own admin would invite typing a secret into the
# database, and the portal keeps no provider tokens.
for _model in (SocialApp, SocialToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Directory)
class DirectoryAdmin(TrustAdminPermissions, admin.ModelAdmin):
    """Read-only: tokens are made, rotated and revoked by `manage.py scim_directory`, which
    audits each change; only a digest and a hint of the token are stored."""

    read_only = True
    list_display = ["name", "token_hint", "created_at", "last_used_at", "revoked_at"]
    exclude = ["token_digest"]


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(TrustAdminPermissions, admin.ModelAdmin):
    """Read-only: who each directory provisioned (changes come from the directory)."""

    read_only = True
    list_display = ["user_name", "directory", "user", "active", "updated_at"]
    list_filter = ["directory", "active"]
    search_fields = ["user_name", "user__email"]
