"""Fetch one source URL over HTTP (or file://) with conditional GET, redirects, limits and a body cap.

The body is read and decoded in jobs/fetch_body.py, failures worded in jobs/fetch_errors.py, file://
sources read in jobs/fetch_file.py; this module is the request and its redirects, from start to end.
"""

from __future__ import annotations

import asyncio
import copy
import mimetypes
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import SplitResult, urljoin, urlsplit

import httpx

from jobs.address_guard import public_addresses_transport
from jobs.fetch_body import ACCEPT_ENCODING, human_size, read_capped, too_large
from jobs.fetch_errors import FetchError, fetch_error_from_httpx, parse_retry_after, retry_after_of
from jobs.fetch_file import path_of_file_url, read_file_capped
from news import __version__
from news.httpcache import request_validators

__all__ = ["Fetcher", "FetchError", "FetchResult", "USER_AGENT", "human_size", "parse_retry_after"]

USER_AGENT = f"bantin/{__version__} (+https://github.com/bantin; news digest bot)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})


@dataclass
class FetchResult:
    """A successful fetch: 2xx with a body, or 304 (`not_modified`, no body, validators kept).

    `headers` has lower-case names; `elapsed` is seconds of network work, not time queued for a slot.
    """

    status: int
    body: bytes | None
    content_type: str | None
    headers: dict[str, str]
    final_url: str
    permanent_redirect_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    elapsed: float = 0.0


@dataclass
class _Redirect:
    status: int
    location: str


@dataclass
class _HostSlot:
    semaphore: asyncio.Semaphore
    users: int = 0  # fetches holding or awaiting the semaphore


@dataclass
class _Budget:
    """Seconds of active work left for one fetch; time spent queueing for a slot is not charged."""

    remaining: float
    spent: float = field(default=0.0)


