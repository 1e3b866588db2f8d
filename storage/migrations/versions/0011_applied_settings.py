"""applied_settings: the config values the rows were last brought in line with

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 19:40:00

`follow_default_schedule` runs at every start and read every chat on the default times or zone to
re-apply `[schedule]`, even when nothing had changed. It now records the defaults it applied here
and skips the scan when they are the same. An empty table (just upgraded) means one more scan.
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applied_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("applied_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_applied_settings")),
    )


def downgrade() -> None:
    op.drop_table("applied_settings")
