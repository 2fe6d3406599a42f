"""Forms for sign-in, the second factor, step-up and password reset (issue: Sign-in)."""

from __future__ import annotations

import hashlib
import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def axes_username(request, credentials: dict | None = None) -> str:
    """The key django-axes locks on: the email as typed, lower-cased.

    Without this, `Lee@School.example` and `lee@school.example` would count failures
    separately and double the guesses allowed before the lock (AXES_USERNAME_CALLABLE).
    """
    if credentials:
        value = credentials.get("username") or credentials.get("email") or ""
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username", "")
    value = str(value).strip().lower()
    # Something that is not an email address may be a password typed into the wrong box:
    # axes stores and logs this key, so keep only a digest of it (still one lock per value).
    if not EMAIL_SHAPE.fullmatch(value):
        return "not-an-email:" + hashlib.sha256(value.encode()).hexdigest()[:16]
    return value


class EmailAuthenticationForm(AuthenticationForm):
    """Email and password. The email is matched case-insensitively."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That email address and password do not match an account. Check both and try "
            "again, or use “Forgotten your password?” below."
        ),
        "inactive": "This account is no longer active. Ask your trust administrator.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


def _normalise_code(value: str) -> str:
    # Authenticator apps show "123 456"; backup codes are printed in lower case.
    return "".join(value.split()).lower()


class OTPTokenForm(forms.Form):
    """One code: a TOTP code from the authenticator app or, where allowed, a backup code."""

    otp_token = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )

    def clean_otp_token(self) -> str:
        token = _normalise_code(self.cleaned_data["otp_token"])
        if not token:
            raise forms.ValidationError("Enter the code.")
        return token


class EnrolForm(OTPTokenForm):
    """The first code from a newly added authenticator proves it was set up correctly."""

    otp_token = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        token = super().clean_otp_token()
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError("Enter the six digits your authenticator app shows.")
        return token


class StepUpForm(forms.Form):
    """Password and a fresh authenticator code before a sensitive action."""

    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    otp_token = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_otp_token(self) -> str:
        return _normalise_code(self.cleaned_data["otp_token"])


class StepUpCodeForm(forms.Form):
    """A fresh authenticator code alone: the step-up of a session signed in with single
    sign-on, where the portal holds no password to ask for (issue 20)."""

    otp_token = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        return _normalise_code(self.cleaned_data["otp_token"])


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