class Fetcher:
    """Fetches source URLs concurrently over one shared HTTP/1.1 client; use as `async with`."""

    def __init__(
        self,
        *,
        max_concurrency: int = 20,
        per_host: int = 2,
        connect_timeout: float = 10,
        read_timeout: float = 30,
        total_timeout: float | None = None,
        max_body_bytes: int = 10_000_000,
        max_redirects: int = 5,
        user_agent: str | None = None,
        allow_file_urls: bool = True,
        public_addresses_only: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        """`public_addresses_only`: connect to no loopback, private or link-local address (redirects
        included), for sources an admin adds from a chat (jobs/address_guard.py); and never through a
        proxy the environment names (HTTP_PROXY...), which would connect wherever it is asked."""
        self.max_body_bytes = max_body_bytes
        self.max_redirects = max_redirects
        self.allow_file_urls = allow_file_urls
        # A slow-drip body passes every read timeout yet must not hold a slot forever.
        self.total_timeout = (
            total_timeout if total_timeout is not None else connect_timeout + 2 * read_timeout
        )
        self._per_host = per_host
        self._overall = asyncio.Semaphore(max_concurrency)
        self._hosts: dict[str, _HostSlot] = {}  # of the hosts being fetched only
        self._limits = httpx.Limits(
            max_connections=max_concurrency, max_keepalive_connections=max_concurrency
        )
        self._client_options: dict = {
            "http1": True,
            "http2": False,
            "follow_redirects": False,
            "timeout": httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            "limits": self._limits,
            "headers": {"User-Agent": user_agent or USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
        }
        if public_addresses_only and transport is None:
            transport = public_addresses_transport(self._limits)
        self._client = httpx.AsyncClient(
            **self._client_options, transport=transport, trust_env=not public_addresses_only
        )
        self._public: Fetcher | None = self if public_addresses_only else None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()
        if self._public is not None and self._public is not self:
            await self._public._client.aclose()

    def public_addresses_only(self) -> Fetcher:
        """This fetcher for a source added from a chat: the same slots and limits, but connections of
        its own, to public addresses only (closed with this one's)."""
        if self._public is None:
            twin = copy.copy(self)
            twin.allow_file_urls = False
            twin._client = httpx.AsyncClient(
                **self._client_options, transport=public_addresses_transport(self._limits), trust_env=False
            )
            twin._public = twin
            self._public = twin
        return self._public

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` following up to `max_redirects` redirects; raises FetchError on any failure."""
        scheme = _split(url).scheme.lower()
        if scheme == "file" and self.allow_file_urls:
            return await self._fetch_file(url, last_modified)
        if scheme not in ("http", "https"):
            raise FetchError(f"unsupported URL scheme {scheme or '(none)'}")
        _check_http_url(url)
        # HTTP headers are ASCII; a garbled stored validator must cost a full GET, not the fetch.
        headers = {
            name: value for name, value in request_validators(etag, last_modified).items() if value.isascii()
        }
        budget = _Budget(self.total_timeout)
        current, seen, all_permanent = url, {url}, True
        for _hop in range(self.max_redirects + 1):
            outcome = await self._request(current, headers, budget)
            if isinstance(outcome, FetchResult):
                moved = all_permanent and current != url
                outcome.permanent_redirect_url = current if moved else None
                outcome.elapsed = budget.spent
                if outcome.not_modified:
                    outcome.etag = outcome.etag or etag
                    outcome.last_modified = outcome.last_modified or last_modified
                return outcome
            all_permanent = all_permanent and outcome.status in PERMANENT_REDIRECT_STATUSES
            current = _redirect_target(current, outcome.location)
            if current in seen:
                raise FetchError("too many redirects (loop)")
            seen.add(current)
        raise FetchError("too many redirects")

    @asynccontextmanager
    async def _host_slot(self, url: str) -> AsyncIterator[None]:
        """One of the host's `per_host` slots. A host's semaphore lives while fetches use or await it:
        kept, there would be one for every host ever fetched (article links reach thousands)."""
        host = (urlsplit(url).hostname or "").lower()
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = _HostSlot(asyncio.Semaphore(self._per_host))
        slot.users += 1
        try:
            async with slot.semaphore:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._hosts[host]

    async def _request(self, url: str, headers: dict[str, str], budget: _Budget) -> FetchResult | _Redirect:
        # Host slot first: fetches queued behind a busy host must not hold overall slots.
        async with self._host_slot(url), self._overall:
            started = time.monotonic()
            try:
                async with asyncio.timeout(max(budget.remaining, 0)):
                    return await self._request_in_slot(url, headers)
            except TimeoutError as exc:
                raise FetchError("timeout") from exc
            except httpx.HTTPError as exc:
                raise fetch_error_from_httpx(exc) from exc
            except httpx.InvalidURL as exc:
                raise FetchError("bad URL") from exc
            finally:
                used = time.monotonic() - started
                budget.remaining -= used
                budget.spent += used

    async def _request_in_slot(self, url: str, headers: dict[str, str]) -> FetchResult | _Redirect:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} without Location", status=status)
                return _Redirect(status, location)
            if status == 304:
                # Without If-None-Match or If-Modified-Since a 304 means nothing (a broken cache in
                # front): taken as "not modified", a new source would never get a document.
                if not headers:
                    raise FetchError("HTTP 304 to a request that was not conditional", status=status)
                return _result(response, status=304, body=None, not_modified=True)
            if not 200 <= status < 300:
                raise FetchError(f"HTTP {status}", status=status, retry_after=retry_after_of(response))
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body_bytes:
                raise too_large(self.max_body_bytes, status)
            body = await read_capped(response, self.max_body_bytes)
            return _result(response, status=status, body=body, not_modified=False)

    async def _fetch_file(self, url: str, last_modified: str | None) -> FetchResult:
        started = time.monotonic()
        path = path_of_file_url(url)
        async with self._overall:
            try:
                stamp, body = await asyncio.to_thread(read_file_capped, path, self.max_body_bytes)
            except FileNotFoundError as exc:
                raise FetchError("file not found") from exc
            except OSError as exc:
                raise FetchError(f"cannot read file: {exc.strerror or exc}") from exc
        file_last_modified = formatdate(stamp, usegmt=True)
        not_modified = last_modified == file_last_modified
        return FetchResult(
            status=304 if not_modified else 200,
            body=None if not_modified else body,
            content_type=mimetypes.guess_type(path)[0],
            headers={"last-modified": file_last_modified},
            final_url=url,
            last_modified=file_last_modified,
            not_modified=not_modified,
            elapsed=time.monotonic() - started,
        )


def _result(response: httpx.Response, *, status: int, body: bytes | None, not_modified: bool) -> FetchResult:
    headers = {key.lower(): value for key, value in response.headers.items()}
    return FetchResult(
        status=status,
        body=body,
        content_type=headers.get("content-type"),
        headers=headers,
        final_url=str(response.url),
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        not_modified=not_modified,
    )


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when out of range
    except ValueError as exc:
        raise FetchError("bad URL") from exc
    return parts


def _check_http_url(url: str) -> None:
    parts = _split(url)
    if not parts.hostname or any(char.isspace() for char in parts.netloc):
        raise FetchError("bad URL")


def _redirect_target(current: str, location: str) -> str:
    try:
        target = urljoin(current, location.strip())
    except ValueError as exc:
        raise FetchError("bad redirect URL") from exc
    # A feed URL must never be able to redirect us onto the local disk (file://) or elsewhere.
    if _split(target).scheme.lower() not in ("http", "https"):
        raise FetchError("redirect to a non-HTTP URL")
    _check_http_url(target)
    return target
