"""heading_matching_title: the article's own title, confirmed by a heading on the page."""

from __future__ import annotations

import pytest

from news.page_meta import PageFacts, heading_matching_title

URL = "https://socongthuong.example.gov.vn/tin-tuc/khai-mac-hoi-cho-2041.html"


@pytest.mark.parametrize(
    ("document_title", "heading", "expected"),
    [
        # a short headline before a site name the suffix rules do not know
        ("Khai mạc hội chợ - Sở Công Thương tỉnh Mẫu", "Khai mạc hội chợ", "Khai mạc hội chợ"),
        (
            "Norddeutschland findet seine Meister - Berliner Leichtathletik Verband e.V.",
            "Norddeutschland findet seine Meister",
            "Norddeutschland findet seine Meister",
        ),
        ("Khai mạc hội chợ | Tin tức | Sở Công Thương", "Khai mạc hội chợ", "Khai mạc hội chợ"),
        # longer headlines, as before
        (
            "Khai mạc hội chợ nông sản an toàn năm 2019 - Sở Công Thương tỉnh Mẫu",
            "Khai mạc hội chợ nông sản an toàn năm 2019",
            "Khai mạc hội chợ nông sản an toàn năm 2019",
        ),
        # a section's name is no headline, and a short heading that only starts the title confirms nothing
        ("Tin tức - Sở Công Thương tỉnh Mẫu", "Tin tức", None),
        ("Khai mạc hội chợ nông sản an toàn năm 2019", "Khai mạc hội chợ", None),
        ("Khai mạc hội chợ - Sở Công Thương tỉnh Mẫu", "Sở Công Thương", None),
    ],
)
def test_heading_matching_title(document_title, heading, expected):
    facts = PageFacts(url=URL, html_title=document_title, headings=[heading])
    assert heading_matching_title(facts) == expected
