"""stories remember the day of a source that gave no time of day

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 17:20:00

`stories.published_day` is set when the source wrote a day and no time (`Ngày: 19.09.2019`):
readers are shown that day, not the 00:00 the parsed date carried. Stories stored before stay
NULL: a stored 00:00 cannot tell a missing time from a real midnight.

Plain ALTER TABLE on both databases, for the reason given in 0006.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("published_day", sa.Date(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE stories DROP COLUMN published_day")
