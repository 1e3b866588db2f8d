import random
import unicodedata
from pathlib import Path

import pytest

from news.charset import DecodedDocument, UndecodableError, decode_document
from tests.news.legacy_encoders import encode_tcvn3, encode_vni

ARTICLE = (
    "Ủy ban nhân dân huyện tổ chức hội nghị tổng kết công tác năm 2019. "
    "Người dân phấn khởi vì đường giao thông nông thôn được mở rộng, giá lúa ổn định. "
    "Đồng chí Chủ tịch nhấn mạnh: cần tiếp tục đẩy mạnh chuyển đổi số."
)
# Letters that windows-1258 reads as Vietnamese ones (ã õ ý → ă ơ ư, ì ò → tone marks).
PORTUGUESE_ITALIAN = "Não há pão nas lições de português; però così è più facile, disse lo zio già."
FRENCH = "Le café où l'on a mangé était déjà fermé; ça coûte très cher à Noël, n'est-ce pas?"


def page(body_text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>Bantin</title></head><body><p>{body_text}</p></body></html>"


def encode_windows_1258(text: str) -> bytes:
    """Vietnamese as windows-1258 writes it: letters with their own diacritic precomposed,
    tone marks as separate combining characters."""
    tone_marks = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        out.append(unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tone_marks)))
        out.append("".join(c for c in decomposed if c in tone_marks))
    return "".join(out).encode("cp1258")


@pytest.fixture
def vietnamese_html() -> str:
    return page(ARTICLE)


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        (page(ARTICLE).encode("utf-8"), "text/html; charset=utf-8", "utf-8"),
        (page(ARTICLE).encode("utf-8"), 'text/html; charset="UTF-8"', "utf-8"),
        (b"\xef\xbb\xbf" + page(ARTICLE).encode("utf-8"), None, "utf-8-sig"),
        (b"\xef\xbb\xbf" + page(ARTICLE).encode("utf-8"), "text/html; charset=iso-8859-1", "utf-8-sig"),
        (page(ARTICLE).encode("utf-8"), None, "utf-8"),
        (page(ARTICLE).encode("utf-8"), "text/html", "utf-8"),
        (page(ARTICLE).encode("utf-16"), None, "utf-16"),
        (page(ARTICLE).encode("utf-16-le"), None, "utf-16-le"),  # no BOM: NUL pattern
        (page(ARTICLE).encode("utf-32-be"), None, "utf-32-be"),
    ],
)
def test_unicode_pages(body: bytes, content_type: str | None, encoding: str) -> None:
    document = decode_document(body, content_type)
    assert document == DecodedDocument(page(ARTICLE), encoding, None, document.notes)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (encode_windows_1258(page(ARTICLE)), "text/html; charset=windows-1258"),
        (
            b'<?xml version="1.0" encoding="windows-1258"?>\n' + encode_windows_1258(page(ARTICLE)),
            "application/xml",
        ),
        (encode_windows_1258(page(ARTICLE, '<meta charset="windows-1258">')), None),
        (
            encode_windows_1258(
                page(ARTICLE, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">')
            ),
            None,
        ),
        (encode_windows_1258(page(ARTICLE)), None),  # no declaration at all: recognised as Vietnamese
        (encode_windows_1258(page(ARTICLE)), "text/html; charset=utf-8"),  # wrong header
        # A server's default Western charset over a Vietnamese page: the bytes overrule it.
        (encode_windows_1258(page(ARTICLE)), "text/html; charset=iso-8859-1"),
        (
            encode_windows_1258(page(ARTICLE, '<meta charset="windows-1258">')),
            "text/html; charset=windows-1252",
        ),
        (encode_windows_1258(page(ARTICLE, '<meta charset="iso-8859-1">')), None),
    ],
)
def test_windows_1258_pages_come_out_composed(body: bytes, content_type: str | None) -> None:
    document = decode_document(body, content_type)
    assert document.encoding == "cp1258"
    assert ARTICLE in document.text
    assert unicodedata.is_normalized("NFC", document.text)


def test_wrong_header_is_recorded() -> None:
    document = decode_document(encode_windows_1258(page(ARTICLE)), "text/html; charset=utf-8")
    assert document.notes == ("HTTP charset 'utf-8' does not fit the bytes",)


def test_latin_1_declared_over_utf_8_bytes_is_overruled() -> None:
    document = decode_document(page(ARTICLE).encode("utf-8"), "text/html; charset=ISO-8859-1")
    assert (document.encoding, document.text) == ("utf-8", page(ARTICLE))
    assert document.notes == ("HTTP charset 'ISO-8859-1' overruled: the bytes are valid UTF-8",)


def test_unknown_charset_falls_back() -> None:
    document = decode_document(page(ARTICLE).encode("utf-8"), "text/html; charset=x-no-such-thing")
    assert (document.encoding, document.text) == ("utf-8", page(ARTICLE))
    assert document.notes == ("HTTP charset 'x-no-such-thing' is unknown or unusable",)


