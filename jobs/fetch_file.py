"""Reading a file:// source (a feed an admin keeps on the host) within the body cap."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from jobs.fetch_body import too_large
from jobs.fetch_errors import FetchError


def path_of_file_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FetchError("file URL on another host")
    return unquote(parts.path)


def read_file_capped(path: str, cap: int) -> tuple[float, bytes]:
    """The file's modification time and its bytes; FetchError when it is past `cap` bytes."""
    with open(path, "rb") as handle:
        stamp = os.fstat(handle.fileno()).st_mtime
        body = handle.read(cap + 1)
    if len(body) > cap:
        raise too_large(cap)
    return stamp, body
