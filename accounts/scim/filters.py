"""SCIM filters (`GET /Users?filter=userName eq "..."`) over one directory's accounts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django_scim.filters import UserFilterQuery
from scim2_filter_parser.queries.sql import SQLQuery

from .models import DirectoryAccount


class DirectoryAccountFilterQuery(UserFilterQuery):
    """django-scim2's parser turns the filter into SQL over DirectoryAccount columns
    (comparisons are case-insensitive, as SCIM wants for userName); the result is then
    limited to the calling directory in an outer query, so an `or` in the filter can never
    reach another directory's people."""

    model_getter = staticmethod(lambda: DirectoryAccount)
    attr_map = {
        ("userName", None, None): "user_name",
        ("externalId", None, None): "external_id",
        ("active", None, None): "active",
        ("id", None, None): "scim_id",
    }

    @classmethod
    def search(cls, filter_query: str, request: HttpRequest | None = None) -> QuerySet:
        query = SQLQuery(filter_query, DirectoryAccount._meta.db_table, cls.attr_map)
        if query.where_sql is None or request is None:
            return DirectoryAccount.objects.none()
        sql = (
            f"SELECT * FROM ({query.sql.strip().rstrip(';')}) AS matched "
            "WHERE matched.directory_id = %s ORDER BY matched.id"
        )
        params = [*query.params, request.scim_directory.pk]
        return DirectoryAccount.objects.raw(sql, params)
