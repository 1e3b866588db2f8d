"""Telegram HTML: escaping, links, visible length, plain-text fallback and splitting into messages."""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

import pytest

from news.telegram_html import (
    TELEGRAM_MESSAGE_LIMIT,
    escape_html,
    link,
    split_message,
    strip_tags,
    visible_length,
)

BAD_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#[0-9]+|#[xX][0-9a-fA-F]+);)")


class _TagBalance(HTMLParser):
    """An independent oracle: Python's own HTML parser, to see that every tag opened is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def assert_valid_telegram_html(html: str) -> None:
    parser = _TagBalance()
    parser.feed(html)
    parser.close()
    assert parser.errors == [], html
    assert parser.stack == [], f"left open: {parser.stack} in {html!r}"
    assert BAD_ENTITY.search(html) is None, f"bare & or unknown entity in {html!r}"


def words(messages: list[str]) -> list[str]:
    return " ".join(strip_tags(message) for message in messages).split()


# --- escaping and links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_text", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a & b", "a &amp; b"),
        ('"quoted"', "&quot;quoted&quot;"),
        ("</a>", "&lt;/a&gt;"),
        ("&amp; already", "&amp;amp; already"),
        ("Đà Nẵng: mưa lớn", "Đà Nẵng: mưa lớn"),
        ("", ""),
    ],
)
def test_escape_html_makes_source_text_inert(source_text: str, escaped: str) -> None:
    assert escape_html(source_text) == escaped
    assert strip_tags(escape_html(source_text)) == source_text


@pytest.mark.parametrize(
    ("url", "text", "expected"),
    [
        ("https://vnexpress.net/a-1.html", "Tin A", '<a href="https://vnexpress.net/a-1.html">Tin A</a>'),
        ("http://baohagiang.vn/x?a=1&b=2", "B", '<a href="http://baohagiang.vn/x?a=1&amp;b=2">B</a>'),
        ('https://e.vn/"><script>', "C", '<a href="https://e.vn/&quot;&gt;&lt;script&gt;">C</a>'),
        ("https://e.vn/", "</a><b>x", '<a href="https://e.vn/">&lt;/a&gt;&lt;b&gt;x</a>'),
        ("javascript:alert(1)", "Click <me>", "Click &lt;me&gt;"),
        ("tg://resolve?domain=x", "tg", "tg"),
        ("/relative/path", "rel", "rel"),
        ("mailto:a@b.vn", "mail", "mail"),
        ("https://", "no host", "no host"),
        ("", "empty", "empty"),
    ],
)
def test_link_escapes_both_parts_and_refuses_non_http_urls(url: str, text: str, expected: str) -> None:
    assert link(url, text) == expected
    assert_valid_telegram_html(link(url, text))


# --- visible length and plain-text fallback ----------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "length"),
    [
        ("", 0),
        ("abc", 3),
        ("<b>abc</b>", 3),
        ('<a href="https://e.vn/a?b=1&amp;c=2">link</a>', 4),
        ("&amp;&lt;&gt;&quot;", 4),
        ("&#7843;", 1),
        ("&#x1F600;", 1),
        ("😀", 1),  # code points, not UTF-16 units
        ("Tiếng Việt", 10),
        ("<i>Bản tin</i> &amp; <b><u>thời sự</u></b>", 17),
        ("a &lt; b", 5),
        ("<tg-spoiler>bí mật</tg-spoiler>", 6),
        ("\n\n", 2),
    ],
)
def test_visible_length_counts_what_telegram_shows(html: str, length: int) -> None:
    assert visible_length(html) == length


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<b>a &amp; b</b>", "a & b"),
        ("&lt;script&gt;", "<script>"),
        ('<a href="https://e.vn/">Đọc <i>thêm</i></a>', "Đọc thêm"),
        ("&#7843;&#x1EA1;", "ảạ"),
        ("x &quot;y&quot;", 'x "y"'),
    ],
)
def test_strip_tags_gives_the_visible_text_unescaped(html: str, text: str) -> None:
    assert strip_tags(html) == text


def test_escaped_text_has_the_visible_length_of_the_original() -> None:
    rng = random.Random(2019)
    alphabet = "aăâđêôơưạảấầẩẫậ <>&\"'\n😀ABC"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        assert visible_length(escape_html(text)) == len(text)
        assert strip_tags(escape_html(text)) == text


# --- splitting -----------------------------------------------------------------------------------


def vietnamese_item(index: int, summary_words: int) -> str:
    title = f"Tin số {index}: Đồng bằng sông Cửu Long <chuẩn bị> ứng phó & triều cường"
    summary = " ".join(["Người dân đã được hướng dẫn di dời đến nơi an toàn."] * summary_words)
    return f"<b>{link(f'https://baomoi.vn/tin-{index}.html', title)}</b>\n{escape_html(summary)}"


@pytest.fixture
def many_vietnamese_items() -> list[str]:
    return [vietnamese_item(index, summary_words=1 + index % 17) for index in range(150)]


def test_no_blocks_give_no_messages() -> None:
    assert split_message([]) == []


def test_blocks_that_fit_stay_in_one_message() -> None:
    blocks = ["<b>Bản tin</b>", "một", "hai"]
    assert split_message(blocks) == ["<b>Bản tin</b>\n\nmột\n\nhai"]


@pytest.mark.parametrize("limit", [1000, 2000, TELEGRAM_MESSAGE_LIMIT])
def test_split_keeps_every_block_whole_and_under_the_limit(
    many_vietnamese_items: list[str], limit: int
) -> None:
    messages = split_message(many_vietnamese_items, limit=limit)

    assert len(messages) > 1
    assert all(visible_length(message) <= limit for message in messages)
    # Multi-byte text: the UTF-8 size is well over the limit even when the visible length is not.
    assert any(len(message.encode()) > limit for message in messages)
    assert "\n\n".join(messages) == "\n\n".join(many_vietnamese_items)
    for message in messages:
        assert_valid_telegram_html(message)
    for block in many_vietnamese_items:
        assert sum(message.count(block) for message in messages) >= 1


def test_split_packs_greedily_and_keeps_order() -> None:
    blocks = ["a" * 40, "b" * 40, "c" * 40, "d" * 10]
    assert split_message(blocks, limit=100) == ["a" * 40 + "\n\n" + "b" * 40, "c" * 40 + "\n\n" + "d" * 10]


@pytest.mark.parametrize("separator", ["\n\n", "\n", "\n— — —\n"])
def test_separator_counts_towards_the_limit(separator: str) -> None:
    blocks = ["ắ" * 50, "ằ" * 50]
    together = 100 + visible_length(separator)
    assert split_message(blocks, limit=together, separator=separator) == [separator.join(blocks)]
    assert split_message(blocks, limit=together - 1, separator=separator) == blocks


def test_block_of_exactly_the_limit_in_vietnamese_is_not_split() -> None:
    block = "<b>" + "Việt" * 1024 + "</b>"
    assert visible_length(block) == TELEGRAM_MESSAGE_LIMIT
    assert split_message([block]) == [block]


@pytest.mark.parametrize(
    ("block", "limit", "messages"),
    [
        ("aaaa bbbb cccc", 9, ["aaaa bbbb", "cccc"]),
        ("aaaa bbbb cccc", 11, ["aaaa bbbb", "cccc"]),
        ("aaaaaaaaaa yyy", 10, ["aaaaaaaaaa", "yyy"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("<b>ab cd</b>", 2, ["<b>ab</b>", "<b>cd</b>"]),
        ("a &amp; b", 3, ["a &amp;", "b"]),
        ("&#7843;&#7843;&#7843;", 2, ["&#7843;&#7843;", "&#7843;"]),
        ("<b>x</b><i>yz</i>", 2, ["<b>x</b><i>y</i>", "<i>z</i>"]),
        ("ab<b>cd</b>", 2, ["ab", "<b>cd</b>"]),
        (
            '<a href="https://e.vn/">một hai</a>',
            4,
            ['<a href="https://e.vn/">một</a>', '<a href="https://e.vn/">hai</a>'],
        ),
    ],
)
def test_oversize_block_cuts_at_word_boundaries_and_between_tokens(
    block: str, limit: int, messages: list[str]
) -> None:
    assert split_message([block], limit=limit) == messages


def test_oversize_block_splits_at_a_line_break() -> None:
    first, second = "Dòng một " * 30, "Dòng hai " * 30
    block = f"{first.strip()}\n{second.strip()}"
    assert split_message([block], limit=300) == [first.strip(), second.strip()]


def test_oversize_block_with_a_long_linked_title_reopens_its_tags() -> None:
    title = "Hà Nội & TP.HCM <cập nhật> " + "Tiêu đề rất dài " * 40
    block = f"<b>{link('https://e.vn/a?x=1&y=2', title)}</b>\n{escape_html('Tóm tắt ngắn.')}"
    messages = split_message([block], limit=200)

    assert len(messages) > 2
    for message in messages:
        assert visible_length(message) <= 200
        assert_valid_telegram_html(message)
    for message in messages[:-1]:
        assert message.startswith('<b><a href="https://e.vn/a?x=1&amp;y=2">')
        assert message.endswith("</a></b>")
    assert words(messages) == words([block])


@pytest.mark.parametrize("limit", [7, 64, 500])
def test_oversize_word_without_spaces_is_cut_between_entities_not_inside(limit: int) -> None:
    giant = "<i>" + escape_html('ạ&<b>"' * 400) + "</i>"
    messages = split_message(["đầu", giant, "cuối"], limit=limit)

    for message in messages:
        assert 0 < visible_length(message) <= limit
        assert_valid_telegram_html(message)
    assert "".join(words(messages)) == "".join(words(["đầu", giant, "cuối"]))


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl: one emoji
VIETNAM_FLAG = "\U0001f1fb\U0001f1f3"  # two regional indicators
THUMBS_UP = "\U0001f44d\U0001f3fd"  # with a skin tone
KEYCAP_ONE = "1\ufe0f\u20e3"  # digit, emoji presentation, enclosing keycap


@pytest.mark.parametrize(
    ("block", "limit", "messages"),
    [
        # "Việt" decomposed (e, dot below, circumflex), as a windows-1258 feed gives it
        ("Vie\u0323\u0302tNam", 3, ["Vi", "e\u0323\u0302", "tNa", "m"]),
        ("ae&#803;&#770;", 3, ["a", "e&#803;&#770;"]),  # the marks written as entities
        ("<b>xe\u0301</b>", 2, ["<b>x</b>", "<b>e\u0301</b>"]),
        ("ab" + FAMILY * 2, 6, ["ab", FAMILY, FAMILY]),
        (VIETNAM_FLAG * 2, 3, [VIETNAM_FLAG, VIETNAM_FLAG]),
        (THUMBS_UP * 2, 3, [THUMBS_UP, THUMBS_UP]),
        (KEYCAP_ONE * 2, 4, [KEYCAP_ONE, KEYCAP_ONE]),
        ("e\u0323\u0302", 2, ["e\u0323", "\u0302"]),  # a character longer than the limit is cut after all
    ],
)
def test_a_cut_inside_a_word_never_splits_a_character_the_reader_sees_as_one(
    block: str, limit: int, messages: list[str]
) -> None:
    assert split_message([block], limit=limit) == messages


def test_split_of_long_vietnamese_paragraph_keeps_every_word_in_order() -> None:
    rng = random.Random(7)
    vocabulary = ["thành", "phố", "Hồ", "Chí", "Minh", "mưa", "lớn", "&", "<ngập>", "“sâu”", "đường"]
    paragraph = " ".join(rng.choice(vocabulary) for _ in range(3000))
    block = f"<b>Tin nóng</b>\n<i>{escape_html(paragraph)}</i>"
    messages = split_message([block, "<b>kế tiếp</b>"], limit=TELEGRAM_MESSAGE_LIMIT)

    assert len(messages) >= 3
    for message in messages:
        assert visible_length(message) <= TELEGRAM_MESSAGE_LIMIT
        assert_valid_telegram_html(message)
    assert words(messages) == words([block, "<b>kế tiếp</b>"])
    assert messages[-1].endswith("<b>kế tiếp</b>")


@pytest.mark.parametrize(
    ("blocks", "limit", "messages"),
    [
        (["x" * 10 + " " * 30], 10, ["x" * 10]),
        (["<b>" + "x" * 10 + " </b>"], 10, ["<b>" + "x" * 10 + "</b>"]),
        (["a", "<b></b>", "  ", "b"], 4, ["a\n\nb"]),
        (["<i> </i>"], 4096, []),
    ],
)
def test_nothing_invisible_is_sent_as_a_message(blocks: list[str], limit: int, messages: list[str]) -> None:
    assert split_message(blocks, limit=limit) == messages


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_message(["a"], limit=0)
