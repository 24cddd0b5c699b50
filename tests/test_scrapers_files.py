"""The files source: the seeds, index.toml, globs, encodings, and paths that escape."""

from __future__ import annotations

import os
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config.schema import SourceConfig
from scrapers import FetchContext, FilesSource, build_source

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def files(path: Path | str, **kw: object) -> FilesSource:
    config = SourceConfig.of(name="local", kind="files", path=str(path), **kw)  # type: ignore[arg-type]
    source = build_source(config)
    assert isinstance(source, FilesSource)
    return source


async def test_the_seeds_with_their_index() -> None:
    index = tomllib.loads((SEEDS / "index.toml").read_text(encoding="utf-8"))["articles"]
    result = await files(SEEDS).fetch(FetchContext(client=None))
    assert result.error is None and not result.empty_content
    assert [a.url for a in result.articles] == [(SEEDS / e["file"]).as_uri() for e in index]
    for article, entry in zip(result.articles, index, strict=True):
        assert article.title == entry["title"]
        assert article.outlet == entry["outlet"]
        assert article.published == entry["published"]
        assert article.guid == article.url and article.source == "local"
        first_line = (SEEDS / entry["file"]).read_text(encoding="utf-8").splitlines()[0].strip()
        assert article.text.startswith(first_line)  # the headline stays: figures are read there
    araby = next(a for a in result.articles if a.outlet == "Al-Araby Al-Jadeed")
    assert "+ الخط -" not in araby.text and "02 نوفمبر 2017" in araby.text


async def test_without_an_index(tmp_path: Path) -> None:
    (tmp_path / "dated.txt").write_text(
        "\u200fنزوح 500 عائلة من ريف إدلب\n\nإدلب – 2 تشرين الثاني 2017\nنزحت 500 عائلة.\n",
        encoding="utf-8",
    )
    undated = tmp_path / "undated.txt"
    undated.write_text("عنوان بلا تاريخ\nنص الخبر هنا.\n", encoding="utf-8")
    os.utime(undated, (1_500_000_000, 1_500_000_000))
    (tmp_path / "page.html").write_text(
        "<html><head><title>صفحة</title>"
        '<meta property="article:published_time" content="2019-02-14T08:00:00+02:00"></head>'
        "<body><nav>القائمة</nav><article><h1>عنوان الصفحة</h1>"
        "<p>استسلم 240 مقاتلا من التنظيم مساء الأربعاء بحسب المرصد.</p></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    result = await files(tmp_path, outlet="Local").fetch(FetchContext(client=None))
    by_name = {Path(a.url).name: a for a in result.articles}
    assert set(by_name) == {"dated.txt", "undated.txt", "page.html"}
    assert by_name["dated.txt"].title == "نزوح 500 عائلة من ريف إدلب"
    assert by_name["dated.txt"].published == datetime(2017, 11, 2, tzinfo=UTC)
    assert "\u200f" not in by_name["dated.txt"].text
    assert by_name["undated.txt"].published == datetime.fromtimestamp(1_500_000_000, UTC)
    page = by_name["page.html"]
    assert page.title == "عنوان الصفحة"
    assert page.published == datetime(2019, 2, 14, 6, 0, tzinfo=UTC)
    assert "استسلم 240 مقاتلا" in page.text and "القائمة" not in page.text
    assert all(a.outlet == "Local" for a in result.articles)
    assert [a.published for a in result.articles] == sorted(a.published for a in result.articles)


async def test_windows_1256_file(tmp_path: Path) -> None:
    text = "مقتل 12 مدنيا في قصف على دير الزور\nقتل 12 مدنيا بينهم أطفال."
    (tmp_path / "a.txt").write_bytes(text.encode("cp1256"))
    result = await files(tmp_path).fetch(FetchContext(client=None))
    assert result.articles[0].text == text


async def test_a_glob(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.html"):
        (tmp_path / name).write_text("<p>نص عربي</p>" if name.endswith("html") else "نص", "utf-8")
    result = await files(tmp_path / "*.txt").fetch(FetchContext(client=None))
    assert sorted(Path(a.url).name for a in result.articles) == ["a.txt", "b.txt"]


async def test_every_file_is_read_oldest_first(tmp_path: Path) -> None:
    """max_articles bounds a feed or a listing page (50 by default); a file
    left unread by a files source would never be read (each poll would take
    the same newest), so it reads them all and takes no such key."""
    n = 60
    for i in range(n):
        path = tmp_path / f"{i}.txt"
        path.write_text(f"خبر {i}", encoding="utf-8")
        os.utime(path, (1_500_000_000 - i, 1_500_000_000 - i))
    result = await files(tmp_path).fetch(FetchContext(client=None))
    assert [Path(a.url).name for a in result.articles] == [f"{i}.txt" for i in range(n - 1, -1, -1)]
    with pytest.raises(TypeError, match="max_articles"):
        files(tmp_path, max_articles=2)


async def test_symlinks_escaping_the_path_are_refused(tmp_path: Path) -> None:
    inside = tmp_path / "articles"
    inside.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("سر", encoding="utf-8")
    (inside / "ok.txt").write_text("خبر", encoding="utf-8")
    (inside / "escape.txt").symlink_to(outside)
    (inside / "also-ok.txt").symlink_to(inside / "ok.txt")
    result = await files(inside).fetch(FetchContext(client=None))
    assert sorted(Path(a.url).name for a in result.articles) == ["also-ok.txt", "ok.txt"]
    assert all("سر" not in a.text for a in result.articles)


@pytest.mark.parametrize(
    ("setup", "expect"),
    [
        (lambda d: d / "missing", "no such directory"),
        (lambda d: (d / "index.toml").write_text("[[articles]\n") and d, "index.toml"),
        (
            lambda d: (
                (d / "index.toml").write_text('[[articles]]\nfile = "a.txt"\ncolour = 1\n') and d
            ),
            "colour",
        ),
    ],
    ids=["missing-path", "bad-toml", "unknown-index-key"],
)
async def test_bad_paths_are_errors(tmp_path: Path, setup, expect: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_text("خبر", encoding="utf-8")
    result = await files(setup(tmp_path)).fetch(FetchContext(client=None))
    assert result.error and expect in result.error
    assert result.articles == ()


async def test_an_empty_directory_is_empty_content(tmp_path: Path) -> None:
    (tmp_path / "blank.txt").write_text("\n\u200b\n", encoding="utf-8")
    result = await files(tmp_path).fetch(FetchContext(client=None))
    assert result.error is None and result.empty_content
