"""story_sources: drop the single-column indexes the composite ones cover

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 13:10:00

`ix_story_sources_story_id` is the leading column of the (story_id, source_id) unique
constraint's index, and `ix_story_sources_source_id` of the (source_id, published_at, story_id)
index added by 0005. Every new link wrote both for nothing.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_story_sources_story_id", table_name="story_sources")
    op.drop_index("ix_story_sources_source_id", table_name="story_sources")


def downgrade() -> None:
    op.create_index("ix_story_sources_source_id", "story_sources", ["source_id"], unique=False)
    op.create_index("ix_story_sources_story_id", "story_sources", ["story_id"], unique=False)
