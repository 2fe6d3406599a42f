"""What an ID token says about the person and how they signed in. Pure functions.

Sources (docs/deploy.md has the links):
- OpenID Connect Core: `email_verified`, `amr` (RFC 8176 values: `mfa`, `pwd`, `otp`...),
  `auth_time`.
- Google: ID tokens carry `email_verified` and, for Workspace accounts, `hd`; they carry no
  `amr`, so Google sign-ins never count as multi-factor here (the portal asks for its TOTP).
- Entra ID: v2.0 ID tokens carry no `amr` and no `email_verified`. The optional claim
  `xms_edov` says the email's domain is verified by the tenant; multi-factor is shown by an
  authentication context (`acrs`) that Conditional Access only grants after MFA, requested by
  the claims parameter (config.Provider.auth_params). `auth_time` is an optional claim.
"""

from __future__ import annotations

from typing import Any

from .config import Provider

# Clocks differ a little between the provider and the portal.
CLOCK_SKEW_SECONDS = 60


def _truthy(value: Any) -> bool:
    # Some providers send booleans as strings ("true"), Entra's optional claims as 1/"1".
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return False


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def verified_email(provider: Provider, claims: dict[str, Any]) -> str | None:
    """The token's email, lower-cased, when the provider vouches that it is the person's;
    else None. The portal matches people on this, never on an unverified address."""
    email = claims.get("email")
    if not isinstance(email, str) or email.count("@") != 1 or len(email) > 254:
        return None
    verified = _truthy(claims.get("email_verified"))
    if provider.kind == "entra":
        verified = verified or _truthy(claims.get("xms_edov"))
    if provider.kind == "google" and provider.hosted_domain:
        verified = verified and str(claims.get("hd") or "").lower() == provider.hosted_domain
    return email.strip().lower() if verified else None


def mfa_evidence(provider: Provider, claims: dict[str, Any]) -> str | None:
    """How the token proves a multi-factor sign-in ("amr:mfa", "acrs:c1"), or None."""
    if provider.mfa_claim == "acrs":
        if provider.acrs and provider.acrs in _as_list(claims.get("acrs")):
            return f"acrs:{provider.acrs}"
        return None
    if "mfa" in _as_list(claims.get("amr")):
        return "amr:mfa"
    return None


def accepted_second_factor(provider: Provider, claims: dict[str, Any]) -> str | None:
    """The evidence when the trust allows this provider's MFA as the second factor and the
    token proves it; else None (the portal's own TOTP is asked for)."""
    if not provider.accept_mfa:
        return None
    return mfa_evidence(provider, claims)


def authenticated_since(claims: dict[str, Any], since: float, now: float) -> bool:
    """True when the token's `auth_time` shows the person signed in at the provider after
    `since` (the moment the portal asked), within the clock skew."""
    auth_time = claims.get("auth_time")
    if isinstance(auth_time, bool) or not isinstance(auth_time, int | float):
        return False
    return since - CLOCK_SKEW_SECONDS <= auth_time <= now + CLOCK_SKEW_SECONDS
