import pytest

from channels.gates import ESCROW_GATE, GATES, register_gate
from channels.models import OfficialAccount

from .factories import make_account


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


@pytest.fixture
def acct(world):
    """One account of school A in each state that matters, run by teacher_a with staff_a as
    deputy; decided by leader_a. School B has an active account of its own."""
    S = OfficialAccount.Status
    made = {}
    for status in S.values:
        made[status] = make_account(
            world.school_a,
            requested_by=world.teacher_a,
            deputies=[world.staff_a],
            status=status,
            decided_by=world.leader_a if status not in (S.DRAFT, S.SUBMITTED) else None,
        )
    made["b_active"] = make_account(
        world.school_b,
        requested_by=world.teacher_b,
        deputies=[world.staff_b],
        status=S.ACTIVE,
        decided_by=world.leader_b,
    )
    return made
