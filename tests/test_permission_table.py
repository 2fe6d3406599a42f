import pytest
from django.urls import reverse

from .permissions import Row, all_rows, all_url_names, required_url_names

ROWS = all_rows()


def test_every_url_is_in_the_table():
    covered = {row.url_name for row in ROWS}
    missing = sorted(required_url_names() - covered)
    assert not missing, f"URL names with no row in any tests/<app>/permission_rows.py: {missing}"


def test_table_names_only_existing_urls():
    unknown = sorted({row.url_name for row in ROWS} - all_url_names())
    assert not unknown, f"rows for URL names that do not exist: {unknown}"


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_permission(row: Row, world, client_for):
    client = client_for(row.persona)
    url = reverse(row.url_name, kwargs=row.kwargs(world) if row.kwargs else None)
    data = row.data(world) if row.data else None
    response = getattr(client, row.method)(url, data=data)
    assert response.status_code == row.status, (
        f"{row.persona} {row.method.upper()} {url}: expected {row.status}, "
        f"got {response.status_code} {response.get('Location', '')}"
    )
