"""search (PostgreSQL): words joined by punctuation are indexed one by one

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 09:00:00

PostgreSQL's text parser reads `tp.hcm` as a host name, `19.09.2019` as a version, `ubnd/so` as a
file path and `-19` as a signed number: one token each, so `hcm`, `2019` or `so` never matched,
where SQLite's tokenizer (and the query, split by storage.search) sees separate words. The vector
is now built from the text with punctuation turned into spaces: ASCII punctuation and the
typographic marks news uses (in a database whose ctype is `C` the parser takes every non-ASCII
character for a letter, so `“se` would be a word). Invisible characters (soft hyphen, zero-width
space and joiners) are dropped, as `news.tones.match_key` drops them from `search_text`.

A generated column's expression cannot be altered before PostgreSQL 17: the column and its index
are made again (the table is rewritten once). SQLite is unchanged.
"""

import string

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

VIETNAMESE_LETTERS = (
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ"
)
FOLDED_LETTERS = (
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
)
PUNCTUATION = string.punctuation + "\u00a0‐‑‒–—―‘’‚‛“”„‟•…‹›«»·"
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # last: translate() drops what has no counterpart


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _words_apart(column: str, letters: str = "", folded: str = "") -> str:
    """`column` with `letters` folded, punctuation made spaces and invisible characters dropped."""
    source = _literal(letters + PUNCTUATION + INVISIBLE)
    target = _literal(folded + " " * len(PUNCTUATION))
    return f"translate(coalesce({column}, ''), {source}, {target})"


def _vector(title: str, search_text: str) -> str:
    return (
        f"setweight(to_tsvector('simple'::regconfig, {title}), 'A') || "
        f"setweight(to_tsvector('simple'::regconfig, {search_text}), 'D')"
    )


def _punctuation_as_spaces(column: str) -> str:
    """`column` with punctuation made spaces, for `search_text`: news.tones.search_key has folded
    its letters and dropped its invisible characters already. A bracket expression, not translate():
    translate() compares each character with each listed one, and on a 4 KB search_text that cost
    PostgreSQL 2.3 s of CPU per 20,000 items (a cold poll of 100,000 items: 62.6 s -> 81.0 s); the
    expression costs 0.07 s. `[:punct:]` covers ASCII's in any locale; the typographic marks are listed."""
    marks = PUNCTUATION.removeprefix(string.punctuation)
    return f"regexp_replace(coalesce({column}, ''), {_literal('[[:punct:]' + marks + ']')}, ' ', 'g')"


NEW_VECTOR = _vector(
    _words_apart("title", VIETNAMESE_LETTERS, FOLDED_LETTERS), _punctuation_as_spaces("search_text")
)
OLD_VECTOR = _vector(
    f"coalesce(translate(title, {_literal(VIETNAMESE_LETTERS)}, {_literal(FOLDED_LETTERS)}), '')",
    "coalesce(search_text, '')",
)


def _rebuild(vector: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_items_search_vector")
    op.execute("ALTER TABLE items DROP COLUMN search_vector")
    op.execute(f"ALTER TABLE items ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED")
    op.execute("CREATE INDEX ix_items_search_vector ON items USING gin (search_vector)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(NEW_VECTOR)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _rebuild(OLD_VECTOR)
