"""docs/data-protection.md stays in step with the models (issue 19): every model of the
project that holds personal data (a person's name, email, address, free text they wrote, or
a link to a person) is named in it, so a DPO copying it into their record of processing
misses nothing."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

DOC = Path(settings.BASE_DIR) / "docs" / "data-protection.md"
PROJECT_APPS = {
    "accounts",
    "audit",
    "notifications",
    "channels",
    "escrow",
    "consents",
    "breaches",
    "policies",
    "dashboard",
    "privacy",
    "sso",
    "scim",
}
PERSONAL_NAME = re.compile(
    r"(^|_)(name|email|ip_address|description|text|reason|details|label|repr|summary|"
    r"session_data|content|context|data|link|handle|relationship)$"
)
PEOPLE = {"accounts.User", "consents.Student", "consents.Carer"}


def personal_fields(model) -> list[str]:
    found = []
    for f in model._meta.get_fields():
        if not getattr(f, "concrete", False) or f.auto_created and not f.is_relation:
            continue
        target = getattr(f, "related_model", None)
        if (
            f.is_relation
            and target is not None
            and target._meta.label in PEOPLE
            or not f.is_relation
            and PERSONAL_NAME.search(f.name)
        ):
            found.append(f.name)
    return found


def models_with_personal_fields() -> dict[str, list[str]]:
    out = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.proxy:
            continue
        fields = personal_fields(model)
        if fields or model._meta.label in PEOPLE:
            out[model._meta.label] = fields
    return out


def test_every_model_with_personal_fields_is_in_the_record_of_processing():
    text = DOC.read_text()
    missing = {
        label: fields
        for label, fields in models_with_personal_fields().items()
        if f"`{label}`" not in text
    }
    assert not missing, (
        "docs/data-protection.md does not describe these models with personal fields (name "
        f"each as `app_label.Model` with its purpose, basis, access, storage and retention): {missing}"
    )


def test_the_record_names_no_model_that_no_longer_exists():
    text = DOC.read_text()
    named = set(re.findall(r"`([a-z_]+\.[A-Z][A-Za-z]+)`", text))
    labels = {m._meta.label for m in apps.get_models()}
    assert not named - labels, named - labels


def test_every_retention_category_of_the_schedule_is_documented():
    text = DOC.read_text()
    for key in settings.DATA_RETENTION_DAYS:
        assert f"`{key}`" in text, key
