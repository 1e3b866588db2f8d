"""Whether an address can become a source, and why not: one rule for `bantin feeds add`,
`bantin feeds import-opml` and the admins' /addfeed.

Reasons are N_ msgids: the command line prints them as they are (English), the bot translates them.
"""

from __future__ import annotations

import ipaddress
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from news.i18n import N_

MAX_URL_CHARS = 2000
# Why a fetch for a source added from a chat was refused (jobs/address_guard.py).
NOT_PUBLIC = N_(
    "the address is on this server's own or a private network (loopback, private and link-local "
    "addresses can be added from a chat only when [fetch] allow_private_addresses is true)"
)
MAX_NAME_CHARS = 200  # the sources.name column's length (PostgreSQL refuses longer values)


def name_from_address(url: str) -> str:
    """The name a source added without one gets: its host (`baomau.example.vn`), a file's stem."""
    parts = urlsplit(url)
    return parts.hostname or PurePosixPath(parts.path).stem or url


def folded_source_name(name: str) -> str:
    """A source's name as commands match it (any case and spacing): `Tin tỉnh` and `tin  tỉnh ` are
    one name, so two sources may not hold them."""
    return " ".join(name.casefold().split())


def source_name_problem(name: str) -> str | None:
    """Why `name` cannot name a source, or None (English: the config and the command line show it)."""
    if len(name) > MAX_NAME_CHARS:  # the database refuses it
        return f"longer than {MAX_NAME_CHARS} characters ({len(name)})"
    if not name.isprintable():  # lists, digests and OPML exports show it on one line
        return "a name is one line, without control characters or invisible ones"
    return None


def source_url_problem(url: str, *, allow_file: bool) -> str | None:
    """Why `url` cannot be polled as a source, or None. Schemes count in any case (`HTTPS://`);
    `file://` addresses (bundled samples, tests) only where `allow_file`."""
    if len(url) > MAX_URL_CHARS:
        return N_("the address is too long")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when it is not a number up to 65535
    except ValueError:
        return N_("not a valid address")
    scheme = parts.scheme.lower()
    if allow_file and scheme == "file":
        return None if parts.path not in ("", "/") else N_("the file:// address names no file")
    if scheme not in ("http", "https"):
        if allow_file:
            return N_("only http://, https:// and file:// addresses can be added")
        return N_("only http:// and https:// addresses can be added")
    if not parts.hostname:
        return N_("the address has no host name")
    if any(char.isspace() for char in url):
        return N_("the address has spaces in it")
    return None


# IPv6 addresses whose last 32 bits are an IPv4 address that a gateway or a tunnel goes on to: NAT64,
# IPv4-compatible (deprecated; Linux's sit tunnel still carries them) and IPv4-translated (SIIT).
_IPV4_IN_LAST_32_BITS = tuple(map(ipaddress.IPv6Network, ("64:ff9b::/96", "::/96", "::ffff:0:0:0/96")))
# Never on the public internet, whatever Python's is_global says: the local-use NAT64 prefix (RFC
# 8215, a network's own gateway, to its private IPv4s too) and site-local addresses (deprecated).
_NOT_PUBLIC_IPV6 = tuple(map(ipaddress.IPv6Network, ("64:ff9b:1::/48", "fec0::/10")))


def is_public_address(address: str) -> bool:
    """Whether an IP address (as getaddrinfo gives it, an IPv6 zone included) is on the public
    internet: not loopback, private, link-local (169.254.169.254, clouds' metadata), shared,
    reserved or multicast, nor an IPv6 form of one (IPv4-mapped, NAT64, 6to4, IPv4-compatible). A
    source an admin adds from a chat must be, or a chat command would have the server probe its own
    network."""
    ip = ipaddress.ip_address(address.partition("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _NOT_PUBLIC_IPV6):
            return False
        ip = _ipv4_within(ip) or ip
    return ip.is_global and not ip.is_multicast


def _ipv4_within(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for, the one connecting to it reaches in the end."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _IPV4_IN_LAST_32_BITS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None
