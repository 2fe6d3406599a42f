"""Sign-in, sign-out, second factor, step-up, security page and password reset.

Issue: people and access, "Sign-in". The rules live in accounts.two_factor (services) and
accounts.middleware (session lifetime, the two-factor requirement); these views only show
forms and call them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from audit.services import client_ip

from .. import ratelimit, two_factor
from ..forms.signin import (
    EmailAuthenticationForm,
    EmailPasswordResetForm,
    EnrolForm,
    OTPTokenForm,
    StepUpCodeForm,
    StepUpForm,
    axes_username,
)
from ..middleware import start_session_clock
from ..selectors import requires_two_factor
from ..sso.config import providers as sso_providers
from ..sso.selectors import allow_provider_form_actions, sign_in_providers
from ..sso.services import session_provider
from ..stepup import STEP_UP_SESSION_KEY, mark_step_up, step_up_required

STEP_UP_FAILURES = "portal_step_up_failures"
# Wrong step-up answers a session may give before it is signed out.
STEP_UP_MAX_FAILURES = 5


def _ip(request: HttpRequest) -> str | None:
    # The audit app knows how far to trust X-Forwarded-For behind our proxies.
    return client_ip(request)


def _next_url(request: HttpRequest) -> str:
    """A same-site `next` from the query or form, else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: a bare word would be taken for a URL name by redirect().
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # Issue 20: the school's identity providers as buttons; the password form only where
        # the trust keeps password sign-in.
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = sign_in_providers()
        context["password_sign_in"] = settings.PASSWORD_SIGN_IN
        context["emergency_sign_in"] = (
            not settings.PASSWORD_SIGN_IN and settings.PASSWORD_SIGN_IN_EMERGENCY
        )
        return context

    def render_to_response(self, context, **kwargs):
        return allow_provider_form_actions(super().render_to_response(context, **kwargs))

    def post(self, request, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            # Switched off for the trust: the password is not even checked.
            context = self.get_context_data(form=self.get_form_class()(request))
            return self.render_to_response(context, status=403)
        email = axes_username(request)
        if ratelimit.account_throttled(request, email):
            form = ratelimit.refused_form(self.get_form_class(), request)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)  # django.contrib.auth.login cycles the key
        # A password sign-in never inherits a second factor or step-up from before.
        self.request.session.pop(DEVICE_ID_SESSION_KEY, None)
        self.request.session.pop(STEP_UP_SESSION_KEY, None)
        start_session_clock(self.request)
        user = form.get_user()
        ratelimit.remember_device(response, user.email.lower())
        if requires_two_factor(user) or two_factor.has_confirmed_totp(user):
            second = redirect(_with_next("accounts:two_factor", self.get_success_url()))
            ratelimit.remember_device(second, user.email.lower())
            return second
        return response


class SignOutView(auth_views.LogoutView):
    pass


