"""Where a key the config's table does not have belongs instead: an admin who wrote `timezone` under
[telegram] had the right key under the wrong heading, and "unknown key" alone did not say so."""

from __future__ import annotations

import dataclasses
import difflib
import typing
from functools import cache


@dataclasses.dataclass(frozen=True)
class Place:
    table: str  # the dotted path of the table holding the key ("" at the top, "feeds" for [[feeds]])
    heading: str  # as the file writes it: [schedule], [telegram.webhook], [[feeds]]
    is_table: bool  # the key is itself a table ([telegram.webhook] is `webhook` in [telegram])


def unknown_key_reason(name: str, is_table: bool, table: str, known: set[str], root: type) -> str:
    """Why `name` in the table at dotted path `table` (list indexes left out) is refused, with where
    the schema has it, else the closest key of this table."""
    noun = "unknown section" if is_table else "unknown key"
    headings = [p.heading for p in _places(root).get(name, ()) if p.is_table == is_table and p.table != table]
    if headings:
        return f"{noun} (it {'is' if is_table else 'belongs in'} {' or '.join(headings)})"
    match = difflib.get_close_matches(name, sorted(known), n=1)
    return f"{noun} (did you mean {match[0]!r}?)" if match else noun


@cache
def _places(root: type) -> dict[str, tuple[Place, ...]]:
    found: dict[str, list[Place]] = {}
    for name, place in _walk(root, "", ""):
        found.setdefault(name, []).append(place)
    return {name: tuple(places) for name, places in found.items()}


def _walk(cls: type, table: str, heading: str) -> typing.Iterator[tuple[str, Place]]:
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        if field.metadata.get("internal"):
            continue
        tp = hints[field.name]
        many = typing.get_origin(tp) is list
        inner = typing.get_args(tp)[0] if many else tp
        if not dataclasses.is_dataclass(inner):
            yield field.name, Place(table, heading, is_table=False)
            continue
        path = f"{table}.{field.name}" if table else field.name
        own = f"[[{path}]]" if many else f"[{path}]"
        yield field.name, Place(table, own, is_table=True)
        yield from _walk(inner, path, own)
