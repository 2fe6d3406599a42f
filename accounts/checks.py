"""Every `manage.py` command says how to get a database when development has none
(config/settings/dev.py sets DATABASE_NOTICE then)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register


@register()
def database_notice_check(app_configs=None, **kwargs) -> list[Warning]:
    notice = getattr(settings, "DATABASE_NOTICE", "")
    return [Warning(notice, id="accounts.W001")] if notice else []
