"""SCIM User resource <-> the portal's DirectoryAccount and User (django-scim2 adapter).

Reading requests as Entra ID and Google send them: the PATCH op's case varies ("Replace",
"replace", "Add"), a boolean may come as the string "False" (Entra ID before the SCIM 2.0
compliance flag), and an operation may carry a path or a dict of attribute paths. Attributes
the portal does not keep (title, phone numbers, addresses, the enterprise extension) are
accepted and not stored: the portal keeps the least personal data it needs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlunsplit

from django.conf import settings
from django.http import HttpRequest
from django_scim import exceptions
from django_scim.adapters import SCIMUser
from django_scim.constants import SchemaURI
from django_scim.models import SCIMServiceProviderConfig

from .filters import DirectoryAccountFilterQuery
from .models import DirectoryAccount
from .services import (
    PersonData,
    ProvisioningError,
    scim_user_deactivate,
    scim_user_provision,
    scim_user_update,
)


def directory_account_model() -> type[DirectoryAccount]:
    """django-scim2's USER_MODEL_GETTER: the SCIM User resource is the directory's link."""
    return DirectoryAccount


def base_location(request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> str:
    """Absolute URLs in responses come from SITE_URL, never from the request's Host."""
    scim = settings.SCIM_SERVICE_PROVIDER
    return urlunsplit((scim["SCHEME"], scim["NETLOC"], "", "", ""))


def directory_filter_kwargs(model: type) -> Any:
    """GET_EXTRA_MODEL_FILTER_KWARGS_GETTER: every lookup is limited to the caller's
    directory; another directory's person answers 404 like a missing one."""

    def getter(request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"directory": request.scim_directory}

    return getter


def _boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise exceptions.BadRequestError(f'"{name}" must be true or false.', scim_type="invalidValue")


