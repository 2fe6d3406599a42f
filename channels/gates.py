"""The one place that decides whether an account may go live (4.5b, 4.5c).

`activation_blockers(account)` lists, in plain words, everything that stops the account from
becoming active. Every move into "active" (activation and reinstatement) asks it.

Plug point for the credential escrow (issue 5): the escrow app calls
`register_gate(ESCROW_GATE, check)` from its AppConfig.ready(), where `check(account)` returns
None when current login details are in escrow, or a sentence saying what is missing. Until an
escrow check is registered, no account can pass the gate: the policy (4.5c) requires the login
details before activation, and this app does not pretend they were given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import OfficialAccount

GateCheck = Callable[["OfficialAccount"], str | None]

ESCROW_GATE = "escrow"
ESCROW_MISSING = (
    "The login details must be given to a leader in the credential escrow before the account "
    "goes live (4.5c), and the escrow is not available yet."
)

# name -> check. Registered by apps at start-up; tests may register and remove their own.
GATES: dict[str, GateCheck] = {}


def register_gate(name: str, check: GateCheck) -> None:
    GATES[name] = check


def unregister_gate(name: str) -> None:
    GATES.pop(name, None)


def activation_blockers(account: OfficialAccount) -> list[str]:
    """Why `account` may not become active now; an empty list means it may."""
    from .models import OfficialAccount

    Status = OfficialAccount.Status
    blockers: list[str] = []
    if account.status not in (Status.APPROVED, Status.SUSPENDED) or account.decided_by_id is None:
        blockers.append("A leader of the school must approve the account first (4.2, 4.5b).")
    if account.needs_new_owner:
        blockers.append("The account needs a new owner: a leader must hand it over first (5.13).")
    if ESCROW_GATE not in GATES:
        blockers.append(ESCROW_MISSING)
    for _name, check in GATES.items():
        problem = check(account)
        if problem:
            blockers.append(problem)
    return blockers