@pytest.mark.parametrize(
    "content_type", [None, "text/html; charset=iso-8859-1", "text/html; charset=windows-1252"]
)
@pytest.mark.parametrize("text", [FRENCH, PORTUGUESE_ITALIAN])
def test_latin_1_french_stays_french(content_type: str | None, text: str) -> None:
    document = decode_document(page(text).encode("latin-1"), content_type)
    assert document.text == page(text)
    assert document.legacy is None


@pytest.mark.parametrize(
    "content_type", [None, "text/html; charset=iso-8859-1", "text/html; charset=windows-1252"]
)
def test_tcvn3_page(content_type: str | None) -> None:
    text = "Huyện ủy tổ chức hội nghị tổng kết công tác năm 2019, người dân phấn khởi."
    document = decode_document(_legacy_page(encode_tcvn3(text)), content_type)
    assert document.legacy == "tcvn3"
    assert text in document.text


def _legacy_page(encoded_text: bytes) -> bytes:
    return page("").encode("ascii").replace(b"<p></p>", b"<p>" + encoded_text + b"</p>")


@pytest.mark.parametrize("content_type", [None, "text/html; charset=windows-1252"])
def test_vni_page(content_type: str | None) -> None:
    text = "Huyện ủy tổ chức hội nghị tổng kết công tác năm 2019, người dân phấn khởi."
    document = decode_document(_legacy_page(encode_vni(text)), content_type)
    assert document.legacy == "vni"
    assert text in document.text


def as_mojibake(text: str, misread_as: str) -> str:
    """UTF-8 bytes read with a single-byte charset (bytes cp1252 lacks read as latin-1 does)."""
    if misread_as == "latin-1":
        return text.encode("utf-8").decode("latin-1")
    return "".join(
        bytes([byte]).decode("cp1252") if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(byte)
        for byte in text.encode("utf-8")
    )


@pytest.mark.parametrize(
    ("misread_as", "content_type"),
    [("cp1252", "text/html; charset=utf-8"), ("cp1252", None), ("latin-1", None)],
)
def test_double_encoded_utf_8_is_repaired(misread_as: str, content_type: str | None) -> None:
    mojibake = as_mojibake(page(ARTICLE), misread_as)
    assert "á»" in mojibake  # e.g. ủ -> á»§
    document = decode_document(mojibake.encode("utf-8"), content_type)
    assert (document.text, document.encoding) == (page(ARTICLE), "utf-8")
    assert "repaired" in document.notes[-1]


def test_double_encoded_french_is_repaired() -> None:
    document = decode_document(as_mojibake(page(FRENCH), "cp1252").encode("utf-8"), None)
    assert document.text == page(FRENCH)


def test_mojibake_that_cannot_be_repaired_is_refused() -> None:
    # Mojibake mixed with a character no single-byte misreading produces: no clean repair.
    garbled = as_mojibake(ARTICLE, "cp1252") + " ★"
    with pytest.raises(UndecodableError, match="mojibake"):
        decode_document(page(garbled).encode("utf-8"), "text/html; charset=utf-8")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_binary_is_refused(seed: int) -> None:
    body = random.Random(seed).randbytes(4096)
    with pytest.raises(UndecodableError, match="garbled"):
        decode_document(body, None)


def test_binary_with_a_text_header_is_refused() -> None:
    body = b"\x89PNG\r\n\x1a\n" + random.Random(7).randbytes(2048)
    with pytest.raises(UndecodableError):
        decode_document(body, "text/html; charset=utf-8")


def test_empty_body() -> None:
    assert decode_document(b"", "text/html; charset=utf-8") == DecodedDocument("", "utf-8", None)


def test_other_scripts_are_guessed() -> None:
    pytest.importorskip("charset_normalizer")
    russian = "Правительство утвердило план развития транспорта на ближайшие десять лет. " * 5
    document = decode_document(page(russian).encode("cp1251"), None)
    assert russian in document.text


CORPORA = Path(__file__).resolve().parents[2] / "../shared/corpora"


def _corpus(folder: str, *suffixes: str) -> list[Path]:
    root = CORPORA / folder
    if not root.exists():
        pytest.skip(f"corpus not found at {root} (../shared/corpora is absent)")
    return sorted(path for path in root.rglob("*") if path.suffix in suffixes)


@pytest.mark.corpora
def test_vietnamese_corpus_pages_decode_as_utf_8() -> None:
    pages = _corpus("vi-html", ".html") + _corpus("vi-feeds", ".xml")
    assert pages
    for path in pages:
        document = decode_document(path.read_bytes(), None)
        assert (document.encoding, document.legacy, document.notes) == ("utf-8", None, ()), path.name
        assert unicodedata.is_normalized("NFC", document.text)


@pytest.mark.corpora
def test_feedparser_encoding_samples_decode_or_are_refused() -> None:
    """feedparser's encoding torture tests: readable text or UndecodableError, nothing else."""
    refused = []
    for path in _corpus("feedparser-tests", ".xml"):
        try:
            document = decode_document(path.read_bytes(), None)
        except UndecodableError:
            refused.append(path.name)
            continue
        assert document.legacy is None, path.name
    assert refused == []
