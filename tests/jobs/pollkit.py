"""What the poll-path tests share: a poller over a local feed server and a fresh database, with
an injected clock, and builders for the feeds and pages it serves (text written for these tests)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select

from jobs.fetch import Fetcher
from jobs.offload import INLINE, Offload
from jobs.poll import PollOutcome, poll_due_sources
from news.config import Config
from storage.db import Database
from storage.models import Item, Source, Story, StorySource
from storage.sources import SourceSpec, add_source
from tests.feedserver import FeedServer

START = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
BODY_CAP = 200_000


class Clock:
    """The poller's `now`: moves only when a test moves it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Poller:
    """Sources on a local feed server, polled through the real path into a real database."""

    db: Database
    server: FeedServer
    fetcher: Fetcher
    config: Config
    clock: Clock
    outcomes: list[PollOutcome] = field(default_factory=list)  # every cycle's, in completion order
    offload: Offload = INLINE

    async def add(self, name: str, url: str, **spec) -> Source:
        async with self.db.transaction() as session:
            return await add_source(session, SourceSpec(name=name, url=url, **spec), self.clock())

    async def cycle(self, *, after: timedelta | None = None) -> dict[str, PollOutcome]:
        """One poll of every due source (optionally after moving the clock), outcomes by name."""
        if after is not None:
            self.clock.now += after
        done = await poll_due_sources(
            self.db,
            self.fetcher,
            self.config,
            now=self.clock,
            on_outcome=self.outcomes.append,
            offload=self.offload,
        )
        return {outcome.source: outcome for outcome in done}

    async def source(self, name: str) -> Source:
        async with self.db.session() as session:
            return await session.scalar(select(Source).where(Source.name == name))

    async def items(self, name: str | None = None) -> list[Item]:
        stmt = select(Item).order_by(Item.id)
        if name is not None:
            stmt = stmt.join(Source, Source.id == Item.source_id).where(Source.name == name)
        async with self.db.session() as session:
            return list((await session.scalars(stmt)).all())

    async def stories(self) -> list[tuple[Story, list[str]]]:
        """Every story with the names of the sources that carried it, in the order they did."""
        async with self.db.session() as session:
            stories = list((await session.scalars(select(Story).order_by(Story.id))).all())
            rows = await session.execute(
                select(StorySource.story_id, Source.name)
                .join(Source, Source.id == StorySource.source_id)
                .order_by(StorySource.id)
            )
            names: dict[int, list[str]] = {}
            for story_id, name in rows:
                names.setdefault(story_id, []).append(name)
        return [(story, names.get(story.id, [])) for story in stories]


def poll_config(**fetch) -> Config:
    config = Config()
    config.schedule.poll_interval = 900
    for key, value in fetch.items():
        setattr(config.fetch, key, value)
    return config


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fetcher():
    # per_host is raised: every test source lives on 127.0.0.1.
    async with Fetcher(
        connect_timeout=2, read_timeout=5, per_host=16, max_concurrency=32, max_body_bytes=BODY_CAP
    ) as client:
        yield client


@pytest.fixture
async def poller(fresh_db, feed_server, fetcher, clock) -> Poller:
    return Poller(fresh_db, feed_server, fetcher, poll_config(max_body_bytes=BODY_CAP), clock)


# -- documents ---------------------------------------------------------------------------------


@dataclass
class FeedItem:
    title: str
    link: str
    description: str = ""
    guid: str | None = None
    published: datetime | None = None
    content: str | None = None  # content:encoded (HTML), the full text
    date_text: str | None = None  # a pubDate written as-is (zone-less, Vietnamese...)


def rss(
    items: Iterable[FeedItem],
    *,
    title: str = "Tin tỉnh nhà",
    ttl: int | None = None,
    encoding: str | None = "utf-8",
) -> str:
    """An RSS 2.0 document as text; encode it with the charset the test is about."""
    entries = []
    for item in items:
        parts = [f"<title>{escape(item.title)}</title>", f"<link>{escape(item.link)}</link>"]
        if item.guid is not None:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.published is not None:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        elif item.date_text is not None:
            parts.append(f"<pubDate>{escape(item.date_text)}</pubDate>")
        parts.append(f"<description>{escape(item.description)}</description>")
        if item.content is not None:
            parts.append(f"<content:encoded><![CDATA[{item.content}]]></content:encoded>")
        entries.append("<item>" + "".join(parts) + "</item>")
    prolog = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else '<?xml version="1.0"?>'
    return (
        prolog
        + '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        + f"<title>{escape(title)}</title><link>https://tinh.example.vn/</link><description>Tin mới</description>"
        + (f"<ttl>{ttl}</ttl>" if ttl is not None else "")
        + "".join(entries)
        + "</channel></rss>"
    )


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    date: str = "19.09.2019",
    author: str = "Thanh Anh",
    views: int = 1044,
    charset: str | None = "utf-8",
    site: str = "Cổng thông tin điện tử tỉnh Mẫu",
) -> str:
    """An article page laid out like a provincial party portal: menu, sidebar, title, a labelled
    date, paragraphs, the author on a closing line and a read counter."""
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="vi"><head>{meta}<title>{escape(title)} - {escape(site)}</title></head>
<body>
<div id="header"><ul class="menu"><li><a href="/">Trang chủ</a></li><li><a href="/lien-he.html">Liên hệ</a></li></ul></div>
<div id="left"><div class="box-title">Tin mới</div>
<ul><li><a href="/tin-tuc/mot-tin-khac-o-cot-ben-2001.html">Một tin khác ở cột bên</a></li></ul></div>
<div id="main"><div class="news-detail">
<h1 class="news-title">{escape(title)}</h1>
<div class="news-date">Ngày: {date}</div>
<div class="news-content">
{body}
<p style="text-align: right;"><strong>{escape(author)}</strong></p>
</div>
<div class="news-view">Số lần đọc:{views}</div>
</div></div>
<div id="footer">{escape(site)}. Địa chỉ: số 1 đường Mẫu.</div>
</body></html>"""


def listing_page(links: list[tuple[str, str]], *, site: str = "Cổng thông tin điện tử tỉnh Mẫu") -> str:
    """A listing ("Tin tức - Sự kiện") with no feed: menu links, then (href, headline) pairs."""
    rows = "\n".join(
        f'<div class="news-item"><a class="title" href="{escape(href)}">{escape(text)}</a>'
        f'<span class="date">19.09.2019</span></div>'
        for href, text in links
    )
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Tin tức - Sự kiện | {escape(site)}</title></head>
<body>
<div class="header"><a href="/">Trang chủ</a> | <a href="/gioi-thieu.html">Giới thiệu</a> |
<a href="/lien-he.html">Liên hệ</a> | <a href="/chuyen-muc/van-hoa.html">Văn hóa - Xã hội</a></div>
<div class="news-list">
{rows}
</div>
<div class="footer">Cơ quan chủ quản: Văn phòng UBND tỉnh Mẫu. <a href="/lien-he.html">Liên hệ</a></div>
</body></html>"""


