"""The chain's lanes: what the chain (audit/chain.py) and its checkpoints outside the database
(audit/anchor.py) both name."""

from __future__ import annotations

from typing import NamedTuple

# Entries from before the lanes, and every entry of a one-lane chain, are in lane 1.
FIRST_LANE = 1


class LaneHead(NamedTuple):
    """The last entry of one lane: what a checkpoint anchors for it."""

    lane: int
    entry_id: int
    entry_hash: str
    key_id: str
