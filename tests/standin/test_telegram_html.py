"""Telegram's HTML parse mode as the stand-in checks it: visible text, entities, and Telegram's error texts."""

from __future__ import annotations

import pytest

from bot.standin import ApiError, parse_html, parse_text
from bot.standin.telegram_html import MAX_TEXT_LENGTH


@pytest.mark.parametrize(
    ("html", "visible", "entities"),
    [
        ("<b>Tin</b> mới", "Tin mới", [{"type": "bold", "offset": 0, "length": 3}]),
        ("<strong>a</strong><em>b</em><ins>c</ins><del>d</del>", "abcd", None),
        ("a &lt;b&gt; &amp; &quot;c&quot;", 'a <b> & "c"', []),
        ("&#272;&#x1EA1;i", "Đại", []),
        ('<a href="https://vnexpress.net/a?x=1&amp;y=2">đọc</a>', "đọc", None),
        ('<span class="tg-spoiler">kín</span>', "kín", [{"type": "spoiler", "offset": 0, "length": 3}]),
        ("<tg-spoiler>kín</tg-spoiler>", "kín", [{"type": "spoiler", "offset": 0, "length": 3}]),
        (
            "<blockquote expandable>dài</blockquote>",
            "dài",
            [{"type": "expandable_blockquote", "offset": 0, "length": 3}],
        ),
        (
            '<pre><code class="language-python">x = 1</code></pre>',
            "x = 1",
            [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
        ),
        ("<B>hoa</B>", "hoa", [{"type": "bold", "offset": 0, "length": 3}]),
        ("<b></b>x", "x", []),  # empty entities are dropped
        ("  \n<b> Tin </b>\n ", "Tin", [{"type": "bold", "offset": 0, "length": 3}]),  # trimmed like Telegram
        ("😀 <b>x</b>", "😀 x", [{"type": "bold", "offset": 3, "length": 1}]),  # offsets in UTF-16 units
    ],
)
def test_valid_markup_gives_visible_text_and_entities(html, visible, entities):
    parsed = parse_html(html)

    assert parsed.text == visible
    if entities is not None:
        assert parsed.entities == entities


def test_link_entity_carries_decoded_url():
    parsed = parse_html('<a href="https://vnexpress.net/a?x=1&amp;y=2">đọc</a>')

    assert parsed.entities == [
        {"type": "text_link", "offset": 0, "length": 3, "url": "https://vnexpress.net/a?x=1&y=2"}
    ]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("Hà Nội <br>", 'Unsupported start tag "br" at byte offset 10'),  # byte offsets count UTF-8 bytes
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
        ("AT&T", 'Unescaped "&" at byte offset 2; use "&amp;"'),
        ("a&nbsp;b", 'Unsupported HTML entity "&nbsp;" at byte offset 1'),
        ("2 > 1", 'Unescaped ">" at byte offset 2; use "&gt;"'),
        ('<b class="x">y</b>', 'Unsupported attribute "class" in the tag "b" at byte offset 0'),
    ],
)
def test_bad_markup_is_refused_with_telegram_reason(html, reason):
    with pytest.raises(ApiError) as raised:
        parse_html(html)

    assert raised.value.code == 400
    assert raised.value.description == f"Bad Request: can't parse entities: {reason}"


@pytest.mark.parametrize(
    ("html", "visible"),
    [("AT&T", "AT&T"), ("a&nbsp;b", "a&nbsp;b"), ("2 > 1", "2 > 1"), ('<b class="x">y</b>', "y")],
)
def test_lenient_mode_accepts_what_telegram_lets_through(html, visible):
    assert parse_html(html, strict=False).text == visible


@pytest.mark.parametrize(
    ("text", "parse_mode", "description"),
    [
        ("", None, "Bad Request: message text is empty"),
        (" \n ", None, "Bad Request: message text is empty"),
        ("<b> </b>", "HTML", "Bad Request: message text is empty"),
        ("x" * (MAX_TEXT_LENGTH + 1), None, "Bad Request: message is too long"),
        ("<b>" + "x" * (MAX_TEXT_LENGTH + 1) + "</b>", "HTML", "Bad Request: message is too long"),
    ],
)
def test_text_length_rules(text, parse_mode, description):
    with pytest.raises(ApiError) as raised:
        parse_text(text, parse_mode)

    assert raised.value.description == description


@pytest.mark.parametrize(
    "text",
    [
        "<b>" + "x" * MAX_TEXT_LENGTH + "</b>",  # tags do not count
        "&amp;" * MAX_TEXT_LENGTH,  # an entity counts as one character
        "ờ" * MAX_TEXT_LENGTH,  # code points, not bytes
    ],
)
def test_length_is_counted_on_visible_code_points(text):
    assert len(parse_text(text, "HTML").text) == MAX_TEXT_LENGTH


def test_parse_mode_is_case_insensitive_and_markdown_is_refused():
    assert parse_text("<i>a</i>", "html").text == "a"
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        parse_text("*a*", "MarkdownV2")
