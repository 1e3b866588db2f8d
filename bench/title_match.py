"""Would a second, title-based story match be worth it? Measure both sides on real articles.

Run: .venv/bin/python bench/title_match.py

The story signature (news.fingerprint) reads the title and the lead sentence, so a feed's sapo that
the portal's full text does not contain shares only the title with it: no lead-based signature
finds the pair. A second match by title (an exact normalised-title key, or a title-only MinHash)
would find it, and would also join every pair of different stories that share a title. This
script counts both, on the material in ../shared/corpora (nothing copied):

- same story, other lead: VietNews title + summary against title + article (1,000 pairs; the
  title is the same by construction, so this says how many such pairs the signature misses and
  how far apart their leads are, not how often real sources keep a title);
- different stories: the 1,000 VietNews titles, the 180 VnExpress / Dân trí feed items, and every
  link text of 6 syllables or more on the 5 Vietnamese home pages of vi-html (each a distinct
  article by URL). Pairs with the same normalised title and pairs whose title-only signatures are
  close are counted and printed, so that each can be read.
- the weaker lead check a title match would need: how far apart the leads of the same-story pairs
  are (1-bit MinHash of lead syllables, unigrams and bigrams) against leads of different stories.
- the sandbox samples' two reports of one meeting (news/samples), the pair that started this.

What it showed (2026-11-27), and why bantin has no title match:
- the VietNews sapo/article pairs: the story signature joins 2 of 1,000 (median 24 bits apart); an
  exact title key would join all 1,000, but only because the corpus gives both the same title. No
  corpus holds a real pair of sources that kept a title and changed the lead (vi-feeds items never
  recur; the two real same-story pairs have the same lead or another title), so how often it
  happens is not known.
- a weaker lead check does not tell the sapo from another story's lead: lead unigram MinHash at
  <= 18 bits keeps 7.9% of the pairs and admits 0.2% of other stories (<= 16: 4.3% and 0; bigrams
  do worse). A title match would have to trust the title alone.
- different news items share a title rarely: of 1,982 distinct items (1.94M pairs), 11 titles
  recur, all read as the same story under another URL or the same advertisement posted again;
  title-only signatures of different titles are 5 bits apart at the closest (4 pairs, the same
  story retitled), 0.1% quantile 20. The corpora hold no portal notices, so the titles a title
  match would join wrongly ("Thông báo", "Lịch công tác tuần", "Kết luận của Thường trực …",
  which provincial portals reuse and which first users read) cannot be counted; the one templated
  pair found ("Kỳ thi THPT quốc gia 2017" / "2019", 11 bits) shows the form.
- the sandbox pair is retitled as well as reworded: title-only 25 bits, lead-only 8, story
  signature 9. No title rule joins it; a same-story threshold of 9 would (bench/dedup_threshold.py:
  no pair of different articles closer than 13; edited copies 79.9% instead of 72.5%), at the
  price of another key scheme (storage.story_match guarantees distance 7 with 4 chunks).
"""

from __future__ import annotations

import html
import itertools
import json
import re
import statistics
import sys
import unicodedata
from collections import Counter, defaultdict
from datetime import UTC
from pathlib import Path

import feedparser

from news.articles import extract_article
from news.feeds import parse_feed
from news.fingerprint import (
    SAME_STORY_MAX_DISTANCE,
    THIN_TITLE_SYLLABLES,
    lead_syllables,
    minhash64,
    signature_distance,
    story_signature,
    syllables,
)

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "../shared/corpora"
SAMPLES = ROOT / "news" / "samples"
HOME_PAGES = (
    "dantri_2017_home.html",
    "dantri_2019-03_home.html",
    "dantri_2019-08_home.html",
    "dantri_2020-12_home.html",
    "tuoitre_2015_home.html",
)
_LINK = re.compile(r"<a\b[^>]*href=\"([^\"#]+)\"[^>]*>(.*?)</a>", re.S | re.I)


