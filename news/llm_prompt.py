"""Prompts for abstractive summaries from a chat-completions model, and checks on its answers.

The prompt speaks the item's language (a Vietnamese instruction gets a Vietnamese answer far more
reliably than an English one asking for Vietnamese). Answers are cleaned of the wrapping chat
models like to add (quotes, markdown, "Tóm tắt:" lead-ins, reasoning blocks) and refused when they
are empty, too long, a refusal, or in the wrong language: the caller then keeps the extractive
summary.
"""

from __future__ import annotations

import re

from news.language import detect_language
from news.text import normalize_text

LANGUAGES = ("vi", "en")
# Enough for the facts of a news article (~1,500-3,000 tokens) without paying for its tail.
MAX_BODY_CHARS = 6000
# Models overshoot a word budget a little; past this share of it the answer is not a summary.
OVERSHOOT = 1.5
MIN_ANSWER_WORDS = 5  # Vietnamese words here are syllables: fewer is a headline at best

_SYSTEM = {
    "vi": (
        "Bạn là biên tập viên tin tức. Hãy tóm tắt bài báo người dùng gửi bằng tiếng Việt, "
        "tối đa {words} từ, trong một đoạn văn liền mạch. Chỉ nêu những gì có trong bài: ai, việc gì, "
        "ở đâu, khi nào, các con số chính. Không thêm nhận xét hay thông tin ngoài bài. "
        "Chỉ trả lời đoạn tóm tắt, không tiêu đề, không lời mở đầu."
    ),
    "en": (
        "You are a news editor. Summarize the article the user sends in English, in at most "
        "{words} words, as one plain paragraph. State only what the article says: who, what, where, "
        "when, the key figures. Add no opinion and nothing from outside the article. "
        "Answer with the summary only: no heading, no preamble."
    ),
}
_USER = {
    "vi": "Tiêu đề: {title}\n\nNội dung:\n{body}",
    "en": "Title: {title}\n\nArticle:\n{body}",
}

_THINK_RE = re.compile(r"<think>.*?(</think>|$)", re.S | re.I)
_FENCE_RE = re.compile(r"^\s*```[\w-]*\s*$", re.M)
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_BULLET_RE = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+", re.M)
_EMPHASIS_RE = re.compile(r"\*\*|__|`|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")
# "Tóm tắt:", "**Summary:**", "Bản tóm tắt bài báo:", "Here is a summary of the article:" ...
_LEAD_IN_RE = re.compile(
    r"^\s*(?:(?:dưới đây là|đây là|sau đây là)\s+)?(?:bản\s+|đoạn\s+)?tóm tắt[^:\n]{0,40}:\s*"
    r"|^\s*(?:(?:here is|here's|below is)\s+)?(?:an?\s+|the\s+)?(?:short\s+|brief\s+)?summary[^:\n]{0,40}:\s*",
    re.I,
)
_REFUSALS = (
    "i'm sorry",
    "i am sorry",
    "i cannot",
    "i can't",
    "as an ai",
    "xin lỗi",
    "tôi không thể",
    "là một mô hình ngôn ngữ",
)
_QUOTE_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "„": "“"}


def prompt_language(lang: str | None, title: str, body: str) -> str:
    """The item's language when known, else the one its text is written in."""
    if lang in LANGUAGES:
        return lang
    return detect_language(f"{title}\n{body}")


def build_messages(title: str, body: str, lang: str | None, words: int) -> list[dict[str, str]]:
    """System and user messages asking for a summary of at most `words` words, in the item's language."""
    lang = prompt_language(lang, title, body)
    return [
        {"role": "system", "content": _SYSTEM[lang].format(words=words)},
        {"role": "user", "content": _USER[lang].format(title=title.strip(), body=truncate_body(body))},
    ]


def truncate_body(body: str, limit: int = MAX_BODY_CHARS) -> str:
    """The body cut to `limit` characters, at the last paragraph, sentence or word end before it."""
    body = body.strip()
    if len(body) <= limit:
        return body
    head = body[:limit]
    for mark in ("\n\n", ". ", "\n", " "):
        cut = head.rfind(mark)
        if cut > limit // 2:
            return head[: cut + (1 if mark == ". " else 0)].rstrip()
    return head


def max_answer_words(words: int) -> int:
    return int(words * OVERSHOOT) + 5


def clean_answer(text: str | None, words: int, lang: str | None = None) -> str | None:
    """The model's answer as one plain paragraph, or None when it is no usable summary.

    None for an empty, too short, over-long (past `max_answer_words`) or refusing answer, and for
    one not in `lang` ("vi" or "en"; None skips the language check).
    """
    if not isinstance(text, str):
        return None
    text = _THINK_RE.sub("", text)
    text = _FENCE_RE.sub("", text)
    text = normalize_text(text)
    text = _HEADING_RE.sub("", text)
    text = _BULLET_RE.sub("", text)
    text = _EMPHASIS_RE.sub("", text)
    text = _drop_lead_in(text)
    text = " ".join(text.split())
    text = _unquote(text)
    count = len(text.split())
    if count < MIN_ANSWER_WORDS or count > max_answer_words(words):
        return None
    if text.lower().startswith(_REFUSALS):
        return None
    if lang in LANGUAGES and detect_language(text) != lang:
        return None
    return text


def _drop_lead_in(text: str) -> str:
    # A lead-in alone on its first line ("Here is a summary:\n...") or before the text on the same line.
    return _LEAD_IN_RE.sub("", text, count=1)


def _unquote(text: str) -> str:
    # Only a quote around the whole answer: '"A" and "B"' keeps its quotes.
    while len(text) >= 2 and _QUOTE_PAIRS.get(text[0]) == text[-1]:
        inner = text[1:-1]
        if text[0] in inner or text[-1] in inner:
            break
        text = inner.strip()
    return text
