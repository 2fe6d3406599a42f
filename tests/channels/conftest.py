import pytest

from channels.gates import ESCROW_GATE, GATES, register_gate


@pytest.fixture
def escrow_ready():
    """Stands in for the escrow app's check (issue 5) through the real plug point: the gate
    asks it exactly as it will ask the escrow app."""
    saved = dict(GATES)
    register_gate(ESCROW_GATE, lambda account: None)
    yield
    GATES.clear()
    GATES.update(saved)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def platform_catalogue(db):
    """The seeded catalogue, put back if a transactional test flushed the reused database."""
    from channels.demo import ensure_catalogue

    ensure_catalogue()