def plain(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return unicodedata.normalize("NFC", " ".join(text.split()))


def title_key(title: str) -> str:
    return " ".join(syllables(title))


def vietnews() -> list[dict]:
    path = CORPORA / "vietnews" / "dev-1000.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def feed_titles() -> list[tuple[str, str]]:
    """(title, link) of every vi-feeds item."""
    found = []
    for path in sorted((CORPORA / "vi-feeds").glob("*.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            found.append((plain(entry.get("title", "")), entry.get("link", "")))
    return found


def home_page_titles() -> list[tuple[str, str]]:
    """(link text, URL) of home-page links whose text reads as a headline (6 syllables or more)."""
    found = {}
    for name in HOME_PAGES:
        text = (CORPORA / "vi-html" / name).read_text(encoding="utf-8", errors="replace")
        for url, inner in _LINK.findall(text):
            title = plain(inner)
            if len(syllables(title)) >= THIN_TITLE_SYLLABLES:
                found.setdefault(url.split("?")[0].rstrip("/").rsplit("/", 1)[-1], title)
    return [(title, url) for url, title in found.items()]


def title_signature(title: str) -> int:
    return story_signature(title, "")


def lead_signature(text: str, size: int) -> int:
    words = lead_syllables(text)
    return minhash64({" ".join(words[i : i + size]) for i in range(len(words) - size + 1)})


def quantiles(values: list[int]) -> str:
    ordered = sorted(values)
    picks = (0.001, 0.01, 0.05, 0.5, 0.95)
    return " ".join(f"q{p:g}={ordered[int(p * (len(ordered) - 1))]}" for p in picks) + (
        f" min={ordered[0]} max={ordered[-1]}"
    )


def same_story_other_lead(rows: list[dict]) -> None:
    print("\n== same story, other lead: VietNews title + summary vs title + article")
    distances = [
        signature_distance(
            story_signature(r["title"], r["summary"]), story_signature(r["title"], r["article"])
        )
        for r in rows
    ]
    found = sum(d <= SAME_STORY_MAX_DISTANCE for d in distances)
    print(f"pairs {len(rows)}; found by the story signature (<= {SAME_STORY_MAX_DISTANCE}): {found}")
    print(f"signature distance: {quantiles(distances)}")
    same_title = sum(title_key(r["title"]) == title_key(r["title"]) for r in rows)
    print(f"same normalised title: {same_title} (by construction)")
    for size in (1, 2):
        near = [
            signature_distance(lead_signature(r["summary"], size), lead_signature(r["article"], size))
            for r in rows
        ]
        print(f"lead-only {size}-gram MinHash distance, sapo vs article: {quantiles(near)}")
        unrelated = [
            signature_distance(lead_signature(a["summary"], size), lead_signature(b["article"], size))
            for a, b in zip(rows, rows[1:] + rows[:1], strict=True)
        ]
        print(f"lead-only {size}-gram MinHash distance, sapo vs another article: {quantiles(unrelated)}")
        for threshold in (16, 18, 20, 22, 24):
            hits = sum(d <= threshold for d in near) / len(near)
            false = sum(d <= threshold for d in unrelated) / len(unrelated)
            print(f"  <= {threshold}: same story {hits:.1%}, other story {false:.2%}")


def different_stories(titles: list[tuple[str, str, str]]) -> None:
    """`titles`: (title, identity, corpus) of items known to be distinct stories."""
    print(f"\n== different stories: {len(titles)} titles")
    by_key = defaultdict(list)
    for title, identity, corpus in titles:
        by_key[title_key(title)].append((identity, corpus, title))
    shared = {key: group for key, group in by_key.items() if len({g[0] for g in group}) > 1}
    print(f"normalised titles carried by more than one distinct item: {len(shared)}")
    for key, group in sorted(shared.items()):
        print(f"  {key!r}: {[(g[1], g[0][-40:]) for g in group]}")
    distinct = list({title_key(t): (t, c) for t, _, c in titles}.values())
    signatures = [title_signature(t) for t, _ in distinct]
    distances = [signature_distance(a, b) for a, b in itertools.combinations(signatures, 2)]
    counts = Counter(distances)
    print(f"title-only signature, {len(distances)} pairs of different titles: {quantiles(distances)}")
    print(
        "  pairs at distance <= d: "
        + " ".join(f"{d}:{sum(counts[x] for x in range(d + 1))}" for d in range(0, 15))
    )
    closest = sorted(
        (signature_distance(signatures[i], signatures[j]), i, j)
        for i, j in itertools.combinations(range(len(signatures)), 2)
    )[:8]
    for distance, i, j in closest:
        print(f"  {distance:2} {distinct[i][0][:70]!r} / {distinct[j][0][:70]!r}")
    lengths = [len(syllables(t)) for t, _ in distinct]
    print(
        f"title length in syllables: median {statistics.median(lengths)}, 5% {sorted(lengths)[len(lengths) // 20]}"
    )


def sandbox_pair() -> None:
    """The bundled sample sources' two reports of one party meeting, as the sandbox polls them."""
    feed = parse_feed((SAMPLES / "bao-song-xanh.xml").read_bytes(), "application/rss+xml", "https://x/", UTC)
    teaser = next(e for e in feed.entries if "xây dựng Đảng" in e.title)
    page = SAMPLES / "cong-thong-tin" / "tin-tuc" / "hoi-nghi-tong-ket-xay-dung-dang-19-09-2019.html"
    full = extract_article(page.read_text(encoding="utf-8"), "https://y/a.html", UTC)
    print("\n== the sandbox samples' two reports of one meeting (news/samples)")
    print(f"  {teaser.title!r} / {full.title!r}")
    print(
        f"  story signature {signature_distance(story_signature(teaser.title, teaser.body), story_signature(full.title, full.body))} bits, "
        f"title only {signature_distance(title_signature(teaser.title), title_signature(full.title))}, "
        f"lead only {signature_distance(story_signature('', teaser.body), story_signature('', full.body))}; "
        f"same normalised title: {title_key(teaser.title) == title_key(full.title)}"
    )


def main() -> int:
    if not CORPORA.is_dir():
        print(f"skipped: {CORPORA.resolve()} is absent", file=sys.stderr)
        return 0
    rows = vietnews()
    same_story_other_lead(rows)
    titles = [(r["title"], f"vietnews-{r['id']}", "vietnews") for r in rows]
    titles += [(t, link, "vi-feeds") for t, link in feed_titles() if t]
    titles += [(t, url, "home") for t, url in home_page_titles()]
    # one item per identity: the feed snapshots and the home pages repeat some articles
    titles = list({identity: (t, identity, c) for t, identity, c in titles}.values())
    different_stories(titles)
    sandbox_pair()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
