"""URL canonicalisation: one spelling per article address, so the same link is stored once.

Canonical form: lower-case scheme and host (a punycode host stays punycode, a Unicode host
stays Unicode: we never convert between them), no default port, no trailing dot on the host,
no fragment, no tracking parameters, the remaining query parameters sorted by name (stable,
so repeated names keep their order), percent-encoding normalised (unreserved characters
decoded, other escapes upper-case, raw non-ASCII and spaces encoded as UTF-8), dot segments
resolved, and `/` for an empty path.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

# Exact parameter names (compared case-insensitively) that only say how a reader arrived.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "yclid",
        "igshid",
        "twclid",
        "ttclid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "ref_url",
        "spm",
        # Zalo (the Vietnamese messenger) adds these to every shared link.
        "zarsrc",
        "gidzl",
        "zl_src",
    }
)
# Name prefixes (compared case-insensitively): whole families of campaign parameters.
TRACKING_PREFIXES = ("utm_", "zalo_", "oly_", "vero_", "pk_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
# Schemes that never lead to an article page.
_REJECTED_SCHEMES = frozenset({"javascript", "mailto", "data", "tel", "sms", "about", "vbscript"})
# Browsers drop these anywhere in an href before resolving it.
_HREF_NOISE = re.compile(r"[\t\n\r]")


def is_tracking_param(name: str) -> bool:
    key = name.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _normalise_percent(component: str, keep: str) -> str:
    """Decode escapes of unreserved characters, upper-case the others, escape raw bytes.

    `keep` lists the ASCII characters allowed raw in this component (besides unreserved and `%`).
    """
    decoded = _PERCENT.sub(
        lambda m: (
            chr(int(m.group(1), 16)) if chr(int(m.group(1), 16)) in _UNRESERVED else "%" + m.group(1).upper()
        ),
        component,
    )
    out = []
    for index, char in enumerate(decoded):
        if char in _UNRESERVED or char in keep:
            out.append(char)
        elif char == "%" and _PERCENT.match(decoded, index):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


_PATH_SAFE = "!$&'()*+,;=:@/"
_QUERY_SAFE = "!$'()*+,;:@/?="  # `&` and `=` split the query; `=` may recur inside a value


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, on segments: `/a/./b/../c` -> `/a/c`."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    if path.startswith("/") and not result.startswith("/"):
        result = "/" + result
    return result


def _canonical_query(query: str) -> str:
    kept: list[tuple[str, str]] = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = pair.split("=", 1)[0]
        decoded_name = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), name)
        if is_tracking_param(decoded_name):
            continue
        kept.append((decoded_name, _normalise_percent(pair, _QUERY_SAFE)))
    kept.sort(key=lambda item: item[0])  # sort() is stable: repeated names keep their order
    return "&".join(pair for _, pair in kept)


def _canonical_host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal: urlsplit strips the brackets
        host = f"[{host}]"
    return host


@lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """The canonical spelling of `url` (see the module docstring); unparseable input comes back stripped.

    Cached: one poll asks for an entry's canonical URL three or four times (guid disambiguation,
    the stored-version check, preparing), at ~6 µs a call."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    netloc = ""
    if parts.netloc or scheme == "file":
        host = _canonical_host(parts.hostname or "")
        userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
        netloc = f"{userinfo}@{host}" if userinfo else host
        if port is not None and port != _DEFAULT_PORTS.get(scheme):
            netloc = f"{netloc}:{port}"
    path = _remove_dot_segments(_normalise_percent(parts.path, _PATH_SAFE))
    if not path and (netloc or scheme == "file"):
        path = "/"
    query = _canonical_query(parts.query)
    if scheme == "file":
        # urlunsplit drops the empty authority of file:///x; keep the conventional three slashes.
        return f"file://{netloc}{path}" + (f"?{query}" if query else "")
    return urlunsplit((scheme, netloc, path, query, ""))


def _site_host(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def same_site(a: str, b: str) -> bool:
    """True when both URLs have the same host, ignoring case, a trailing dot and a leading `www.`."""
    host_a, host_b = _site_host(a), _site_host(b)
    return host_a is not None and host_a == host_b


def names_no_article(url: str, feed_url: str) -> bool:
    """True when `url` is a site's home page or the feed's own address (what an empty link or `#`
    resolves to): feeds link items there when they have no page, so it names no item."""
    canonical = canonical_url(url)
    try:
        parts = urlsplit(canonical)
    except ValueError:
        return False
    return (parts.path == "/" and not parts.query) or canonical == canonical_url(feed_url)


def absolute_url(base: str, href: str) -> str | None:
    """`href` resolved against `base`, or None when it is empty or not a web/file address.

    The result is not canonicalised; pass it to `canonical_url` before comparing or storing.
    """
    cleaned = _HREF_NOISE.sub("", href).strip()
    if not cleaned:
        return None
    try:
        scheme = urlsplit(cleaned).scheme.lower()
        if scheme in _REJECTED_SCHEMES:
            return None
        resolved = urljoin(base.strip(), cleaned)
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "file"):
        return None
    if parts.scheme.lower() != "file" and not parts.hostname:
        return None
    return resolved
