"""story lookup keys: four 16-bit chunks instead of 28 pairs of 8-bit bands

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:30:00

`story_bands` keeps its columns; what a row's `band` means changes (storage/story_match.py says
why). Upgrading rewrites every story's keys from `stories.signature`, downgrading writes the pair
keys back. The key arithmetic is spelled out here, not imported: a migration must keep doing
what it did when it was written.
"""

from itertools import combinations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 5000
_PAIRS = tuple(combinations(range(8), 2))


def _unsigned(signature: int) -> int:
    return signature & ((1 << 64) - 1)


def _chunk_keys(signature: int) -> list[int]:
    unsigned = _unsigned(signature)
    if unsigned == 0:
        return []
    return [(1 << 23) + (index << 16) + ((unsigned >> (16 * index)) & 0xFFFF) for index in range(4)]


def _pair_keys(signature: int) -> list[int]:
    unsigned = _unsigned(signature)
    if unsigned == 0:
        return []
    bands = [(unsigned >> (index * 8)) & 0xFF for index in range(8)]
    return [(1 << 21) + (pair << 16) + (bands[i] << 8) + bands[j] for pair, (i, j) in enumerate(_PAIRS)]


def _rewrite_keys(keys_of) -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM story_bands"))
    after = 0
    while True:
        stories = conn.execute(
            sa.text("SELECT id, signature FROM stories WHERE id > :after ORDER BY id LIMIT :limit"),
            {"after": after, "limit": _BATCH},
        ).all()
        if not stories:
            return
        rows = [
            {"band": key, "story_id": story_id}
            for story_id, signature in stories
            for key in keys_of(signature)
        ]
        if rows:
            conn.execute(sa.text("INSERT INTO story_bands (band, story_id) VALUES (:band, :story_id)"), rows)
        after = stories[-1][0]


def upgrade() -> None:
    _rewrite_keys(_chunk_keys)


def downgrade() -> None:
    _rewrite_keys(_pair_keys)
