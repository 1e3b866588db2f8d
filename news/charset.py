"""Bytes of a fetched page or feed -> clean Unicode text, or a clear refusal.

Order of evidence: byte-order mark, HTTP `charset`, XML prolog, HTML `<meta>` (first 4 KB),
then UTF-8, Vietnamese windows-1258, charset_normalizer's guess, windows-1252. A declared
charset the bytes contradict is skipped with a note. The result is NFC; TCVN3/VNI text is
converted; double-encoded UTF-8 (`Ã¡`, `Ä‘`) is repaired. Text that still looks garbled
raises UndecodableError instead of being returned.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from news.legacy import convert_legacy, detect_legacy_encoding

try:  # a dependency of trafilatura and requests, but decoding must not depend on it
    import charset_normalizer
except ImportError:  # pragma: no cover - exercised only where it is missing
    charset_normalizer = None


@dataclass(slots=True)
class DecodedDocument:
    """`encoding`: the Python codec that decoded the bytes; `legacy`: "tcvn3"/"vni" if the
    text was converted from that font encoding; `notes`: why declared charsets were overruled."""

    text: str
    encoding: str
    legacy: str | None
    notes: tuple[str, ...] = ()


class UndecodableError(ValueError):
    """The bytes do not decode to readable text with any charset we tried."""


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_NUL_PATTERNS = (
    (re.compile(rb"[\x01-\x7f]\x00\x00\x00[\x01-\x7f]\x00\x00\x00"), "utf-32-le"),
    (re.compile(rb"\x00\x00\x00[\x01-\x7f]\x00\x00\x00[\x01-\x7f]"), "utf-32-be"),
    (re.compile(rb"[\x01-\x7f]\x00[\x01-\x7f]\x00"), "utf-16-le"),
    (re.compile(rb"\x00[\x01-\x7f]\x00[\x01-\x7f]"), "utf-16-be"),
)
_BOM = "byte-order mark"
# What servers and templates put before a document's first character: blank space and UTF-8
# byte-order marks (a template may add one to a file that had one), as bytes and as decoded text.
LEADING_BLANKS_AND_BOMS = re.compile(rb"(?:\s|\xef\xbb\xbf)*")
BLANKS_AND_BOM = "\ufeff \t\r\n"
_WESTERN_GUESSES = frozenset(("cp1252", "latin_1", "iso8859_15"))
_PLAUSIBLE_CHAOS = 0.1
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([\w.:+-]+)""", re.I)
_XML_PROLOG_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:+-]+)""", re.I)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?([\w.:+-]+)""", re.I)
_SNIFF_BYTES = 4096
_WESTERN_LABELS = frozenset(("cp1252", "latin-1", "iso8859-1", "iso8859-15"))
_SINGLE_BYTE_LATIN = frozenset(("latin-1", "iso8859-1", "cp1252", "iso8859-15", "cp1258", "ascii"))

