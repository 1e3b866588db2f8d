"""sources remember their last stored document's items

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:10:00

`sources.entry_memo` holds a digest of every item element of the source's last stored feed
document, with what else shapes its entries (news.feed_memo): the next poll parses only the
items that changed. NULL (every source after this migration, and any page that is not a feed)
means: parse the whole document, as before.

Both directions are plain ALTER TABLE, also on SQLite (3.35+ drops columns): a batch rebuild
of `sources` would drop the old table, and with foreign keys on, that deletes every item and
story link of every source (ON DELETE CASCADE).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sources", sa.Column("entry_memo", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE sources DROP COLUMN entry_memo")
