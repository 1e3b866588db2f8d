"""stories still open to new sources: signature and lookup keys by today's signature rule

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 19:30:00

The story signature once read the title and the first 60 body syllables; it now reads the title
and the lead sentence, cut at 40 syllables (news.fingerprint). A story stored before keeps the old
signature: on 1,000 VietNews articles the same text signs a median 12 bits away by the two rules,
80.5% of them more than 7, so a copy arriving within the story's 3-day window
(storage.story_match.STORY_WINDOW) started a second story. Only those stories are
re-signed: older ones are closed to new sources and are never compared again. Each is signed from
its first item (the one that created it, so the one whose text gave the story its signature) and
its keys rewritten; items.signature, which nothing reads, is left as it was.

The signature is computed by news.fingerprint itself, not spelled out here: whatever rule the
running code has is the one stored signatures must follow, so re-signing with a later rule is
still right. The key arithmetic is spelled out (it is migration 0003's), as a later key scheme
would rewrite every story's keys from stories.signature in its own migration.

Cost: one indexed range of stories by first_seen_at, the first item of each through
ix_items_story_id, signing (~0.3 ms), and three statements per 1,000 stories. 16,846 stories of
VietNews text all re-signed: 7.5 s on SQLite, 8.8 s on PostgreSQL (0.44 and 0.52 ms per story); a
bot reading dozens of sources has a few thousand stories in three days. Nothing to undo on
downgrade: the code of revision 0010 already signs new items by this rule.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from news.fingerprint import fingerprint_and_signature, to_signed64
from storage.models import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_WINDOW = timedelta(days=3)  # storage.story_match.STORY_WINDOW when this was written
_BATCH = 1000

_OPEN_STORIES = sa.text(
    "SELECT s.id, s.first_seen_at, s.signature, i.title, i.body FROM stories AS s "
    "JOIN items AS i ON i.id = (SELECT min(id) FROM items WHERE story_id = s.id) "
    "WHERE s.first_seen_at >= :since AND s.id > :after ORDER BY s.id LIMIT :limit"
).bindparams(sa.bindparam("since", type_=UTCDateTime()))


def _chunk_keys(signature: int) -> list[int]:
    unsigned = signature & ((1 << 64) - 1)
    if unsigned == 0:
        return []
    return [(1 << 23) + (index << 16) + ((unsigned >> (16 * index)) & 0xFFFF) for index in range(4)]


def _resign(conn, stories: list[tuple[int, object, int, int]]) -> None:
    """Store (id, first_seen_at, old signature, new signature) of each story: three statements."""
    conn.execute(
        sa.text("UPDATE stories SET signature = :s WHERE id = :id"),
        [{"s": new, "id": story_id} for story_id, _, _, new in stories],
    )
    # By the whole primary key: story_bands has no index on story_id alone.
    old_keys = [
        {"band": key, "seen": seen, "id": story_id}
        for story_id, seen, old, _ in stories
        for key in _chunk_keys(old)
    ]
    if old_keys:
        conn.execute(
            sa.text(
                "DELETE FROM story_bands WHERE band = :band AND first_seen_at = :seen AND story_id = :id"
            ),
            old_keys,
        )
    new_keys = [
        {"band": key, "seen": seen, "id": story_id, "s": new}
        for story_id, seen, _, new in stories
        for key in _chunk_keys(new)
    ]
    if new_keys:
        conn.execute(
            sa.text(
                "INSERT INTO story_bands (band, first_seen_at, story_id, signature) VALUES (:band, :seen, :id, :s)"
            ),
            new_keys,
        )


def upgrade() -> None:
    conn = op.get_bind()
    since = datetime.now(UTC) - _WINDOW
    after = 0
    while True:
        stories = conn.execute(_OPEN_STORIES, {"since": since, "after": after, "limit": _BATCH}).all()
        if not stories:
            return
        changed = []
        for story_id, first_seen_at, stored, title, body in stories:
            signature = to_signed64(fingerprint_and_signature(title, body)[1])
            if signature != stored:
                changed.append((story_id, first_seen_at, stored, signature))
        if changed:
            _resign(conn, changed)
        after = stories[-1][0]


def downgrade() -> None:
    pass
