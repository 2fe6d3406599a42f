"""Installs accounts.admin_site.PortalAdminSite as the default admin site.

Kept apart from admin.py: INSTALLED_APPS imports this module before models are ready.
"""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.PortalAdminSite"
