import unicodedata

import pytest

from news.text import clean_title, html_to_text, normalize_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("Tin mới", "Tin mới"),
        (unicodedata.normalize("NFD", "Tiếng Việt"), "Tiếng Việt"),  # NFC
        ("Tin\u200bmới\u200c\u200d\u2060", "Tinmới"),  # zero-width characters
        ("\ufeffBOM ở đầu", "BOM ở đầu"),
        ("phân\u00adtích", "phântích"),  # soft hyphen
        ("a\u00a0b\u2009c\u202fd\u3000e", "a b c d e"),  # Unicode spaces
        ("a  \t b\t\tc", "a b c"),  # runs of spaces and tabs
        ("  lề trái\nlề phải   \n", "lề trái\nlề phải"),  # lines trimmed
        ("đoạn một\n\n\n\n\nđoạn hai", "đoạn một\n\nđoạn hai"),  # one blank line between paragraphs
        ("đoạn một\n   \n \t \nđoạn hai", "đoạn một\n\nđoạn hai"),  # whitespace-only lines are blank
        ("dòng một\ndòng hai", "dòng một\ndòng hai"),  # a single line break stays
        ("Windows\r\nline\rends", "Windows\nline\nends"),
        ("a\u2028b\u2029c", "a\nb\n\nc"),
        ("bell\x07 nul\x00 esc\x1b del\x7f c1\x9b.", "bell nul esc del c1."),  # control characters
        ("trang\x0cmới", "trang\nmới"),  # form feed breaks the line
        ("\n\n  chỉ có chữ  \n\n", "chỉ có chữ"),
        ("   \u00a0\u200b  ", ""),
        # bidi controls: an override in a hostile title would reverse the rest of a digest's line
        ("Tin \u202emới\u202c nhất", "Tin mới nhất"),
        ("\u2066Sông Xanh\u2069 \u2067x\u2069 \u2068y\u2069", "Sông Xanh x y"),
        ("\u202a\u202b\u202dchữ", "chữ"),
        ("\u200e\u200f\u061c\u180e", ""),  # marks alone: an empty title, not an invisible one
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_normalize_text_returns_clean_input_as_is() -> None:
    clean = "Đoạn văn sạch.\n\nĐoạn thứ hai."
    assert normalize_text(clean) is clean


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Xin chào</p><p>thế giới</p>", "Xin chào\n\nthế giới"),
        ("<div>một<br>hai<br/>ba</div>", "một\nhai\nba"),
        ("<ul><li>một</li><li>hai</li></ul><p>sau</p>", "một\nhai\n\nsau"),
        ("<h1>Tiêu đề</h1>Nội dung", "Tiêu đề\n\nNội dung"),
        ("<blockquote>trích</blockquote>tiếp", "trích\n\ntiếp"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<p>Bộ<b>trưởng</b> <i>nói</i></p>", "Bộtrưởng nói"),  # inline elements do not split words
        # entities: named, numeric (decimal and hex), and double escaping decoded only once
        ("Tom &amp; Jerry &lt;3 &quot;hay&quot;", 'Tom & Jerry <3 "hay"'),
        ("&copy; 2024 &hellip; Vi&#7879;t Vi&#x1EC7;t", "© 2024 … Việt Việt"),
        ("R&amp;amp;D", "R&amp;D"),
        ("a&nbsp;&nbsp;b", "a b"),
        # invisible content is dropped, the text around it kept
        ("trước<script>var x = '<p>';</script>sau", "trướcsau"),
        ("<style>p { color: red }</style><p>chữ</p>", "chữ"),
        ("<noscript>Bật JavaScript</noscript><p>chữ</p>", "chữ"),
        ("<div>a<noscript><p>Bật <b>JavaScript</b></p></noscript>b</div>", "ab"),
        ("<html><head><title>Trang chủ</title></head><body><p>Thân</p></body></html>", "Thân"),
        ("a<!-- ghi chú -->b", "ab"),
        # whole documents, XML prolog included
        (
            '<?xml version="1.0" encoding="utf-8"?><html><body><p>Một</p><p>Hai</p></body></html>',
            "Một\n\nHai",
        ),
        ("<html><head><meta charset=utf-8></head><body>Thân bài</body></html>", "Thân bài"),
        # plain text goes straight to normalize_text
        ("không có thẻ  nào", "không có thẻ nào"),
        (unicodedata.normalize("NFD", "<p>Hoà</p>"), "Hoà"),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "<",
        "<p>",
        "</div></div>",
        "<!-- chỉ ghi chú -->",
        "<<<>>> &&& &#xZZ; &#99999999;",
        "\x00\x01\x02 nhị phân \xff\xfe",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00".decode("latin-1"),
        "<div>" * 3000 + "sâu" + "</div>" * 3000,
        "<p" * 500,
    ],
)
def test_html_to_text_survives_garbage(garbage: str) -> None:
    text = html_to_text(garbage)
    assert isinstance(text, str)
    assert "\x00" not in text
    assert text == normalize_text(text)


def test_html_to_text_drops_markup_from_comment_only_input() -> None:
    assert html_to_text("<!-- chỉ ghi chú -->") == ""


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Tin nóng", "Tin nóng"),
        ("  <b>Uỷ ban</b>\n  nhân dân &quot;tỉnh&quot; ", 'Uỷ ban nhân dân "tỉnh"'),
        ("<p>Dòng một</p><p>Dòng hai</p>", "Dòng một Dòng hai"),
        ("Giá\u00a0vàng\u200b tăng", "Giá vàng tăng"),
        ("R&amp;amp;D &amp; AI", "R&amp;D & AI"),
        ("", ""),
    ],
)
def test_clean_title(title: str, expected: str) -> None:
    assert clean_title(title) == expected
