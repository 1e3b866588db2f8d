"""Real material from ../shared/corpora through the whole poll path (skipped when absent): every
feedparser test file served over HTTP (with its `Header:` lines) or read through file://, the
Vietnamese feed snapshots and the Vietnamese pages, each a source of one batch poll into one
database. Nothing may end in an unhandled error; the Vietnamese material must yield its items."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from jobs.fetch import Fetcher
from jobs.poll import poll_due_sources
from storage.models import Item, Source
from storage.sources import SourceSpec, add_source
from tests.dbsupport import corpora_path
from tests.feedserver import Route
from tests.jobs.pollkit import Clock, poll_config

pytestmark = pytest.mark.corpora

_HEADER = re.compile(r"^Header:\s*([\w-]+):\s*(.+?)\s*$", re.MULTILINE)
_ITEM = re.compile(rb"<item[\s>]")
INTERNAL = "internal error"
# Where the Vietnamese pages were published: their site rules and link discovery key on it.
VI_PAGE_URLS = {
    "cafebiz_2022_unikey_article.html": "https://cafebiz.vn/cha-de-phan-mem-quoc-dan-viet-nam-unikey-lo-dien-roi-bo-vi-tri-giam-doc-zalo-ai-sau-8-nam-gan-bo-va-dau-quan-sang-momo-20220120123728536.chn",
    "tuoitre_2015_724115_article.html": "http://tuoitre.vn/tin/chinh-tri-xa-hoi/20150323/chat-cay-xanh-ha-noi/724115.html",
    "vneconomy_2022_dow-jones_article.html": "https://vneconomy.vn/dow-jones-bay-them-300-diem-gia-dau-tut-khoi-dinh-bitcoin-giam.htm",
    "vnexpress_2022-01-25_4420519_article.html": "https://vnexpress.net/cong-nhan-mat-viec-chat-vat-lo-tet-4420519.html",
    "vnexpress_2022-02-13_article.html": "https://vnexpress.net/viet-nam-du-kien-mo-lai-toan-bo-duong-bay-quoc-te-tu-15-2-4426992.html",
    "vnexpress_2025-10-22_fundus.html.gz": "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html",
    "vnexpress_kinhdoanh_4672302_htmldate.html": "https://vnexpress.net/ong-ho-duc-phoc-se-nang-muc-giam-tru-gia-canh-tinh-thue-ca-nhan-khi-sua-luat-4672302.html",
}
VI_HOME_PAGES = {
    "dantri_2017_home.html": "https://dantri.com.vn/trang-chu-2017.htm",
    "dantri_2019-03_home.html": "https://dantri.com.vn/trang-chu-2019-03.htm",
    "dantri_2019-08_home.html": "https://dantri.com.vn/trang-chu-2019-08.htm",
    "dantri_2020-12_home.html": "https://dantri.com.vn/trang-chu-2020-12.htm",
    "tuoitre_2015_home.html": "http://tuoitre.vn/trang-chu-2015.htm",
}


class LoopbackTransport(httpx.AsyncBaseTransport):
    """Sends every request to the local feed server, keeping the original Host header, so pages
    are fetched under the address they were published at."""

    def __init__(self, port: int) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._port = port

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        local = httpx.Request(
            request.method,
            request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port),
            headers=request.headers,
            stream=request.stream,
        )
        return await self._inner.handle_async_request(local)

    async def aclose(self) -> None:
        await self._inner.aclose()


def _headers(body: bytes) -> dict[str, str]:
    return dict(_HEADER.findall(body[:2000].decode("latin-1")))


def _feedparser_sources(server, root: Path) -> list[SourceSpec]:
    """Files with `Header:` lines (and every other tenth file) over HTTP, the rest via file://."""
    specs = []
    for index, path in enumerate(sorted(p for p in root.rglob("*") if p.is_file())):
        name = f"fp:{path.relative_to(root)}"
        body = path.read_bytes()
        headers = _headers(body)
        if headers or index % 10 == 0:
            content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
            extra = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            url = server.serve(f"/fp/{index}", body, content_type=content_type, headers=extra)
        else:
            url = path.as_uri()
        specs.append(SourceSpec(name=name, url=url))
    return specs


