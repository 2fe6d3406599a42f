"""Django admin for trust administrators only, behind 2FA (issue: people and access).

The admin has no sign-in of its own: an anonymous visitor is sent to the portal's sign-in
(password, lockout, second factor all apply there) and anyone signed in who may not use the
admin gets 403 rather than a second login form.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.admin import OTPAdminSite

from .selectors import is_trust_admin


class PortalAdminSite(OTPAdminSite):
    site_header = "Policy portal administration"
    site_title = "Policy portal admin"
    index_title = "Trust administration"

    def __init__(self, name: str = "admin"):
        # OTPAdminSite defaults to "otpadmin"; keep the usual admin: URL namespace.
        super().__init__(name)

    def has_permission(self, request) -> bool:
        """Active, staff, 2FA-verified in this session (OTPAdminSite) and a trust administrator."""
        user = request.user
        return bool(super().has_permission(request) and user.is_verified() and is_trust_admin(user))

    def login(self, request, extra_context=None):
        user = request.user
        next_url = request.GET.get("next") or ""
        if self.has_permission(request):
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = reverse("admin:index")
            return redirect(next_url)
        if user.is_authenticated and is_trust_admin(user) and not user.is_verified():
            return redirect_to_login(
                next_url or reverse("admin:index"), reverse("accounts:two_factor")
            )
        if user.is_authenticated:
            # Signed in but not allowed (or second factor not passed): the portal's sign-in
            # would only bounce them back here.
            raise PermissionDenied("The administration site is for trust administrators.")
        return redirect_to_login(
            next_url or reverse("admin:index"), resolve_url(settings.LOGIN_URL)
        )
