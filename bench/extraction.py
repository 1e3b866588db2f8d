"""Full-text extraction quality on trafilatura's evaluation pages: recall and precision of snippets.

Run: .venv/bin/python bench/extraction.py

Data (read from ../shared/corpora/extraction-eval/trafilatura, nothing copied): 116 pages with,
for each, `with` snippets the main text must contain and `without` boilerplate it must not.
A snippet found in the text is a true positive (`with`) or a false positive (`without`), as in
trafilatura's own evaluation. Three systems are scored on the same pages:
  bantin      news.articles.extract_article (None → empty text: the page was judged "not an article")
  bantin-body the same extraction with the not-an-article verdict ignored (body quality alone)
  trafilatura trafilatura.extract with default settings, the baseline
"""

from __future__ import annotations

import json
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

import trafilatura

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = (REPO / ".." / "shared" / "corpora" / "extraction-eval" / "trafilatura").resolve()


@dataclass
class Score:
    true_positives: int = 0
    false_negatives: int = 0
    false_positives: int = 0
    true_negatives: int = 0
    seconds: float = 0.0
    pages: int = 0
    not_articles: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        total = self.true_positives + self.false_negatives + self.false_positives + self.true_negatives
        return (self.true_positives + self.true_negatives) / total if total else 0.0

    def line(self, name: str) -> str:
        per_page = 1000 * self.seconds / self.pages if self.pages else 0.0
        return (
            f"{name:12s} precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"accuracy {self.accuracy:.3f}  ({per_page:.0f} ms/page, {len(self.not_articles)} pages judged not an article)"
        )


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def load_cases(eval_dir: Path = EVAL_DIR) -> list[tuple[str, str, dict]]:
    """(url, html, expectations) for every page of the evaluation set."""
    data = json.loads((eval_dir / "evaldata-subset.json").read_text(encoding="utf-8"))
    cases = []
    for url, expected in data.items():
        path = eval_dir / "html" / expected["file"]
        if path.exists():
            cases.append((url, path.read_bytes().decode("utf-8", errors="replace"), expected))
    return cases


def score(extract: Callable[[str, str], str | None], cases: list[tuple[str, str, dict]]) -> Score:
    result = Score()
    for url, html, expected in cases:
        started = time.perf_counter()
        text = extract(html, url)
        result.seconds += time.perf_counter() - started
        result.pages += 1
        if text is None:
            result.not_articles.append(url)
        flat = _flat(text or "")
        for snippet in expected.get("with", []):
            if _flat(snippet) in flat:
                result.true_positives += 1
            else:
                result.false_negatives += 1
        for snippet in expected.get("without", []):
            if _flat(snippet) in flat:
                result.false_positives += 1
            else:
                result.true_negatives += 1
    return result


def bantin_article(html: str, url: str) -> str | None:
    from news.articles import extract_article

    entry = extract_article(html, url, UTC)
    return None if entry is None else f"{entry.title}\n{entry.body}"


def bantin_body(html: str, url: str) -> str | None:
    from news.articles import extract_body

    return extract_body(html, url)


def trafilatura_default(html: str, url: str) -> str | None:
    return trafilatura.extract(html, url=url)


SYSTEMS: dict[str, Callable[[str, str], str | None]] = {
    "bantin": bantin_article,
    "bantin-body": bantin_body,
    "trafilatura": trafilatura_default,
}


def evaluate(eval_dir: Path = EVAL_DIR) -> dict[str, Score]:
    cases = load_cases(eval_dir)
    return {name: score(system, cases) for name, system in SYSTEMS.items()}


def main() -> int:
    if not EVAL_DIR.exists():
        print(f"corpus not available: {EVAL_DIR}")
        return 1
    sys.path.insert(0, str(REPO))
    scores = evaluate()
    print(f"extraction-eval/trafilatura: {scores['bantin'].pages} pages")
    for name, result in scores.items():
        print(result.line(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
