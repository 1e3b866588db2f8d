"""story_sources carry the story's published time, indexed per source

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 11:00:00

`/latest 5 <source>` ordered the stories by their published time after collecting every story
the source carried: at 1,000,000 items a source has ~25,000 of them, and collecting and sorting
them took ~65 ms on SQLite. Walking the stories' published-time index instead is fast for a busy
source but reads most of that index for a source with a few old stories. With the story's
published time (fixed once the story exists) copied into `story_sources` and an index on
(source_id, published_at, story_id), a source's newest stories are one short range of one index,
whatever the source's shape.

The column is filled from `stories`. SQLite cannot add a NOT NULL column without a default, so
the column goes in nullable, is filled, then the table is rebuilt with it NOT NULL (batch mode
keeps every id, which digest cursors rely on). PostgreSQL: add, fill with UPDATE ... FROM, set
NOT NULL.
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INDEX = "ix_story_sources_source_id_published_at_story_id"


def upgrade() -> None:
    column = sa.Column("published_at", storage.models.UTCDateTime(timezone=True), nullable=True)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("story_sources") as batch_op:
            batch_op.add_column(column)
        op.execute(
            "UPDATE story_sources SET published_at = "
            "(SELECT s.published_at FROM stories AS s WHERE s.id = story_sources.story_id)"
        )
        with op.batch_alter_table("story_sources") as batch_op:
            batch_op.alter_column("published_at", existing_type=column.type, nullable=False)
            batch_op.create_index(_INDEX, ["source_id", "published_at", "story_id"], unique=False)
        return
    op.add_column("story_sources", column)
    op.execute(
        "UPDATE story_sources AS l SET published_at = s.published_at FROM stories AS s WHERE s.id = l.story_id"
    )
    op.alter_column("story_sources", "published_at", nullable=False)
    op.create_index(_INDEX, "story_sources", ["source_id", "published_at", "story_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("story_sources") as batch_op:
        batch_op.drop_index(_INDEX)
        batch_op.drop_column("published_at")
