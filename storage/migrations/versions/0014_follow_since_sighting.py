"""subscriptions.since_sighting and removed_follows.since_sighting: where a follow began

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 01:30:00

A chat's digest counts a story as already got when its first sighting among the chat's sources, or
the sources it left, is at or under the chat's cursor. Only the end of a follow was stored, so a
source's sightings from *before* the chat followed it counted too: a story that source told before a
brief follow never came when a source the chat still follows carried it later. Each follow now keeps
the chat's cursor when it began. Rows already there get 0 (unknown: every earlier sighting counts,
as before). Two columns added with a default: no table is rewritten on PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("subscriptions", "removed_follows")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("since_sighting", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("since_sighting")
