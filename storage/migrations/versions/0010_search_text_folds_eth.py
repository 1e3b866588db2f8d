"""items.search_text: the look-alikes of đ that search folds now (ð, ɖ) are folded in stored text

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 10:00:00

`news.tones.search_key` now folds Latin-1 ð/Ð and African ɖ/Ɖ, which older fonts and input methods
put for đ/Đ, to `d`: a query typed with them becomes `d`, so stored text must say `d` too, or
`Ðà Nẵng` stored before this revision would be found by no query at all. search_text is already
case-folded, so only the small letters occur. The full-text index follows through its trigger
(SQLite) or the generated column (PostgreSQL). Nothing to undo on downgrade: `d` is what the older
code makes of the plain letter as well.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE items SET search_text = replace(replace(search_text, 'ð', 'd'), 'ɖ', 'd') "
        "WHERE search_text LIKE '%ð%' OR search_text LIKE '%ɖ%'"
    )


def downgrade() -> None:
    pass