# Garble signs. Controls: C0 other than whitespace, and C1 (only a wrong decode makes those).
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# UTF-8 read as cp1252/latin-1: a lead byte Â-ï then a continuation byte shown as Latin-1
# \x80-\xbf or its cp1252 stand-in (‘ ’ “ ” € ™ …).
_MOJIBAKE_RE = re.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_VIETNAMESE_LETTER_RE = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
_COMBINING_MARK_RE = re.compile("[\u0300-\u036f]")
_MAX_GARBLE_SHARE = 0.01  # of characters: replacement, control or mojibake
_MAX_GARBLE_COUNT = 3  # tolerated however short the text
# cp1252 stand-ins for bytes 0x80-0x9f, mapped back to those bytes for the mojibake repair.
_CP1252_TO_BYTE = {
    ord(bytes([b]).decode("cp1252")): b for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def decode_document(body: bytes, content_type: str | None) -> DecodedDocument:
    """Decode a fetched body to NFC text, converting legacy Vietnamese and repairing mojibake.

    Raises UndecodableError (with the reason) when no charset gives readable text.
    """
    if not body:
        return DecodedDocument("", "utf-8", None)
    notes: list[str] = []
    text, encoding = _decode(body, content_type, notes)
    text = unicodedata.normalize("NFC", text)
    visible = _visible_text(text)
    legacy = detect_legacy_encoding(visible)
    if legacy:
        text = convert_legacy(text, legacy)
        visible = _visible_text(text)
    elif _MOJIBAKE_RE.search(visible) and (repaired := _repair_double_utf8(text)) is not None:
        text, encoding = repaired, "utf-8"
        visible = _visible_text(text)
        notes.append("repaired UTF-8 that had been decoded as windows-1252/latin-1 and encoded again")
    # Judge the visible text: a page of ASCII markup would dilute the garble of its words.
    reason = _garble_reason(visible)
    if reason:
        tried = "; ".join([*notes, f"decoded as {encoding}"])
        raise UndecodableError(f"text is still garbled ({reason}); {tried}")
    return DecodedDocument(text, encoding, legacy, tuple(notes))


def _decode(body: bytes, content_type: str | None, notes: list[str]) -> tuple[str, str]:
    """Try the declared charsets, then the guesses; return text and the codec used."""
    for source, label in _declared_charsets(body, content_type):
        codec = label if source == _BOM else _codec_name(label)
        if codec is None:
            notes.append(f"{source} charset {label!r} is unknown or unusable")
            continue
        if codec in _SINGLE_BYTE_LATIN and not body.isascii() and is_utf8(body):
            # Servers and templates often declare latin-1 over UTF-8 bytes; multi-byte UTF-8
            # sequences do not happen by chance in Latin-1 text.
            notes.append(f"{source} charset {label!r} overruled: the bytes are valid UTF-8")
            return body.decode("utf-8"), "utf-8"
        if codec in _WESTERN_LABELS and (vietnamese := _windows_1258_reading(body)) is not None:
            # Old servers send their default Western charset over windows-1258 pages, whose
            # tone marks and ơ/ư/ă/đ then read as Ì Ò Þ Õ Ý Ã Ð.
            notes.append(f"{source} charset {label!r} overruled: the bytes are Vietnamese windows-1258")
            return vietnamese, "cp1258"
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            notes.append(f"{source} charset {label!r} does not fit the bytes")
            continue
        except LookupError:
            notes.append(f"{source} charset {label!r} is unknown or unusable")
            continue
        if _garble_reason(text) is None or source == _BOM:
            return text, codec
        notes.append(f"{source} charset {label!r} gives garbled text")
    return _guess(body, notes)


def _windows_1258_reading(body: bytes) -> str | None:
    """The body read as windows-1258 when that gives Vietnamese and the Western reading is not
    TCVN3/VNI (legacy font pages are Western bytes and are converted later), else None."""
    if body.isascii() or detect_legacy_encoding(_visible_text(body.decode("cp1252", errors="replace"))):
        return None
    vietnamese = body.decode("cp1258", errors="replace")
    return vietnamese if _looks_like_windows_1258(_visible_text(vietnamese)) else None


def _guess(body: bytes, notes: list[str]) -> tuple[str, str]:
    if is_utf8(body):
        return body.decode("utf-8"), "utf-8"
    western = body.decode("cp1252", errors="replace")
    if detect_legacy_encoding(_visible_text(western)):
        return western, "cp1252"  # TCVN3/VNI pages are served as windows-1252 bytes
    vietnamese = body.decode("cp1258", errors="replace")
    if _looks_like_windows_1258(vietnamese):
        return vietnamese, "cp1258"
    if charset_normalizer is not None and (best := _normalizer_guess(body)) is not None:
        text, codec = best
        if _garble_reason(text) is None:
            return text, codec
    # Last resort; the caller refuses it if it reads as garbage.
    notes.append("no declared or guessed charset fitted; fell back to windows-1252")
    return western, "cp1252"


def _normalizer_guess(body: bytes) -> tuple[str, str] | None:
    """charset_normalizer's pick, except that windows-1252 wins whenever it is a plausible
    candidate: on short Latin text the library's best is often a Baltic or Central European
    code page that garbles French (as browsers, fall back to windows-1252)."""
    matches = [
        match
        for match in charset_normalizer.from_bytes(body)
        # Without a BOM a UTF-16/32 guess turns any binary into "text": never trust it.
        if not match.encoding.startswith(("utf_16", "utf_32"))
    ]
    if not matches:
        return None
    for match in matches:
        if match.encoding in _WESTERN_GUESSES and match.chaos <= _PLAUSIBLE_CHAOS:
            return body.decode("cp1252", errors="replace"), "cp1252"
    best = matches[0]
    return str(best), _codec_name(best.encoding) or best.encoding


def _declared_charsets(body: bytes, content_type: str | None) -> list[tuple[str, str]]:
    """(source, label) pairs in order of authority. A BOM outranks the header, as in browsers."""
    found: list[tuple[str, str]] = []
    if (codec := byte_order_codec(body)) is not None:
        found.append((_BOM, codec))
    if content_type and (match := _HEADER_CHARSET_RE.search(content_type)):
        found.append(("HTTP", match.group(1)))
    head = body[:_SNIFF_BYTES]
    if match := _XML_PROLOG_RE.search(head):
        found.append(("XML prolog", match.group(1).decode("ascii")))
    if match := _META_CHARSET_RE.search(head):
        found.append(("HTML meta", match.group(1).decode("ascii")))
    return found


def byte_order_codec(body: bytes) -> str | None:
    """The Unicode codec that the first bytes show: a byte-order mark ("utf-8-sig", and "utf-16" or
    "utf-32", which drop their mark when decoding), or UTF-16/32 without one, recognised by the NUL
    bytes around the first ASCII characters (as the XML spec's autodetection does for "<?");
    None for anything else."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec
    for pattern, codec in _NUL_PATTERNS:
        if pattern.match(body):
            return codec
    return None


def _codec_name(label: str) -> str | None:
    label = label.strip().lower()
    # WHATWG: these labels mean windows-1252 in practice; x-user-defined, utf-7 are traps.
    if label in ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        return "cp1252"
    if label in ("x-user-defined", "utf-7", "unicode-1-1-utf-7"):
        return None
    if label in ("utf-16", "utf-32", "unicode"):
        return None  # without a BOM these are guesses; the BOM case is handled earlier
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def looks_misdecoded(text: str) -> bool:
    """True when well-formed Unicode text carries the signs of an earlier wrong decode: TCVN3/VNI
    letters (a legacy page re-encoded as UTF-8 from its Latin-1 reading) or UTF-8 mojibake
    (`Há»™i`). Such text needs `decode_document`'s conversion or repair."""
    if text.isascii():
        return False
    visible = _visible_text(text)
    return _MOJIBAKE_RE.search(visible) is not None or detect_legacy_encoding(visible) is not None


def is_utf8(body: bytes) -> bool:
    """True when the bytes decode as UTF-8 (feeds take feedparser's fast path then)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_windows_1258(text: str) -> bool:
    """Vietnamese in windows-1258: tone marks combine with vowels and ơ/ư/đ/ă appear."""
    if "\ufffd" in text:
        return False
    marks = len(_COMBINING_MARK_RE.findall(text))
    composed = unicodedata.normalize("NFC", text)
    letters = len(_VIETNAMESE_LETTER_RE.findall(composed))
    left_over = len(_COMBINING_MARK_RE.findall(composed))
    # Portuguese `não` gives ă and ơ but no tone marks; Italian `così` tone marks but no ă/ơ.
    return letters >= 3 and marks >= 3 and left_over <= marks // 20 and _garble_reason(composed) is None


def _repair_double_utf8(text: str) -> str | None:
    """Undo UTF-8 -> cp1252/latin-1 -> UTF-8; None unless that yields cleaner text."""
    try:
        repaired = text.translate(_CP1252_TO_BYTE).encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    repaired = unicodedata.normalize("NFC", repaired)
    if _garble_reason(repaired) is not None:
        return None
    if len(_MOJIBAKE_RE.findall(repaired)) >= len(_MOJIBAKE_RE.findall(text)):
        return None
    return repaired


def _garble_reason(text: str) -> str | None:
    """Why `text` looks garbled, or None when it reads as text."""
    if not text:
        return None
    allowed = max(_MAX_GARBLE_COUNT, int(len(text) * _MAX_GARBLE_SHARE))
    if (count := text.count("\ufffd")) > allowed:
        return f"{count} replacement characters"
    if (count := len(_CONTROL_RE.findall(text))) > allowed:
        return f"{count} control characters"
    if (count := len(_MOJIBAKE_RE.findall(text))) > allowed:
        return f"{count} mojibake sequences such as {_MOJIBAKE_RE.search(text).group()!r}"
    return None


_SCRIPT_STYLE_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]*>")


def _visible_text(text: str) -> str:
    """Rough text of a page for legacy detection: markup words would dilute the evidence."""
    if "<" not in text:
        return text
    return _TAG_RE.sub(" ", _SCRIPT_STYLE_RE.sub(" ", text))
