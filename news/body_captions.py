"""Photo captions inside an article's body (`Quang cảnh hội nghị. Ảnh: T.L`): a caption describes a
picture the text does not show, and leaves the body unless the story is mostly photos.
"""

from __future__ import annotations

import re
from itertools import islice

import lxml.html

from news.captions import is_photo_credit, may_hold_a_credit
from news.page_lines import author_from_line, is_credit, is_metadata_line
from news.sentences import split_line
from news.story_lines import is_caption_line

# Captions are the story's text in a photo story: when they hold this share of the body, they stay.
MAX_CAPTION_SHARE = 0.5
# A caption's description with its credit alone in the next block (`Quang cảnh hội nghị.` / `Ảnh: T.L`):
# one sentence of at most this many characters.
MAX_DESCRIPTION_CHARS = 200
_PHOTO_TAGS = ("img", "picture")
_CAPTION_CONTAINERS = frozenset(("figure", "figcaption"))
_BLANK_LINES = re.compile(r"\n{3,}")


def without_captions(lines: list[str]) -> list[str]:
    """The body's lines without photo captions (`Quang cảnh hội nghị. Ảnh: T.L`, `(Ảnh: TTXVN)`): a
    caption describes a picture the text does not show (see `join_photo_credits` for a description
    and its credit on two lines). A paragraph that ends with a credit keeps its sentences
    (news.sentences.is_caption_line), a byline crediting the photos too (`Bài và ảnh: Minh Anh`)
    stays for the author, and a photo story, mostly captions, keeps them all."""
    return [line for line, caption in zip(lines, _caption_flags(lines), strict=True) if not caption]


def text_without_captions(text: str) -> str:
    """`without_captions` for a text whose paragraphs are apart by blank lines (a feed's body)."""
    if not may_hold_a_credit(text.lower()):
        return text  # the common case, decided without reading line by line
    lines = text.split("\n")
    filled = [index for index, line in enumerate(lines) if line.strip()]
    captions = {
        index
        for index, caption in zip(filled, _caption_flags([lines[i] for i in filled]), strict=True)
        if caption
    }
    if not captions:
        return text
    kept = "\n".join(line for index, line in enumerate(lines) if index not in captions)
    return _BLANK_LINES.sub("\n\n", kept).strip()


def _caption_flags(lines: list[str]) -> list[bool]:
    """Which lines are photo captions (lines that end with a credit); none when captions hold more than
    MAX_CAPTION_SHARE of the text."""
    captions = [is_caption_line(line) and not is_credit(line) for line in lines]
    caption_chars = sum(len(line) for line, caption in zip(lines, captions, strict=True) if caption)
    if caption_chars > MAX_CAPTION_SHARE * sum(len(line) for line in lines):
        return [False] * len(lines)
    return captions


def join_photo_credits(node: lxml.html.HtmlElement) -> None:
    """Move a photo credit that stands alone in the block after a caption's description (`<p><em>Quang
    cảnh hội nghị.</em></p><p>Ảnh: T.L</p>` under a photo) onto the description's line, where the caption
    rules (`without_captions`) see the caption whole. Only where the markup says it is a caption: the
    description follows a photo or sits in a figure. A credit alone after the story's paragraph (a photo
    with no description) stays apart, and takes only itself."""
    if not may_hold_a_credit(node.text_content().lower()):
        return  # the common case, decided without walking the tree
    for credit in _lone_credits(node):
        description = credit.getprevious()
        if description is None or not _under_a_photo(description):
            continue
        if _may_describe_a_photo(" ".join(description.text_content().split())):
            _append_text(description, " " + " ".join(credit.text_content().split()))
            credit.drop_tree()


def _lone_credits(node: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The outermost elements under `node` whose whole text is a photo credit (`<p><em>Ảnh: T.L</em></p>`
    gives the `p`)."""
    found = []
    for element in node.iterdescendants():
        if not isinstance(element.tag, str) or found and found[-1] in element.iterancestors():
            continue
        if is_photo_credit(" ".join(element.text_content().split())):
            found.append(element)
    return found


def _under_a_photo(description: lxml.html.HtmlElement) -> bool:
    """A block that holds a photo, follows one, or sits in a figure."""
    before = description.getprevious()
    return (
        _holds_a_photo(description)
        or (before is not None and _holds_a_photo(before))
        or any(ancestor.tag in _CAPTION_CONTAINERS for ancestor in description.iterancestors())
    )


def _holds_a_photo(element: lxml.html.HtmlElement) -> bool:
    return next(element.iter(*_PHOTO_TAGS), None) is not None


def _append_text(element: lxml.html.HtmlElement, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _may_describe_a_photo(line: str) -> bool:
    """A line that may be a caption's description: one short sentence, no author's name or credit."""
    return (
        len(line) <= MAX_DESCRIPTION_CHARS
        and len(list(islice(split_line(line.strip()), 2))) == 1
        and author_from_line(line) is None
        and not is_credit(line)
        and not is_metadata_line(line)
    )
