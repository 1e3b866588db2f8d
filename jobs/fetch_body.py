"""Reading a response's body within a size cap, decoding gzip and deflate ourselves.

Decoding ourselves (not httpx's aiter_bytes) bounds each decompression step, so a gzip bomb never
inflates more than one step past the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterator

import httpx

from jobs.fetch_errors import FetchError

ACCEPT_ENCODING = "gzip, deflate"
DECODE_STEP_BYTES = 256 * 1024


def human_size(size: int) -> str:
    """10_000_000 -> '10 MB', 1_500_000 -> '1.5 MB', 2_000 -> '2 KB'."""
    for unit, scale in (("MB", 1_000_000), ("KB", 1_000)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def too_large(cap: int, status: int | None = None) -> FetchError:
    return FetchError(f"body over {human_size(cap)}", status=status)


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The decoded body, or FetchError as soon as it is past `cap` bytes."""
    decoder = _decoder_for(response.headers.get("content-encoding", ""))
    parts: list[bytes] = []
    size = 0
    async for piece in _decoded(response.aiter_raw(), decoder):
        size += len(piece)
        if size > cap:
            raise too_large(cap, response.status_code)
        parts.append(piece)
    return b"".join(parts)


class _Inflater:
    """Bounded zlib/gzip/raw-deflate decoding: every step yields at most DECODE_STEP_BYTES."""

    def __init__(self, wbits: int, *, raw_deflate_fallback: bool = False):
        self._inflate = zlib.decompressobj(wbits)
        self._fallback = raw_deflate_fallback  # servers that send "deflate" without the zlib header

    def feed(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while pending:
            try:
                out = self._inflate.decompress(pending, DECODE_STEP_BYTES)
            except zlib.error:
                if not self._fallback:
                    raise
                self._inflate, self._fallback = zlib.decompressobj(-zlib.MAX_WBITS), False
                out = self._inflate.decompress(pending, DECODE_STEP_BYTES)
            self._fallback = False
            if out:
                yield out
            pending = self._inflate.unconsumed_tail
            if self._inflate.eof:
                return


def _decoder_for(content_encoding: str) -> _Inflater | None:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return _Inflater(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Inflater(zlib.MAX_WBITS, raw_deflate_fallback=True)
    raise FetchError(f"unsupported content encoding {encoding}")


async def _decoded(raw: AsyncIterator[bytes], decoder: _Inflater | None) -> AsyncIterator[bytes]:
    async for chunk in raw:
        if decoder is None:
            yield chunk
            continue
        try:
            for piece in decoder.feed(chunk):
                yield piece
        except zlib.error as exc:
            raise FetchError("bad compressed body") from exc
