"""full-text search over items

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:00:00

SQLite: a contentless FTS5 table `items_fts` (columns title, body; tokenizer unicode61 with
diacritics removed) kept in step with `items` by triggers. `body` is `items.search_text`, already
folded by `news.tones.search_key`; `title` is the raw title with `đ`/`Đ` replaced (the tokenizer
folds every other Vietnamese mark but not that letter), so a title match can weigh more.

PostgreSQL: a generated column `items.search_vector` (title weighted A, search_text weighted D,
`simple` config: the text is folded already, the title folded here with `translate`) and its GIN
index. Both are outside the models: `storage.schema.include_object` hides them from autogenerate.

A later migration that rebuilds `items` on SQLite (a batch alter) drops the triggers with the old
table: re-create them there with `create_sqlite_triggers()`.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Every precomposed Vietnamese letter (NFC) and its folded lower-case ASCII letter.
VIETNAMESE_LETTERS = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)
FOLDED_LETTERS = (
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
)


def _sqlite_title(row: str) -> str:
    return f"replace(replace({row}.title, 'đ', 'd'), 'Đ', 'D')"


def _sqlite_insert(row: str) -> str:
    return (
        f"INSERT INTO items_fts(rowid, title, body) "
        f"VALUES ({row}.id, {_sqlite_title(row)}, {row}.search_text);"
    )


def _sqlite_delete(row: str) -> str:
    # A contentless table forgets a row only when given the very values it indexed.
    return (
        f"INSERT INTO items_fts(items_fts, rowid, title, body) "
        f"VALUES ('delete', {row}.id, {_sqlite_title(row)}, {row}.search_text);"
    )


def create_sqlite_triggers() -> None:
    op.execute(f"CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN {_sqlite_insert('new')} END")
    op.execute(f"CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN {_sqlite_delete('old')} END")
    op.execute(
        "CREATE TRIGGER items_fts_update AFTER UPDATE OF title, search_text ON items BEGIN "
        f"{_sqlite_delete('old')} {_sqlite_insert('new')} END"
    )


def _upgrade_sqlite() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE items_fts USING fts5("
        "title, body, content='', tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    op.execute(
        "INSERT INTO items_fts(rowid, title, body) "
        f"SELECT id, {_sqlite_title('items')}, search_text FROM items"
    )
    create_sqlite_triggers()


def _downgrade_sqlite() -> None:
    for trigger in ("items_fts_insert", "items_fts_delete", "items_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS items_fts")


def _upgrade_postgresql() -> None:
    title = f"translate(title, '{VIETNAMESE_LETTERS}', '{FOLDED_LETTERS}')"
    op.execute(
        "ALTER TABLE items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('simple'::regconfig, coalesce({title}, '')), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, coalesce(search_text, '')), 'D')) STORED"
    )
    op.execute("CREATE INDEX ix_items_search_vector ON items USING gin (search_vector)")


def _downgrade_postgresql() -> None:
    op.execute("DROP INDEX IF EXISTS ix_items_search_vector")
    op.execute("ALTER TABLE items DROP COLUMN IF EXISTS search_vector")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _upgrade_sqlite()
    elif dialect == "postgresql":
        _upgrade_postgresql()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _downgrade_sqlite()
    elif dialect == "postgresql":
        _downgrade_postgresql()
