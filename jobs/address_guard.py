"""An HTTP transport that connects to public addresses only, for sources an admin adds from a chat.

The check is made where the connection is made, on the addresses the host name resolves to, and the
connection goes to the address checked: a host name that resolves to 127.0.0.1 (`localhost`, a line
of /etc/hosts), a number that is one (`http://2130706433/`), a redirect to one and a name whose
address changes between a check and the connection all meet the same refusal.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from news.source_address import is_public_address


class AddressRefused(httpcore.ConnectError):
    """The host resolves to an address that is not public (the message names the host, not the address)."""


class PublicAddressesOnly(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to a host whose every address is public."""

    def __init__(
        self,
        backend: httpcore.AsyncNetworkBackend | None = None,
        resolve: Callable[[str, int], Awaitable[list[str]]] | None = None,
    ) -> None:
        """`backend` connects and `resolve` gives a host's addresses (tests stand in for the
        internet with them); by default httpcore's backend and the system's resolver."""
        self._backend = backend or httpcore.AnyIOBackend()
        self._resolve = resolve or addresses_of

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # One deadline for the name and every address, as httpcore's own connection by name has.
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"{host}: no address in time") from None
        # Refused if any is not public: `localhost` is both ::1 and 127.0.0.1.
        if not all(is_public_address(address) for address in addresses):
            raise AddressRefused(f"{host} is not on a public address")
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        ordered = families_alternating(addresses)
        for left, address in zip(range(len(ordered), 0, -1), ordered, strict=True):
            # An address that does not answer (a route that goes nowhere) leaves the others time.
            share = None if deadline is None else max(deadline - time.monotonic(), 0) / left
            try:
                return await self._backend.connect_tcp(address, port, share, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:  # the next one, as by name
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> Any:
        raise AddressRefused("a Unix socket is not a public address")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


async def addresses_of(host: str, port: int) -> list[str]:
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    addresses = [sockaddr[0] for _family, _type, _proto, _name, sockaddr in found]
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no address")
    return list(dict.fromkeys(addresses))


def families_alternating(addresses: list[str]) -> list[str]:
    """The addresses in their order, IPv6 and IPv4 taking turns (RFC 8305 4): when one family's
    routes go nowhere, the other's first address is the second tried, not the last."""
    six = [address for address in addresses if ":" in address]
    four = [address for address in addresses if ":" not in address]
    first, second = (six, four) if addresses and ":" in addresses[0] else (four, six)
    turns = [address for pair in zip(first, second, strict=False) for address in pair]
    shorter = min(len(first), len(second))
    return turns + first[shorter:] + second[shorter:]


def public_addresses_transport(
    limits: httpx.Limits, network_backend: PublicAddressesOnly | None = None
) -> httpx.AsyncHTTPTransport:
    """httpx's transport (HTTP/1.1, certificates checked), its connections made by PublicAddressesOnly.
    httpx takes no network backend: its connection pool is replaced by one built the same way with it."""
    transport = httpx.AsyncHTTPTransport(http1=True, http2=False, limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=network_backend or PublicAddressesOnly(),
    )
    return transport
