"""Checks of config text that is used far from where it is read: HTTP addresses, header text and the
names of environment variables.

Each returns why a value cannot work, or None; news.config turns that into an error naming the key.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def http_address_problem(url: str) -> str | None:
    """An http(s) URL with a host, as an HTTP client needs it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when it is not a number up to 65535
    except ValueError:
        return "not a valid address"
    if parts.scheme.lower() not in ("http", "https"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "the address has no host name"
    return None


def header_text_problem(text: str) -> str | None:
    """A header value the HTTP client can send: one line of printable ASCII (it refuses the rest)."""
    if not text.isascii():
        return "must be ASCII (an HTTP header cannot carry other characters)"
    if not text.isprintable():
        return "must be one line, without control characters"
    return None


def llm_problems(base_url: str, model: str) -> dict[str, str]:
    """[summaries] llm_base_url and llm_model: both set (abstractive summaries) or neither."""
    base_url, model = base_url.strip(), model.strip()
    if base_url and not model:
        return {"summaries.llm_model": "empty while llm_base_url is set: name the model to ask for"}
    if model and not base_url:
        return {
            "summaries.llm_base_url": "empty while llm_model is set: give the endpoint, e.g. http://127.0.0.1:8000/v1"
        }
    problem = http_address_problem(base_url) if base_url else None
    return {"summaries.llm_base_url": problem} if problem else {}


def env_name_problem(name: str) -> str | None:
    """The name of an environment variable, or empty (none). A key pasted in its place would be read
    from no variable, so summaries went without a key while the key sat in the file."""
    if not name or _ENV_NAME.fullmatch(name):
        return None
    if name.startswith("$") and _ENV_NAME.fullmatch(name[1:]):
        return f"write the variable's name without the $: {name[1:]!r}"
    return (
        "must be the name of an environment variable holding the key (letters, digits, _), "
        "not the key itself; empty sends no key"
    )
