"""The identity providers a trust signs in with (settings; secrets from the environment or files).

`settings.SSO_PROVIDERS` is a list of dicts, read from the JSON file named by the
`SSO_PROVIDERS_FILE` environment variable (docs/deploy.md, "Single sign-on"):

    {"id": "microsoft", "name": "Microsoft 365", "kind": "entra",
     "issuer": "https://login.microsoftonline.com/<tenant id>/v2.0",
     "client_id": "...", "client_secret_env": "SSO_MICROSOFT_SECRET",
     "schools": ["140002"], "accept_mfa": true, "acrs": "c1"}

- `id`: a slug; the redirect URL is SITE_URL + /accounts/sso/<id>/login/callback/.
- `kind`: `entra`, `google` or `oidc` (any other OpenID Connect provider). It decides how the
  token says its email is verified and how it says multi-factor was used (claims.py).
- `client_secret_env` (name of an environment variable) or `client_secret_file` (a path):
  the secret itself is never written in the file, the settings or the database.
- `schools`: URNs of the schools whose staff use it; left out, every school of the trust.
  The verified email must be on one of those schools' email domains (or, for a trust-wide
  provider, on `SSO_TRUST_EMAIL_DOMAINS`).
- `accept_mfa`: the trust accepts this provider's multi-factor sign-in as the second factor
  for roles that need one (only when the token proves it). `acrs`: the Entra ID
  authentication context (c1..c99) the trust's Conditional Access policy ties to MFA.
- `hosted_domain`: Google Workspace domain the token's `hd` must equal.
- `probe` (development only): show the button only while the provider answers.

Nothing here imports models, so settings checks can use it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

KINDS = ("entra", "google", "oidc")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
ACRS = re.compile(r"^c([1-9]|[1-9][0-9])$")


class ProviderConfigError(ValueError):
    """The SSO_PROVIDERS setting cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class Provider:
    """One identity provider (an OpenID Connect client registration of the portal)."""

    id: str
    name: str
    kind: str
    issuer: str
    client_id: str
    client_secret: str
    schools: tuple[str, ...] = ()
    accept_mfa: bool = False
    acrs: str = ""
    hosted_domain: str = ""
    probe: bool = False

    @property
    def trust_wide(self) -> bool:
        return not self.schools

    @property
    def mfa_claim(self) -> str:
        """The claim whose value proves multi-factor sign-in: Entra ID v2.0 ID tokens carry
        no `amr`, so an authentication context (`acrs`) is asked for and checked instead."""
        return "acrs" if self.kind == "entra" else "amr"

    def auth_params(self, *, step_up: bool = False) -> dict[str, str]:
        """Extra parameters of the authorisation request."""
        params: dict[str, str] = {}
        if self.kind == "entra" and self.acrs and self.accept_mfa:
            # Conditional Access applies the policy tied to this context and puts it in the
            # token's `acrs` claim when satisfied.
            claims = {"id_token": {"acrs": {"essential": True, "value": self.acrs}}}
            params["claims"] = json.dumps(claims, separators=(",", ":"))
        if self.kind == "google" and self.hosted_domain:
            params["hd"] = self.hosted_domain
        if step_up:
            # A fresh sign-in at the provider, whatever session it has: auth_time then says
            # when the person proved themselves, which the portal checks.
            params["prompt"] = "login"
            params["max_age"] = "0"
        return params


def _secret(entry: dict[str, Any], where: str, environ: dict[str, str]) -> str:
    if "client_secret" in entry:
        raise ProviderConfigError(
            f"{where}: write the client secret in the environment or a file "
            "(client_secret_env / client_secret_file), never in the provider list"
        )
    if entry.get("client_secret_env"):
        name = str(entry["client_secret_env"])
        value = environ.get(name, "")
        if not value:
            raise ProviderConfigError(f"{where}: the environment variable {name} is not set")
        return value
    if entry.get("client_secret_file"):
        path = Path(str(entry["client_secret_file"]))
        try:
            value = path.read_text().strip()
        except OSError as exc:
            raise ProviderConfigError(f"{where}: cannot read {path}: {exc.strerror}") from None
        if not value:
            raise ProviderConfigError(f"{where}: {path} is empty")
        return value
    raise ProviderConfigError(f"{where}: give client_secret_env or client_secret_file")


def parse_providers(
    raw: list[dict[str, Any]], environ: dict[str, str] | None = None
) -> list[Provider]:
    """Check and read the SSO_PROVIDERS setting; ProviderConfigError names what is wrong."""
    environ = dict(os.environ) if environ is None else environ
    if not isinstance(raw, list):
        raise ProviderConfigError("SSO_PROVIDERS must be a list of providers")
    providers: list[Provider] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"SSO_PROVIDERS[{index}]"
        if not isinstance(entry, dict):
            raise ProviderConfigError(f"{where} must be an object")
        missing = [k for k in ("id", "name", "kind", "issuer", "client_id") if not entry.get(k)]
        if missing:
            raise ProviderConfigError(f"{where}: missing {', '.join(missing)}")
        slug = str(entry["id"])
        if not SLUG.match(slug):
            raise ProviderConfigError(f"{where}: id must be lower-case letters, digits, '-'")
        if slug in seen:
            raise ProviderConfigError(f"{where}: the id {slug!r} is used twice")
        seen.add(slug)
        kind = str(entry["kind"])
        if kind not in KINDS:
            raise ProviderConfigError(f"{where}: kind must be one of {', '.join(KINDS)}")
        issuer = str(entry["issuer"]).rstrip("/")
        if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ProviderConfigError(f"{where}: the issuer must be an https:// URL")
        acrs = str(entry.get("acrs") or "")
        if acrs and not ACRS.match(acrs):
            raise ProviderConfigError(f"{where}: acrs must be an authentication context c1..c99")
        if kind == "entra" and entry.get("accept_mfa") and not acrs:
            raise ProviderConfigError(
                f"{where}: Entra ID tokens carry no amr; accepting its MFA needs an "
                "authentication context (acrs) tied to MFA by Conditional Access"
            )
        schools = entry.get("schools") or []
        if not isinstance(schools, list) or not all(isinstance(s, str) for s in schools):
            raise ProviderConfigError(f"{where}: schools must be a list of URNs")
        providers.append(
            Provider(
                id=slug,
                name=str(entry["name"]),
                kind=kind,
                issuer=issuer,
                client_id=str(entry["client_id"]),
                client_secret=_secret(entry, where, environ),
                schools=tuple(schools),
                accept_mfa=bool(entry.get("accept_mfa", False)),
                acrs=acrs,
                hosted_domain=str(entry.get("hosted_domain") or "").lower(),
                probe=bool(entry.get("probe", False)),
            )
        )
    return providers


@lru_cache(maxsize=8)
def _cached(raw_json: str) -> tuple[Provider, ...]:
    return tuple(parse_providers(json.loads(raw_json)))


def providers() -> tuple[Provider, ...]:
    """The configured providers (parsed once per distinct setting value)."""
    from django.conf import settings

    return _cached(json.dumps(getattr(settings, "SSO_PROVIDERS", []), sort_keys=True))


def get_provider(provider_id: str) -> Provider | None:
    return next((p for p in providers() if p.id == provider_id), None)


def read_providers_file(path: str) -> list[dict[str, Any]]:
    """The provider list from a JSON file (settings: SSO_PROVIDERS_FILE)."""
    if not path:
        return []
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, list):
        raise ProviderConfigError(f"{path} must hold a JSON list of providers")
    return data