def _primary_email(value: Any) -> str | None:
    """The work (else primary, else first) address of a SCIM `emails` value."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not value:
        return None
    items = [v for v in value if isinstance(v, dict) and isinstance(v.get("value"), str)]
    for pick in (
        lambda e: e.get("type") == "work",
        lambda e: e.get("primary") in (True, "true", "True"),
        lambda e: True,
    ):
        for item in items:
            if pick(item):
                return item["value"]
    return None


def _full_name(body: dict[str, Any]) -> str | None:
    name = body.get("name") if isinstance(body.get("name"), dict) else {}
    if isinstance(body.get("displayName"), str) and body["displayName"].strip():
        return body["displayName"]
    if isinstance(name.get("formatted"), str) and name["formatted"].strip():
        return name["formatted"]
    parts = [name.get("givenName"), name.get("familyName")]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return joined or None


class PortalSCIMUser(SCIMUser):
    """The adapter django-scim2's views call (USER_ADAPTER)."""

    id_field = "scim_id"
    url_name = "scim:users"
    ATTR_MAP = DirectoryAccountFilterQuery.attr_map

    def __init__(self, obj: DirectoryAccount, request: HttpRequest | None = None):
        super().__init__(obj, request=request)
        self._incoming: PersonData | None = None

    # --- reading --------------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        return self.obj.user.full_name

    @property
    def meta(self) -> dict[str, Any]:
        return {
            "resourceType": "User",
            "created": self.obj.created_at.isoformat(),
            "lastModified": self.obj.updated_at.isoformat(),
            "location": self.location,
        }

    def to_dict(self) -> dict[str, Any]:
        user = self.obj.user
        given, _, family = user.full_name.partition(" ")
        return {
            "schemas": [SchemaURI.USER],
            "id": self.id,
            "externalId": self.obj.external_id or None,
            "userName": self.obj.user_name,
            "name": {"formatted": user.full_name, "givenName": given, "familyName": family},
            "displayName": user.full_name,
            "emails": [{"value": user.email, "type": "work", "primary": True}],
            "active": self.obj.active,
            "meta": self.meta,
        }

    # --- POST / PUT -----------------------------------------------------------------------
    def validate_dict(self, d: dict[str, Any]) -> None:
        if not isinstance(d.get("userName"), str) or not d["userName"].strip():
            raise exceptions.BadRequestError("userName is required.", scim_type="invalidValue")
        if "active" in d:
            _boolean(d["active"], "active")

    def from_dict(self, d: dict[str, Any]) -> None:
        self._incoming = PersonData(
            user_name=d["userName"],
            email=_primary_email(d.get("emails")) or d["userName"],
            full_name=_full_name(d),
            external_id=d.get("externalId") if isinstance(d.get("externalId"), str) else "",
            active=_boolean(d["active"], "active") if "active" in d else None,
        )

    def save(self) -> None:
        data = self._incoming or PersonData()
        try:
            if self.obj.pk is None:
                self.obj = scim_user_provision(directory=self.request.scim_directory, data=data)
            else:
                self.obj = scim_user_update(account=self.obj, data=data)
        except ProvisioningError as exc:
            raise exceptions.SCIMException(
                str(exc), status=exc.status, scim_type=exc.scim_type
            ) from None

    def delete(self) -> None:
        scim_user_deactivate(account=self.obj, delete=True)

    # --- PATCH ----------------------------------------------------------------------------
    def handle_operations(self, operations: list[dict[str, Any]]) -> None:
        data = PersonData()
        if not isinstance(operations, list):
            raise exceptions.BadRequestError("Operations must be a list.")
        for operation in operations:
            if not isinstance(operation, dict):
                raise exceptions.BadRequestError("Each operation must be an object.")
            op = str(operation.get("op", "")).lower()
            if op not in ("add", "replace", "remove"):
                raise exceptions.BadRequestError(f'Unknown PATCH op "{operation.get("op")}"')
            path, value = operation.get("path"), operation.get("value")
            if path:
                pairs = [(str(path), value)]
            elif isinstance(value, dict):
                pairs = [(str(k), v) for k, v in value.items()]
            else:
                raise exceptions.BadRequestError(
                    "An operation needs a path or an object of attributes.", scim_type="noTarget"
                )
            for attr_path, attr_value in pairs:
                self._apply(data, op, attr_path, attr_value)
        try:
            self.obj = scim_user_update(account=self.obj, data=data)
        except ProvisioningError as exc:
            raise exceptions.SCIMException(
                str(exc), status=exc.status, scim_type=exc.scim_type
            ) from None

    def _apply(self, data: PersonData, op: str, path: str, value: Any) -> None:
        target = self._target(path)
        if op == "remove":
            if target == "externalId":
                data.external_id = ""
            return  # nothing else the portal keeps can be removed
        if target == "active":
            data.active = _boolean(value, "active")
        elif target == "userName":
            if not isinstance(value, str) or not value.strip():
                raise exceptions.BadRequestError("userName cannot be empty.")
            data.user_name = value
        elif target == "externalId":
            data.external_id = value if isinstance(value, str) else ""
        elif target == "email":
            email = value if isinstance(value, str) else _primary_email(value)
            if email:
                data.email = email
        elif target == "name" and isinstance(value, dict):
            full = _full_name({"name": value})
            if full:
                data.full_name = full
        elif target in ("displayName", "name.formatted") and isinstance(value, str):
            data.full_name = value
        elif target in ("name.givenName", "name.familyName") and isinstance(value, str):
            given, _, family = (data.full_name or self.obj.user.full_name).partition(" ")
            if target == "name.givenName":
                given = value
            else:
                family = value
            data.full_name = f"{given} {family}".strip()

    def _target(self, path: str) -> str:
        """The attribute a PATCH path points at, as one name ("emails[type eq "work"].value"
        -> "email")."""
        parts = list(self.split_path(path))
        last = parts[-1]
        if last.uri and last.uri != SchemaURI.USER:
            return ""  # an extension attribute: not kept
        if last.attr_name == "emails":
            return "email"
        if last.attr_name == "name" and last.sub_attr:
            return f"name.{last.sub_attr}"
        return last.attr_name


class PortalServiceProviderConfig(SCIMServiceProviderConfig):
    """What the endpoint supports: PATCH and filters (userName eq), no bulk, no passwords."""

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["filter"] = {"supported": True, "maxResults": 50}
        d["changePassword"] = {"supported": False}
        return d