@method_decorator(
    [login_required, never_cache, sensitive_post_parameters("otp_token")], name="dispatch"
)
class TwoFactorView(View):
    """Second factor after the password: enrol (QR code, then backup codes) or verify."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_verified():
            return redirect(_next_url(request))
        if two_factor.has_confirmed_totp(request.user):
            return self._verify_page(request, OTPTokenForm())
        return self._enrol_page(request, EnrolForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_verified():
            return redirect(_next_url(request))
        if two_factor.has_confirmed_totp(user):
            form = OTPTokenForm(request.POST)
            if form.is_valid():
                try:
                    device = two_factor.two_factor_verify(
                        user, form.cleaned_data["otp_token"], ip_address=_ip(request)
                    )
                except two_factor.TwoFactorError as exc:
                    form.add_error("otp_token", str(exc))
                else:
                    otp_login(request, device)
                    request.session.cycle_key()
                    if isinstance(device, StaticDevice):
                        left = two_factor.backup_codes_left(user)
                        messages.warning(
                            request,
                            f"You used a backup code; {left} left. Make new ones from the "
                            "Security page if you are running low.",
                        )
                    return redirect(_next_url(request))
            return self._verify_page(request, form, status=200)
        form = EnrolForm(request.POST)
        if form.is_valid():
            try:
                device, codes = two_factor.totp_enrolment_confirm(
                    user, form.cleaned_data["otp_token"], ip_address=_ip(request)
                )
            except two_factor.TwoFactorError as exc:
                form.add_error("otp_token", str(exc))
            else:
                otp_login(request, device)
                request.session.cycle_key()
                return render(
                    request,
                    "accounts/two_factor_backup_codes.html",
                    {"codes": codes, "next": _next_url(request), "just_enrolled": True},
                )
        return self._enrol_page(request, form)

    def _verify_page(self, request, form, status: int = 200) -> HttpResponse:
        return render(
            request,
            "accounts/two_factor_verify.html",
            {"form": form, "next": _next_url(request)},
            status=status,
        )

    def _enrol_page(self, request, form) -> HttpResponse:
        device = two_factor.totp_enrolment_start(request.user)
        return render(
            request,
            "accounts/two_factor_enrol.html",
            {
                "form": form,
                "next": _next_url(request),
                "secret": two_factor.base32_secret(device),
                "qr_code": two_factor.qr_code_data_uri(device),
                "required": requires_two_factor(request.user),
            },
        )


@method_decorator(
    [login_required, never_cache, sensitive_post_parameters("password", "otp_token")],
    name="dispatch",
)
class StepUpView(View):
    """A fresh factor again; passing lasts STEP_UP_VALIDITY (clause 4.5c).

    After a password sign-in: password and a TOTP code. After a single sign-on (issue 20):
    a TOTP code, or a fresh sign-in at the provider when the trust accepts its MFA
    (accounts.sso.services.sso_step_up checks auth_time and the MFA claim).
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.sso = session_provider(request, sso_providers())
            self.sso_step_up = self.sso if self.sso and self.sso.accept_mfa else None
            self.has_totp = two_factor.has_confirmed_totp(request.user)
            if not self.has_totp and self.sso_step_up is None:
                messages.info(request, "Set up two-factor sign-in first; then confirm it is you.")
                return redirect(_with_next("accounts:two_factor", _next_url(request)))
        return super().dispatch(request, *args, **kwargs)

    def _form_class(self):
        return StepUpCodeForm if self.sso else StepUpForm

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, self._form_class()() if self.has_totp else None)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.has_totp:
            return self._page(request, None)
        form = self._form_class()(request.POST)
        if form.is_valid():
            try:
                if self.sso:
                    two_factor.step_up_verify_code(
                        request.user, form.cleaned_data["otp_token"], ip_address=_ip(request)
                    )
                else:
                    two_factor.step_up_verify(
                        request.user,
                        form.cleaned_data["password"],
                        form.cleaned_data["otp_token"],
                        ip_address=_ip(request),
                    )
            except two_factor.TwoFactorError as exc:
                failures = request.session.get(STEP_UP_FAILURES, 0) + 1
                if failures >= STEP_UP_MAX_FAILURES:
                    # Someone at an unlocked screen guessing: end the session altogether.
                    logout(request)
                    messages.error(request, "Too many wrong answers. Please sign in again.")
                    return redirect(settings.LOGIN_URL)
                request.session[STEP_UP_FAILURES] = failures
                form.add_error(None, str(exc))
            else:
                request.session.pop(STEP_UP_FAILURES, None)
                mark_step_up(request)
                return redirect(_next_url(request))
        return self._page(request, form)

    def _page(self, request, form) -> HttpResponse:
        response = render(
            request,
            "accounts/step_up.html",
            {"form": form, "next": _next_url(request), "sso_step_up": self.sso_step_up},
        )
        return allow_provider_form_actions(response) if self.sso_step_up else response


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    """The person's own sign-in security: two-factor status and backup codes."""
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "has_totp": two_factor.has_confirmed_totp(user),
            "backup_codes_left": two_factor.backup_codes_left(user),
            "required": requires_two_factor(user),
        },
    )


@login_required
@never_cache
@step_up_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (the old ones stop working); shown once, after a step-up."""
    if request.method == "POST":
        try:
            codes = two_factor.backup_codes_regenerate(request.user, ip_address=_ip(request))
        except two_factor.TwoFactorError as exc:
            messages.error(request, str(exc))
            return redirect("accounts:security")
        return render(
            request,
            "accounts/two_factor_backup_codes.html",
            {"codes": codes, "next": reverse("accounts:security"), "just_enrolled": False},
        )
    return render(request, "accounts/backup_codes_confirm.html")


# --- Password reset by email: Django's views with our templates -------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # The link is built from SITE_URL, never from the request's Host header.
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Proving control of the mailbox lifts a sign-in lock on this account.
        from axes.utils import reset as axes_reset

        axes_reset(username=form.user.email.lower())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
