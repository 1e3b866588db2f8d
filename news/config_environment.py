"""BANTIN_* environment variables that bantin does not read: a misspelt one is otherwise ignored."""

from __future__ import annotations

import difflib
import typing

from news.config import ENV_CONFIG, ENV_DATABASE_URL, ENV_TOKEN


def unknown_environment(env: typing.Mapping[str, str], llm_api_key_env: str) -> list[tuple[str, str | None]]:
    """BANTIN_* variables bantin reads none of, each with the known name it is closest to: a misspelt
    BANTIN_DATABSE_URL was ignored without a word. BANTIN_TEST_* belong to the test suite."""
    known = {ENV_CONFIG, ENV_TOKEN, ENV_DATABASE_URL, llm_api_key_env}
    unknown = (
        name
        for name in env
        if name.startswith("BANTIN_") and name not in known and not name.startswith("BANTIN_TEST_")
    )
    return [(name, _closest(name, known)) for name in sorted(unknown)]


def _closest(name: str, known: set[str]) -> str | None:
    # Compared without the BANTIN_ every one of them shares, which would make any two look alike.
    suffixes = {k.removeprefix("BANTIN_"): k for k in sorted(known)}
    suffix = name.removeprefix("BANTIN_")
    match = difflib.get_close_matches(suffix, list(suffixes), n=1, cutoff=0.6)
    if match:
        return suffixes[match[0]]
    # A shortened name (BANTIN_TOKEN) is far from the long one by ratio, but inside it word for word.
    words = set(suffix.split("_"))
    return next((k for s, k in suffixes.items() if words <= set(s.split("_"))), None)
