"""Full-text search: diacritics and tone placement do not matter, titles weigh more, any text is safe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from news.entries import Entry
from news.prepare import prepare_entry
from storage import search_postgresql
from storage.items import store_items
from storage.models import Item, Source
from storage.search import SearchTerms, search_stories
from storage.sources import SourceSpec, add_source, remove_source

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)

# Articles we wrote for these tests: distinct topics so each is its own story.
ARTICLES = {
    "dang": (
        "Hội nghị học tập Điều lệ Đảng tại xã Tân Phú",
        "Chiều 12/3, Đảng ủy xã Tân Phú tổ chức hội nghị quán triệt các quy định mới cho đảng viên. "
        "Các chi bộ thôn cam kết thực hiện nghiêm túc nghị quyết trong năm nay.",
    ),
    "thuy": (
        "Thuỷ điện Sông Bạc xả lũ điều tiết",
        "Công ty vận hành nhà máy thông báo mở hai cửa xả từ 14 giờ. Người dân vùng hạ du được khuyến cáo "
        "không đánh bắt cá gần lòng sông trong ba ngày tới.",
    ),
    "hoa": (
        "Khánh thành cầu Hòa Bình nối hai bờ kênh",
        "Cây cầu dài 120 mét được xây trong mười tám tháng với vốn ngân sách tỉnh. Học sinh hai xã "
        "không còn phải đi đò qua kênh mỗi sáng.",
    ),
    "lua_title": (
        "Nông dân phấn khởi vì lúa được mùa",
        "Năng suất bình quân đạt bảy tấn mỗi héc-ta, cao hơn vụ trước. Thương lái thu mua tại ruộng "
        "với giá ổn định.",
    ),
    "lua_body": (
        "Hợp tác xã Đông Hưng mở rộng kho lạnh",
        "Kho mới chứa được ba trăm tấn nông sản. Ban quản trị cho biết sẽ ưu tiên bảo quản rau và "
        "một phần lúa giống cho vụ đông xuân.",
    ),
    "football": (
        "Đội bóng đá tỉnh giành chiến thắng trên sân khách",
        "Hai bàn thắng trong hiệp hai giúp đội nhà có ba điểm quý giá. Huấn luyện viên khen ngợi tinh thần "
        "thi đấu của các cầu thủ trẻ.",
    ),
}


def _entry(key: str, *, url: str | None = None, hours_ago: int = 0) -> Entry:
    title, body = ARTICLES[key]
    return Entry(
        url=url or f"https://tin.example.vn/{key}.html",
        title=title,
        body=body,
        published=NOW - timedelta(hours=hours_ago),
        language="vi",
    )


async def _store(db, source_name: str, *entries: Entry) -> None:
    async with db.transaction() as session:
        source = await session.scalar(select(Source).where(Source.name == source_name))
        if source is None:
            spec = SourceSpec(name=source_name, url=f"https://{source_name}.example.vn/rss")
            source = await add_source(session, spec, NOW)
        await store_items(session, source, [prepare_entry(e, words=40) for e in entries], NOW)


@pytest.fixture
async def news_db(fresh_db):
    await _store(fresh_db, "baotinh", *(_entry(key, hours_ago=i) for i, key in enumerate(ARTICLES)))
    return fresh_db


async def _titles(db, query: str, **page) -> list[str]:
    async with db.session() as session:
        rows, _total = await search_stories(session, query, **page)
    return [row.title for row in rows]


@pytest.mark.parametrize(
    ("query", "expected_title"),
    [
        ("Điều lệ Đảng", ARTICLES["dang"][0]),
        ("dieu le dang", ARTICLES["dang"][0]),
        ("DIEU LE DANG", ARTICLES["dang"][0]),
        ("điều lệ", ARTICLES["dang"][0]),
        ("thuy dien", ARTICLES["thuy"][0]),
        ("thủy điện", ARTICLES["thuy"][0]),  # the stored title has the old placement, thuỷ
        ("thuỷ điện", ARTICLES["thuy"][0]),
        ("hoà bình", ARTICLES["hoa"][0]),  # old placement finds the new one, Hòa
        ("hoa binh", ARTICLES["hoa"][0]),
        ("song bac xa lu", ARTICLES["thuy"][0]),
        ("dong xuan", ARTICLES["lua_body"][0]),  # a body word
        ("bong da", ARTICLES["football"][0]),
    ],
)
async def test_query_with_or_without_diacritics_finds_the_story(news_db, query, expected_title):
    assert (await _titles(news_db, query))[:1] == [expected_title]


@pytest.mark.parametrize(
    ("query", "expected_title"),
    [
        ("thu", ARTICLES["thuy"][0]),  # the last word is a prefix: thu → thuy
        ("khanh tha", ARTICLES["hoa"][0]),
        ("Khánh thà", ARTICLES["hoa"][0]),
    ],
)
async def test_last_word_matches_as_a_prefix(news_db, query, expected_title):
    assert expected_title in await _titles(news_db, query)


async def test_every_word_must_match(news_db):
    assert await _titles(news_db, "dieu le bong da") == []


async def test_title_match_ranks_above_body_match(news_db):
    titles = await _titles(news_db, "lúa")
    assert titles == [ARTICLES["lua_title"][0], ARTICLES["lua_body"][0]]


# News joins words with dots and slashes (TP.HCM, 19.09.2019, UBND/Sở); PostgreSQL's text parser
# reads such a run as one token (a host name, a number, a path), so its parts must be indexed apart.
JOINED = (
    "Khách quốc tế đến TP.HCM tăng mạnh trong quý ba",
    "Tháng 9, TP.Hồ Chí Minh đón 7.743 lượt khách qua cảng biển, theo số liệu công bố ngày 19.09.2019 "
    "của UBND/Sở Du lịch. Đoàn U.23 cũng ghé thăm; chi tiết tại dulich.example.vn/khach-quoc-te.",
)


@pytest.mark.parametrize(
    "query",
    [
        "TP.HCM",
        "tp hcm",
        "hcm",
        "ho chi minh",
        "7.743",
        "743",
        "19.09.2019",
        "2019",
        "so du lich",
        "U.23",
        "dulich",
        "khach quoc te",
    ],
)
async def test_words_joined_by_punctuation_are_found_one_by_one(news_db, query):
    entry = Entry(url="https://tin.example.vn/khach.html", title=JOINED[0], body=JOINED[1], published=NOW)
    await _store(news_db, "baotinh", entry)
    assert await _titles(news_db, query) == [JOINED[0]]


# A letter prefix joined to a number (the under-23 team, a ward, a virus) is written glued, with a dot,
# a dash or a space: a query in any of the joined forms finds every joined form.
TEAMS = {
    "U.23": "Đội tuyển U.23 Việt Nam tập trung chuẩn bị cho giải châu Á",
    "U-23": "Đội tuyển U-23 Việt Nam tập trung chuẩn bị cho giải châu Á",
    "U23": "Đội tuyển U23 Việt Nam tập trung chuẩn bị cho giải châu Á",
    "U 23": "Đội tuyển U 23 Việt Nam tập trung chuẩn bị cho giải châu Á",
}


@pytest.mark.parametrize("query", ["u23", "U23", "U.23", "u-23", "U–23", "đội u23", "u23 viet nam", "u2"])
@pytest.mark.parametrize("stored", ["U.23", "U-23", "U23", "U 23"])
async def test_a_letter_prefix_joined_to_a_number_finds_every_joined_form(news_db, query, stored):
    title = TEAMS[stored]
    body = f"Ban huấn luyện gọi 30 cầu thủ lên đội {stored}, chuyến tập huấn kéo dài hai tuần."
    await _store(
        news_db,
        "baotinh",
        Entry(url="https://tin.example.vn/u23.html", title=title, body=body, published=NOW),
    )
    assert await _titles(news_db, query) == [title]


@pytest.mark.parametrize("query", ["u 23", "u23"])
async def test_a_prefix_and_a_number_apart_are_no_joined_form(news_db, query):
    # `u 23` typed with a space asks for two words, and finds them anywhere; `u23` needs them side by side
    title = "Hai đội bóng giao hữu"
    body = "Đội khách có 23 cầu thủ; đội chủ nhà mặc áo chữ U in đậm."
    await _store(
        news_db,
        "baotinh",
        Entry(url="https://tin.example.vn/giao-huu.html", title=title, body=body, published=NOW),
    )
    assert await _titles(news_db, query) == ([title] if query == "u 23" else [])


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("u23", '("u23"* OR "u 23"*)', "('u23':* | 'u' <-> '23':*)"),
        ("U.23 viet", '("u23" OR "u 23") AND "viet"*', "('u23' | 'u' <-> '23') & 'viet':*"),
        ("covid-19", '("covid19"* OR "covid 19"*)', "('covid19':* | 'covid' <-> '19':*)"),
        ("TP.HCM", '"tp" AND "hcm"*', "'tp' & 'hcm':*"),
        ("19.09.2019", '"19" AND "09" AND ("2019" OR "2 019")', "'19' & '09' & ('2019' | '2' <-> '019')"),
        ("7.743", '("7743" OR "7 743")', "('7743' | '7' <-> '743')"),  # a number: no prefix
        (
            "1,500,000 usd",
            '("1500000" OR "1 500 000") AND "usd"*',
            "('1500000' | '1' <-> '500' <-> '000') & 'usd':*",
        ),
        ("3.5 0123", '"3" AND "5" AND "0123"', "'3' & '5' & '0123'"),
        ("8h30", '"8h30"*', "'8h30':*"),
    ],
)
def test_a_letter_prefix_joined_to_a_number_is_searched_glued_or_apart(query, fts5, tsquery):
    terms = SearchTerms.parse(query)
    assert (terms.fts5(), terms.tsquery()) == (fts5, tsquery)


# Vietnamese groups thousands with dots (7.743), English with commas (7,743), some pages with a space or
# not at all: a number typed in any of these forms finds it in every one.
CASES = {
    "7.743": "Tỉnh ghi nhận 7.743 ca sốt xuất huyết từ đầu năm",
    "7,743": "Tỉnh ghi nhận 7,743 ca sốt xuất huyết từ đầu năm",
    "7743": "Tỉnh ghi nhận 7743 ca sốt xuất huyết từ đầu năm",
    "7 743": "Tỉnh ghi nhận 7 743 ca sốt xuất huyết từ đầu năm",
}


@pytest.mark.parametrize("query", ["7743", "7.743", "7,743", "7.743 ca", "ca 7743"])
@pytest.mark.parametrize("stored", list(CASES))
async def test_a_number_is_found_with_or_without_thousands_separators(news_db, query, stored):
    await _store(
        news_db,
        "baotinh",
        Entry(url="https://tin.example.vn/sxh.html", title=CASES[stored], body="", published=NOW),
    )
    assert await _titles(news_db, query) == [CASES[stored]]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("1500000", True),
        ("1.500.000", True),
        ("1,500,000", True),
        ("7.743", False),  # 7 and 743 are in the text, not side by side
        ("7743", False),
        ("50", False),  # a number is a whole word: 50 is not the 500 of 1.500.000
        ("150", False),
    ],
)
async def test_a_number_is_a_whole_number(news_db, query, found):
    title = "Quỹ khuyến học nhận 1.500.000 đồng ủng hộ"
    body = "Sau 7 ngày vận động, 743 hội viên đã góp tiền."
    await _store(
        news_db,
        "baotinh",
        Entry(url="https://tin.example.vn/quy.html", title=title, body=body, published=NOW),
    )
    assert await _titles(news_db, query) == ([title] if found else [])


# Without diacritics `hoa binh` also means hóa (văn hóa) and bình (bình thường), syllables in every other
# article: quotes ask for the words side by side, in that order, as a Vietnamese name or word is written.
PHRASES = {
    "together": ("Tỉnh Hòa Bình mở hội xuân cho đồng bào", "Lễ hội kéo dài ba ngày ở sân vận động tỉnh."),
    "apart": (
        "Văn hóa ứng xử nơi công cộng",
        "Người dân bình tĩnh xếp hàng, chờ đến lượt mình mua vé xem hội.",
    ),
}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"hoà bình"', ["together"]),
        ("“Hòa Bình”", ["together"]),
        ('"HOA BINH" hoi', ["together"]),
        ('hoi "hoa binh"', ["together"]),
        ('"binh hoa"', []),  # the order counts
        ('"hoa xuan"', []),
        ('"binh tinh"', ["apart"]),  # bình tĩnh
        ("hoa binh", ["together", "apart"]),  # no quotes: the words anywhere
        ('"hoa', ["together", "apart"]),  # a quote never closed is no phrase
        ('"hoi"', ["together", "apart"]),
    ],
)
async def test_a_quoted_phrase_is_found_as_written(fresh_db, query, found):
    for key, (title, body) in PHRASES.items():
        await _store(
            fresh_db,
            "baotinh",
            Entry(url=f"https://tin.example.vn/{key}.html", title=title, body=body, published=NOW),
        )
    assert sorted(await _titles(fresh_db, query)) == sorted(PHRASES[key][0] for key in found)


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ('"hoa binh" xuan', '"hoa binh" AND "xuan"*', "'hoa' <-> 'binh' & 'xuan':*"),
        ('xuan "hoa binh"', '"xuan" AND "hoa binh"', "'xuan' & 'hoa' <-> 'binh'"),  # quoted: no prefix
        ('"hoa"', '"hoa"', "'hoa'"),
        (
            '"u23 viet"',
            '("u23 viet" OR "u 23 viet")',
            "('u23' <-> 'viet' | 'u' <-> '23' <-> 'viet')",
        ),
    ],
)
def test_a_quoted_phrase_is_one_query_phrase(query, fts5, tsquery):
    terms = SearchTerms.parse(query)
    assert (terms.fts5(), terms.tsquery()) == (fts5, tsquery)


@pytest.mark.parametrize("query", ["da nang", "Đà Nẵng", "ÐÀ NẴNG", "dbscl"])
async def test_latin_1_eth_standing_for_d_is_folded_like_it(news_db, query):
    title = "Ðà Nẵng đón đoàn khách ÐBSCL"  # Ð is U+00D0, as older sites still write Đ
    await _store(
        news_db,
        "baotinh",
        Entry(url="https://tin.example.vn/da-nang.html", title=title, body="", published=NOW),
    )
    assert await _titles(news_db, query) == [title]


@pytest.mark.parametrize("query", ["xyzzy", "không có gì như vậy", "tàu vũ trụ sao hỏa"])
async def test_no_results(news_db, query):
    async with news_db.session() as session:
        assert await search_stories(session, query) == ([], 0)


HOSTILE = [
    "",
    "   ",
    '"',
    '"dieu le',
    "dieu*",
    "*",
    "**dang**",
    "NEAR(dieu le)",
    "dieu AND le",
    "dieu OR le",
    "NOT dang",
    "AND",
    "title:dang",
    "body:dang",
    "{title body}: dang",
    "^dang",
    "dang -le",
    "(dang",
    "dang)",
    "'; DROP TABLE items; --",
    "1' OR '1'='1",
    "a & b | !c <-> d:*",
    "\\x00 \x00 \u202e",
    "🐟 🔥 tin",
    "中文 新闻",
    "dang " * 2000,
    "đ" * 10_000,
    "x" * 10_240,
]


@pytest.mark.parametrize("query", HOSTILE, ids=[repr(q[:20]) for q in HOSTILE])
async def test_hostile_input_never_errors(news_db, query):
    async with news_db.session() as session:
        rows, total = await search_stories(session, query)
    assert total >= len(rows)
    async with news_db.session() as session:  # the table is still there and searchable
        assert (await search_stories(session, "dieu le dang"))[1] == 1


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("Điều lệ Đảng", ("dieu", "le", "dang")),
        ('"NEAR" AND *', ("near", "and")),
        ("title:dang_2024", ("title", "dang", "2024")),
        ("  ", ()),
    ],
)
def test_query_becomes_plain_words(query, words):
    assert SearchTerms.parse(query).words == words


def test_fts5_and_tsquery_quote_every_word():
    terms = SearchTerms.parse("dieu le dang")
    assert terms.fts5() == '"dieu" AND "le" AND "dang"*'
    assert terms.tsquery() == "'dieu' & 'le' & 'dang':*"
    assert SearchTerms.parse("a").fts5() == '"a"'  # one letter: no prefix


async def test_story_carried_by_two_sources_is_one_result_with_both(news_db):
    await _store(news_db, "baohuyen", _entry("dang", url="https://huyen.example.vn/dieu-le.html"))
    async with news_db.session() as session:
        rows, total = await search_stories(session, "dieu le dang")
    assert total == 1
    assert [row.sources for row in rows] == [("baotinh", "baohuyen")]


async def test_pages_and_total(news_db):
    async with news_db.session() as session:
        everything, total = await search_stories(session, "hai", limit=50)  # "hai": three articles
        first, total_1 = await search_stories(session, "hai", limit=1)
        second, _ = await search_stories(session, "hai", limit=1, offset=1)
        beyond, total_beyond = await search_stories(session, "hai", limit=1, offset=total)
    assert total == len(everything) >= 2
    assert [r.id for r in first + second] == [r.id for r in everything[:2]]
    assert total_1 == total_beyond == total
    assert beyond == []


async def test_index_follows_item_updates_and_deletes(news_db):
    async with news_db.transaction() as session:
        item = await session.scalar(select(Item).where(Item.title == ARTICLES["football"][0]))
        item.title = "Đội bóng chuyền nữ vô địch giải trẻ"
        item.search_text = "doi bong chuyen nu vo dich giai tre"
    assert await _titles(news_db, "bong chuyen") == [ARTICLES["football"][0]]  # the story keeps its title
    assert await _titles(news_db, "bong da san khach") == []

    async with news_db.transaction() as session:
        await remove_source(session, "baotinh")  # items go by cascade
    assert await _titles(news_db, "dieu le dang") == []
    await _store(news_db, "baomoi", _entry("dang"))
    assert await _titles(news_db, "dieu le dang") == [ARTICLES["dang"][0]]


async def test_postgresql_search_uses_the_gin_index(news_db):
    if news_db.dialect != "postgresql":
        pytest.skip("PostgreSQL query plan")
    async with news_db.session() as session:
        await session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table would be scanned
        plan = "\n".join(
            row[0]
            for row in await session.execute(
                text("EXPLAIN SELECT id FROM items WHERE search_vector @@ to_tsquery('simple', 'dang')")
            )
        )
    assert "ix_items_search_vector" in plan


@pytest.mark.parametrize("recent_rows", [1, 2, 4])
async def test_postgresql_finds_the_same_whatever_the_recent_window(news_db, monkeypatch, recent_rows):
    """Older items are read with a plan chosen from the newest ones; the result must not change."""
    if news_db.dialect != "postgresql":
        pytest.skip("PostgreSQL plan choice")
    queries = ["hai", "dieu le dang", "lua", "xyzzy", "song"]
    expected = [await _titles(news_db, q, limit=50) for q in queries]
    monkeypatch.setattr(search_postgresql, "RECENT_ROWS", recent_rows)
    assert [await _titles(news_db, q, limit=50) for q in queries] == expected
    async with news_db.session() as session:
        assert (await search_stories(session, "hai", candidates=2))[1] == 2


@pytest.mark.parametrize(
    ("found", "remaining", "older_rows", "plan"),
    [
        (0, 500, 1_000_000, search_postgresql._USE_GIN),  # nothing recent: the index, whatever it costs
        (5, 495, 1_000_000, search_postgresql._USE_GIN),  # rare: few matches to fetch
        (400, 100, 1_000_000, search_postgresql._WALK_THE_KEY),  # common: the next rows will do
        (200, 300, 1_000_000, search_postgresql._WALK_THE_KEY),
        (200, 300, 10_000, search_postgresql._USE_GIN),  # little left: read it all from the index
    ],
)
def test_postgresql_plan_for_older_rows(found, remaining, older_rows, plan):
    assert search_postgresql._cheaper_plan(found, remaining, older_rows) == plan
