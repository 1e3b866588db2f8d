"""PostgreSQL's half of search: the newest items matching a tsquery, at a bounded cost whatever the words.

Left to itself the planner picks between two plans from estimates that are often wrong for text:
walk the primary key backwards and test each row (fast for a common word, a full table scan for a
rare or absent one), or read every match from the GIN index and sort (fast for a rare word, every
row of the table for a common one). Both traps cost seconds on a million items. So the plan is
chosen here from a measurement: test the newest RECENT_ROWS rows by walking the key (bounded work);
if that does not give enough matches, the share that matched says which plan costs less for the
rest, and that plan is forced for the one query that reads the older rows.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

RECENT_ROWS = 10_000
# Relative cost of testing one row while walking the key, and of fetching one match found by the
# GIN index (a random heap visit, then a sort); bench/query.py measured about 1 : 2.
ROW_TEST_COST = 1.0
MATCH_FETCH_COST = 2.0

# ts_rank is larger for a better match; it is negated so that smaller is better on both databases.
_MATCHES = text(
    """
    SELECT hits.id, hits.story_id, -ts_rank(hits.search_vector, to_tsquery('simple', :query)),
           stories.published_at
    FROM (
        SELECT id, story_id, search_vector FROM items
        WHERE search_vector @@ to_tsquery('simple', :query) AND id > :lower AND id <= :upper
        ORDER BY id DESC LIMIT :limit
    ) AS hits
    JOIN stories ON stories.id = hits.story_id
    """
)
_WALK_THE_KEY = ("enable_bitmapscan", "enable_seqscan")  # switched off: an index scan on the key
_USE_GIN = ("enable_indexscan", "enable_seqscan")  # switched off: a bitmap scan of the GIN index


async def _matches(session: AsyncSession, query: str, lower: int, upper: int, limit: int, plan_off) -> list:
    # Custom plans only: a generic plan of a prepared statement cannot see the words at all.
    settings = ("plan_cache_mode = force_custom_plan", *(f"{name} = off" for name in plan_off))
    for setting in settings:
        await session.execute(text(f"SET LOCAL {setting}"))
    try:
        params = {"query": query, "lower": lower, "upper": upper, "limit": limit}
        return list(await session.execute(_MATCHES, params))
    finally:
        for name in ("plan_cache_mode", *plan_off):
            await session.execute(text(f"SET LOCAL {name} TO DEFAULT"))


def _cheaper_plan(found: int, remaining: int, older_rows: int):
    share = found / RECENT_ROWS
    walk = remaining / share * ROW_TEST_COST if share else float("inf")
    gin = share * older_rows * MATCH_FETCH_COST
    return _WALK_THE_KEY if walk < gin else _USE_GIN


async def newest_matches(session: AsyncSession, query: str, limit: int) -> list:
    """Rows (item id, story id, score, story published) of the newest `limit` items matching the
    to_tsquery text `query`, newest first."""
    top = await session.scalar(text("SELECT max(id) FROM items"))
    if top is None:
        return []
    floor = max(top - RECENT_ROWS, 0)
    rows = await _matches(session, query, floor, top, limit, _WALK_THE_KEY)
    if len(rows) >= limit or floor == 0:
        return rows
    remaining = limit - len(rows)
    plan = _cheaper_plan(len(rows), remaining, floor)
    return rows + await _matches(session, query, 0, floor, remaining, plan)
