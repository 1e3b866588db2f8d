"""FetchError, and what an HTTP failure becomes: a short reason for people, and when to try again."""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from jobs.address_guard import AddressRefused
from news.source_address import NOT_PUBLIC

RETRY_AFTER_STATUSES = frozenset({429, 503})


class FetchError(Exception):
    """A fetch that failed; `reason` is short and meant for people (admins' /feeds, logs)."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from `now`: either delta-seconds or an HTTP date; None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() alone takes "²", which float() refuses
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def retry_after_of(response: httpx.Response) -> float | None:
    if response.status_code not in RETRY_AFTER_STATUSES:
        return None
    return parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))


def fetch_error_from_httpx(exc: httpx.HTTPError) -> FetchError:
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError("connect timeout")
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("timeout")
    if isinstance(exc, httpx.ConnectError):
        return FetchError(_connect_failure_reason(exc))
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError("bad HTTP response")
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return FetchError("connection reset")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError("bad URL")
    if isinstance(exc, httpx.DecodingError):
        return FetchError("bad compressed body")
    return FetchError("network error")


def _connect_failure_reason(exc: BaseException) -> str:
    causes: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(causes) < 10:
        causes.append(seen)
        seen = seen.__cause__ or seen.__context__
    for cause in causes:
        if isinstance(cause, AddressRefused):
            return NOT_PUBLIC
        if isinstance(cause, socket.gaierror):
            return "DNS lookup failed"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ssl.SSLError):
            return "TLS error"
    text = " ".join(str(cause) for cause in causes).lower()
    if "name or service not known" in text or "nodename nor servname" in text or "name resolution" in text:
        return "DNS lookup failed"
    if "connection refused" in text or "errno 111" in text:
        return "connection refused"
    if "ssl" in text or "certificate" in text:
        return "TLS error"
    return "connection failed"
