"""The configuration of the local OpenID Connect provider (scripts/oidc_provider.mjs) and the
portal's matching SSO_PROVIDERS, for the demo (`make oidc-demo`) and the browser tests.

Two clients stand in for the trust's providers: "entra-demo" (Entra ID style: `acrs` when
MFA was used) and "google-demo" (Google style, with `amr`); both accept the provider's MFA.
"""

from __future__ import annotations

from typing import Any

DEMO_PORT = 9000
DEMO_SECRET_ENV = "SSO_DEMO_CLIENT_SECRET"
CLIENTS = (
    # id, button label, style / kind
    ("entra-demo", "Microsoft 365 (demo)", "entra"),
    ("google-demo", "Google (demo)", "google"),
)


def provider_config(
    *, issuer: str, port: int, site_urls: list[str], accounts: list[dict[str, str]], secret: str
) -> dict[str, Any]:
    """The JSON scripts/oidc_provider.mjs reads."""
    return {
        "issuer": issuer,
        "port": port,
        "clients": [
            {
                "client_id": f"portal-{slug}",
                "client_secret": secret,
                "name": label,
                "style": style,
                "redirect_uris": [
                    f"{site.rstrip('/')}/accounts/sso/{slug}/login/callback/" for site in site_urls
                ],
            }
            for slug, label, style in CLIENTS
        ],
        "accounts": accounts,
    }


def portal_providers(*, issuer: str, probe: bool) -> list[dict[str, Any]]:
    """SSO_PROVIDERS entries for the local provider (secret from DEMO_SECRET_ENV)."""
    return [
        {
            "id": slug,
            "name": label,
            "kind": style,
            "issuer": issuer,
            "client_id": f"portal-{slug}",
            "client_secret_env": DEMO_SECRET_ENV,
            "accept_mfa": True,
            **({"acrs": "c1"} if style == "entra" else {}),
            "probe": probe,
        }
        for slug, label, style in CLIENTS
    ]


def demo_accounts() -> list[dict[str, str]]:
    """The demo trust's people (accounts/demo.py, same addresses), plus one newcomer the
    portal does not know, to show the refusal."""
    from ..demo import SCHOOL_PEOPLE, SCHOOLS, TRUST_PEOPLE

    people = []
    for slug, *_ in SCHOOLS:
        for local, _role, given, family in SCHOOL_PEOPLE:
            people.append({"email": f"{local}@{slug}.starmat.example", "name": f"{given} {family}"})
    for local, _role, full_name in TRUST_PEOPLE:
        people.append({"email": f"{local}@starmat.example", "name": full_name})
    slug = SCHOOLS[0][0]
    people.append({"email": f"newcomer@{slug}.starmat.example", "name": "Nia Newcomer"})
    return people