def _vi_sources(server) -> tuple[list[SourceSpec], dict[str, int]]:
    """Vietnamese feeds (file://, kind rss) and pages (under their published address, kind html)."""
    specs: list[SourceSpec] = []
    expected_items: dict[str, int] = {}
    for path in sorted(corpora_path("vi-feeds").glob("*.xml")):
        specs.append(SourceSpec(name=f"vi-feed:{path.name}", url=path.as_uri(), kind="rss"))
        expected_items[f"vi-feed:{path.name}"] = len(_ITEM.findall(path.read_bytes()))
    pages = corpora_path("vi-html")
    for name, url in {**VI_PAGE_URLS, **VI_HOME_PAGES}.items():
        body = (pages / name).read_bytes()
        path = httpx.URL(url).path
        if name.endswith(".gz"):
            server.routes[path] = Route(
                body=body, content_type="text/html; charset=utf-8", headers={"Content-Encoding": "gzip"},
                precompressed=True,
            )  # fmt: skip
            assert gzip.decompress(body)
        else:
            server.serve(path, body, content_type="text/html")
        specs.append(SourceSpec(name=f"vi-page:{name}", url=url, kind="html"))
        if name in VI_PAGE_URLS:
            expected_items[f"vi-page:{name}"] = 1
    for path in sorted((pages / "fragments").glob("*.html")):
        specs.append(SourceSpec(name=f"vi-fragment:{path.name}", url=path.as_uri(), kind="html"))
    return specs, expected_items


@pytest.fixture
async def loopback_fetcher(feed_server):
    async with Fetcher(
        connect_timeout=5, read_timeout=20, max_concurrency=32, per_host=32,
        transport=LoopbackTransport(feed_server.port),
    ) as fetcher:  # fmt: skip
        yield fetcher


async def test_every_corpus_file_goes_through_the_poll_path(fresh_db, feed_server, loopback_fetcher):
    fp_root = corpora_path("feedparser-tests", "tests")
    specs = _feedparser_sources(feed_server, fp_root)
    vi_specs, expected_items = _vi_sources(feed_server)
    clock = Clock()
    async with fresh_db.transaction() as session:
        for spec in [*specs, *vi_specs]:
            await add_source(session, spec, clock())

    outcomes = {
        o.source: o
        for o in await poll_due_sources(fresh_db, loopback_fetcher, poll_config(), now=clock, limit=10_000)
    }

    assert len(outcomes) == len(specs) + len(vi_specs) > 2000
    internal = {name: o.error for name, o in outcomes.items() if o.error and o.error.startswith(INTERNAL)}
    assert internal == {}, "unhandled errors"
    statuses = Counter(o.status for name, o in outcomes.items() if name.startswith("fp:"))
    errors = Counter(
        o.error.split(":")[0] for name, o in outcomes.items() if name.startswith("fp:") and o.error
    )
    print(f"\nfeedparser corpus through poll: {dict(statuses)}; errors: {dict(errors)}")
    assert statuses["new"] + statuses["duplicate"] > 1800

    async with fresh_db.session() as session:
        stored = dict(
            (await session.execute(
                select(Source.name, func.count(Item.id)).join(Item, Item.source_id == Source.id).group_by(Source.name)
            )).all()
        )  # fmt: skip
    for name, count in expected_items.items():
        assert outcomes[name].status in ("new", "duplicate"), (name, outcomes[name].error)
        # A feed snapshot may repeat an article another snapshot already brought (same URL).
        carried = outcomes[name].new + outcomes[name].duplicate + outcomes[name].updated
        assert carried >= count - 1 and count > 0, (name, carried, count)  # one 2017 <item> is empty
        assert stored.get(name, 0) == outcomes[name].new
    for name in VI_HOME_PAGES:
        outcome = outcomes[f"vi-page:{name}"]
        assert outcome.status == "error" and "linked pages" in outcome.error, (name, outcome.error)
        followed = int(outcome.error.split("none of the ")[1].split()[0])
        assert followed >= 10, (name, followed)  # articles discovered on the site, pages not stored here
