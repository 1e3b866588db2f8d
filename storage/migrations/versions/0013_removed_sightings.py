"""removed_sightings and removed_follows: what a removed source's followers already got; story_sources
ids never given twice on SQLite

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 22:20:00

Removing a source deleted its story_sources rows, so a chat that had got a story through it got the
story again when another source carried it: the digest decides "already sent" by the first sighting
among the chat's sources. Removal now copies the source's recent sightings (same ids) and who
followed it into these two new tables (storage.removed_sources). Two empty tables: nothing to copy
or rewrite, whatever the size of story_sources. A chat that stops following a source (/unsubscribe)
is remembered the same way, with the newest sighting id then: later sightings never reached it.

On SQLite a rowid without AUTOINCREMENT is the largest one plus one: once a removed source's sightings
were the newest rows, the next sightings took their ids again, at or under the cursors of the chats
that had got them, and were never sent. story_sources is rebuilt once with AUTOINCREMENT (SQLite only:
a PostgreSQL sequence never gives an id twice). Cost: one copy of the table and its two indexes, as
migration 0005 made.
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _story_sources_autoincrement(on: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "story_sources", recreate="always", table_kwargs={"sqlite_autoincrement": on}
        ):
            pass


def upgrade() -> None:
    _story_sources_autoincrement(True)
    op.create_table(
        "removed_sightings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_removed_sightings_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removed_sightings")),
    )
    op.create_index(op.f("ix_removed_sightings_story_id"), "removed_sightings", ["story_id"])
    op.create_index(op.f("ix_removed_sightings_seen_at"), "removed_sightings", ["seen_at"])
    op.create_table(
        "removed_follows",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("removed_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until_sighting", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_removed_follows_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "source_id", name=op.f("pk_removed_follows")),
    )
    op.create_index(op.f("ix_removed_follows_removed_at"), "removed_follows", ["removed_at"])


def downgrade() -> None:
    op.drop_table("removed_follows")
    op.drop_table("removed_sightings")
    _story_sources_autoincrement(False)
