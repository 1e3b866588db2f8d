"""Prompts for abstractive summaries and the cleaning of the model's answers (texts written for these
tests)."""

from __future__ import annotations

import pytest

from news.llm_prompt import (
    MAX_BODY_CHARS,
    build_messages,
    clean_answer,
    max_answer_words,
    prompt_language,
    truncate_body,
)

VI = "Tỉnh khởi công tuyến đường ven biển dài 32 km, vốn 1.200 tỷ đồng, dự kiến hoàn thành năm 2028."
EN = "The province started a 32 km coastal road worth 1.2 trillion dong, due to open in 2028."


@pytest.mark.parametrize(
    ("answer", "lang", "expected"),
    [
        pytest.param(VI, "vi", VI, id="plain"),
        pytest.param(f"  {VI}\n", "vi", VI, id="spaces"),
        pytest.param(f"Tóm tắt: {VI}", "vi", VI, id="tom-tat-prefix"),
        pytest.param(f"**Tóm tắt:** {VI}", "vi", VI, id="bold-prefix"),
        pytest.param(f"Dưới đây là bản tóm tắt bài báo:\n\n{VI}", "vi", VI, id="vi-lead-in-line"),
        pytest.param(f"Here is a summary of the article:\n{EN}", "en", EN, id="en-lead-in-line"),
        pytest.param(f"Summary: {EN}", "en", EN, id="summary-prefix"),
        pytest.param(f"“{VI}”", "vi", VI, id="curly-quotes"),
        pytest.param(f'"{EN}"', "en", EN, id="straight-quotes"),
        pytest.param(f"# Tóm tắt\n{VI}", "vi", f"Tóm tắt {VI}", id="heading-marks-only"),
        pytest.param(f"```\n{VI}\n```", "vi", VI, id="code-fence"),
        pytest.param(
            "- Tỉnh khởi công tuyến đường ven biển dài 32 km.\n- Vốn 1.200 tỷ đồng, xong năm 2028.",
            "vi",
            "Tỉnh khởi công tuyến đường ven biển dài 32 km. Vốn 1.200 tỷ đồng, xong năm 2028.",
            id="bullets-joined",
        ),
        pytest.param(f"<think>Bài nói về một con đường.</think>\n{VI}", "vi", VI, id="reasoning-dropped"),
        pytest.param(
            'Ông Nam nói "sẽ xong sớm" và bà Lan nói "cần thêm vốn" cho dự án.',
            "vi",
            'Ông Nam nói "sẽ xong sớm" và bà Lan nói "cần thêm vốn" cho dự án.',
            id="inner-quotes-kept",
        ),
        pytest.param(
            "Hoa\u0300 Bi\u0300nh khởi công đường ven biển dài 32 km.",
            "vi",
            "Hoà Bình khởi công đường ven biển dài 32 km.",
            id="nfc",
        ),
        pytest.param(VI, None, VI, id="no-language-check"),
        pytest.param("", "vi", None, id="empty"),
        pytest.param("   \n ", "vi", None, id="blank"),
        pytest.param("Tóm tắt:", "vi", None, id="prefix-only"),
        pytest.param("Đường ven biển.", "vi", None, id="too-short"),
        pytest.param(" ".join(["đường"] * 80), "vi", None, id="over-long"),
        pytest.param(EN, "vi", None, id="english-for-vi"),
        pytest.param(VI, "en", None, id="vietnamese-for-en"),
        pytest.param("Xin lỗi, tôi không thể tóm tắt bài báo này.", "vi", None, id="vi-refusal"),
        pytest.param("I'm sorry, but I cannot summarize this article.", "en", None, id="en-refusal"),
        pytest.param(None, "vi", None, id="none"),
    ],
)
def test_clean_answer(answer, lang, expected):
    assert clean_answer(answer, 40, lang) == expected


@pytest.mark.parametrize(("words", "limit"), [(40, 65), (50, 80), (10, 20)])
def test_answers_may_overshoot_the_budget_by_half(words, limit):
    assert max_answer_words(words) == limit
    assert clean_answer(" ".join(["đường"] * limit), words) is not None
    assert clean_answer(" ".join(["đường"] * (limit + 1)), words) is None


@pytest.mark.parametrize(
    ("lang", "title", "body", "expected"),
    [
        ("vi", "Council meets", "The council met.", "vi"),  # the item's language wins
        ("en", "Hội đồng họp", "Hội đồng nhân dân tỉnh họp.", "en"),
        (None, "Hội đồng họp", "Hội đồng nhân dân tỉnh họp phiên thường kỳ.", "vi"),
        (None, "Council meets", "The council met on Monday and approved the budget.", "en"),
        ("fr", "Council meets", "The council met on Monday and approved the budget.", "en"),
    ],
)
def test_prompt_language(lang, title, body, expected):
    assert prompt_language(lang, title, body) == expected


@pytest.mark.parametrize(
    ("lang", "system_says", "user_starts"),
    [
        ("vi", "bằng tiếng Việt, tối đa 35 từ", "Tiêu đề: Đường ven biển"),
        ("en", "in at most 35 words", "Title: Đường"),
    ],
)
def test_build_messages_speaks_the_items_language(lang, system_says, user_starts):
    system, user = build_messages("Đường ven biển", VI, lang, 35)
    assert system["role"] == "system" and system_says in system["content"]
    assert user["role"] == "user" and user["content"].startswith(user_starts)
    assert user["content"].endswith(VI)


def test_long_body_is_cut_at_a_sentence_end():
    sentence = "Tỉnh khởi công tuyến đường ven biển dài 32 km. "
    body = sentence * (MAX_BODY_CHARS // len(sentence) + 20)
    cut = truncate_body(body)
    assert MAX_BODY_CHARS // 2 < len(cut) <= MAX_BODY_CHARS
    assert cut.endswith("32 km.")
    _, user = build_messages("Đường ven biển", body, "vi", 40)
    assert len(user["content"]) < MAX_BODY_CHARS + 100


@pytest.mark.parametrize(
    ("body", "limit", "expected"),
    [
        ("Ngắn gọn.", 100, "Ngắn gọn."),
        ("Một hai ba bốn năm sáu bảy", 12, "Một hai ba"),  # at a word end
        ("Đoạn một dài.\n\nĐoạn hai", 20, "Đoạn một dài."),  # at a paragraph end
        ("x" * 30, 10, "x" * 10),  # no break at all
    ],
)
def test_truncate_body(body, limit, expected):
    assert truncate_body(body, limit) == expected
