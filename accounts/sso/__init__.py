"""Single sign-on with the schools' Microsoft 365 (Entra ID) or Google Workspace accounts.

OpenID Connect through django-allauth's `openid_connect` provider (one allauth "app" per
configured identity provider, built from settings by `adapter.PortalSocialAccountAdapter`).
The portal's own rules live here:

- `config.py`: the providers a trust configured (settings, secrets from the environment or
  files), their per-school scope and what they may vouch for (MFA).
- `claims.py`: reading an ID token: verified email, multi-factor evidence (`amr` / Entra's
  `acrs`), freshness (`auth_time`). Pure functions, tested as a table.
- `services.py`: who may sign in (`sso_match`), linking a subject, the refusal, the audit.
- `adapter.py`: allauth's hooks call the services; no rule lives there.
- `views.py`: the buttons' POST target, the refusal page, the emergency sign-in.
- `models.py`: `SSOFactorDevice`, the django-otp device that stands for "the provider's MFA
  was accepted as the second factor" for one session.
"""