# Paragraphs of made-up provincial news, each several sentences long, for article pages.
PARAGRAPHS = {
    "dang": [
        "Sáng 18/9/2019, Ban Thường vụ Tỉnh ủy tổ chức hội nghị tổng kết công tác xây dựng Đảng và thi hành "
        "Điều lệ Đảng trong nhiệm kỳ. Dự hội nghị có các đồng chí trong Ban Chấp hành Đảng bộ tỉnh.",
        "Báo cáo nêu rõ, từ đầu nhiệm kỳ, ủy ban kiểm tra các cấp đã kiểm tra 7.743 lượt tổ chức đảng cấp "
        "dưới và 26.651 lượt đảng viên; giám sát 4.242 lượt tổ chức đảng.",
        "Phát biểu kết luận, đồng chí Bí thư Tỉnh ủy đề nghị các cấp ủy tiếp tục khắc phục hạn chế, chuẩn bị "
        "tốt cho đại hội đảng bộ các cấp nhiệm kỳ 2020 - 2025.",
    ],
    "mat-tran": [
        "Chiều 18/9, Ủy ban Mặt trận Tổ quốc tỉnh tổ chức họp mặt kỷ niệm ngày truyền thống Mặt trận Tổ "
        "quốc Việt Nam. Tham dự có đại diện các tổ chức thành viên và những người có uy tín trong cộng đồng.",
        "Trong năm qua, các cấp Mặt trận đã vận động Quỹ Vì người nghèo được hơn 12 tỷ đồng, hỗ trợ xây "
        "mới và sửa chữa 315 căn nhà Đại đoàn kết cho hộ nghèo.",
        "Dịp này, 24 tập thể và 41 cá nhân được tặng bằng khen vì có thành tích xuất sắc trong công tác "
        "Mặt trận năm 2019.",
    ],
    "nong-thon": [
        "Huyện Thủy Tiên vừa được công nhận đạt chuẩn nông thôn mới sau 9 năm thực hiện chương trình. "
        "Toàn huyện có 14 xã đạt chuẩn, thu nhập bình quân đạt 48 triệu đồng mỗi người mỗi năm.",
        "Người dân đã hiến hơn 60 ha đất và đóng góp trên 90 tỷ đồng để làm đường giao thông nông thôn, "
        "kiên cố hóa kênh mương nội đồng và xây dựng nhà văn hóa ấp.",
        "Lãnh đạo huyện cho biết sẽ tiếp tục nâng chất các tiêu chí, hướng tới xây dựng nông thôn mới "
        "nâng cao và kiểu mẫu trong giai đoạn tới.",
    ],
}


# -- a provincial portal with no feed ------------------------------------------------------------

ARTICLES = {
    "/tin-tuc/tong-ket-cong-tac-xay-dung-dang-19-09-2019.html": (
        "Tỉnh ủy tổng kết công tác xây dựng Đảng nhiệm kỳ 2015 - 2020", "dang", "19.09.2019", 1044),
    "/tin-tuc/hop-mat-ky-niem-ngay-truyen-thong-mat-tran-2041.html": (
        "Họp mặt kỷ niệm ngày truyền thống Mặt trận Tổ quốc Việt Nam", "mat-tran", "18.09.2019", 587),
    "/tin-tuc/huyen-thuy-tien-dat-chuan-nong-thon-moi-2040.html": (
        "Huyện Thủy Tiên đạt chuẩn nông thôn mới sau 9 năm thực hiện", "nong-thon", "17.09.2019", 2310),
}  # fmt: skip


def serve_articles(server) -> None:
    for path, (title, text, date, views) in ARTICLES.items():
        server.serve(path, article_page(title, PARAGRAPHS[text], date=date, views=views).encode(),
                     content_type="text/html; charset=utf-8")  # fmt: skip


def serve_listing(server, extra: list[tuple[str, str]] = ()) -> str:
    links = [(path, title) for path, (title, *_rest) in ARTICLES.items()]
    serve_articles(server)
    return server.serve(
        "/chuyen-muc/tin-tuc.html", listing_page([*links, *extra]).encode(), content_type="text/html"
    )
