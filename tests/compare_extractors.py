"""raqib's no-selector page reading against trafilatura (+ htmldate) on the
saved pages of tests/data/pages (the table of tests/test_pages.py).

    .venv/bin/pip install trafilatura lxml_html_clean   # not a dependency of raqib
    .venv/bin/python tests/compare_extractors.py

Per page: the date (right when within a day of the page's own), the body's
first and last sentences found, the page's boilerplate kept; for the page
with a gold text, word recall and precision against it.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import htmldate  # type: ignore[import-not-found]  # noqa: E402
import trafilatura  # type: ignore[import-not-found]  # noqa: E402
from test_pages import PAGES, REAL  # noqa: E402

try:
    from scrapers.charset import decode
except ImportError:  # a release before the one decoder
    from scrapers.http import decode_body as decode  # type: ignore[no-redef]
from scrapers.page import parse_page  # noqa: E402


def ours(html: str) -> tuple[str, date | None]:
    page = parse_page(html, "https://outlet.example/a")
    return page.text, page.published.date() if page.published else None


def theirs(html: str) -> tuple[str, date | None]:
    doc = trafilatura.bare_extraction(html, with_metadata=True)
    text = (doc.text or "") if doc else ""
    found = htmldate.find_date(html, extensive_search=True, original_date=True)
    return text, datetime.fromisoformat(found).date() if found else None


def words(text: str) -> list[str]:
    return text.split()


def main() -> None:
    rows = []
    totals: dict[str, list[float]] = {"raqib": [0, 0, 0, 0, 0.0], "trafilatura": [0, 0, 0, 0, 0.0]}
    gold = words((PAGES / "cnn-arabic-2013-syria-clashes.txt").read_text(encoding="utf-8"))
    for name, published, first, last, boilerplate in REAL:
        html = decode((PAGES / name).read_bytes())
        for who, extract in (("raqib", ours), ("trafilatura", theirs)):
            start = time.perf_counter()
            text, day = extract(html)
            took = time.perf_counter() - start
            right_date = day is not None and abs((day - published.astimezone(UTC).date()).days) <= 1
            body = (first in text) + (last in text)
            kept = sum(1 for b in boilerplate if b in text)
            t = totals[who]
            t[0] += right_date
            t[1] += body
            t[2] += kept
            t[3] += len(boilerplate)
            t[4] += took
            extra = ""
            if name.startswith("cnn-"):
                got = set(words(text))
                recall = sum(1 for w in gold if w in got) / len(gold)
                gold_set = set(gold)
                found = words(text)
                precision = sum(1 for w in found if w in gold_set) / max(1, len(found))
                extra = f" recall {recall:.3f} precision {precision:.3f}"
            rows.append(
                f"{name:<38} {who:<12} date {day} ({'ok' if right_date else 'WRONG'}) "
                f"body ends {body}/2 boilerplate kept {kept}/{len(boilerplate)}{extra}"
            )
    print("\n".join(rows))
    n = len(REAL)
    for who, (d, b, k, kb, took) in totals.items():
        print(
            f"{who:<12} dates {int(d)}/{n}  body ends {int(b)}/{2 * n}  "
            f"boilerplate kept {int(k)}/{int(kb)}  time {took * 1000 / n:.0f} ms/page"
        )


if __name__ == "__main__":
    main()
