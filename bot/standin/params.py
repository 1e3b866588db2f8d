"""Bot API request parameters from a query string, a form, multipart, or a JSON body, typed on demand.

In forms every value is a string and nested objects (`reply_markup`, `commands`, `scope`,
`entities`, `link_preview_options`) are JSON text; in a JSON body they arrive already typed.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from tornado.httputil import HTTPFile, parse_body_arguments

from bot.standin.errors import ApiError, bad_request


class Params:
    def __init__(self, values: dict[str, Any], files: dict[str, list[HTTPFile]] | None = None) -> None:
        self.values = values
        self.files = files or {}

    @classmethod
    def from_http(cls, content_type: str, body: bytes, query: str = "") -> Params:
        values: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True)) if query else {}
        if not body:
            return cls(values)
        if content_type.split(";", 1)[0].strip().lower() == "application/json":
            try:
                decoded = json.loads(body)
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse JSON object") from exc
            if not isinstance(decoded, dict):
                raise ApiError(400, "Bad Request: can't parse JSON object")
            values.update(decoded)
            return cls(values)
        arguments: dict[str, list[bytes]] = {}
        files: dict[str, list[HTTPFile]] = {}
        parse_body_arguments(content_type, body, arguments, files)
        for name, raw in arguments.items():
            values[name] = raw[-1].decode("utf-8", "replace")
        return cls(values, files)

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def nested(self, name: str, default: Any = None, *, what: str | None = None) -> Any:
        """A nested object: JSON text in forms, already decoded in JSON bodies."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {what or name} JSON object") from None

    def chat_ref(self, name: str = "chat_id") -> int | str | None:
        """A chat id as Telegram takes it: an integer or an `@username`."""
        value = self.values.get(name)
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("@"):
                return value
            try:
                return int(value)
            except ValueError:
                return value
        return value
