"""Charts: real PNGs from real matplotlib, checked by size and by pixels."""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections import deque
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from PIL import Image

from bot.cli import chart
from bot.render import charts
from bot.render.charts import (
    chart_figure,
    chart_title,
    display_text,
    format_number,
    format_since,
    format_value,
    has_arabic,
    render_chart,
    render_chart_async,
    visual_text,
)
from bot.render.series import (
    ChartPoint,
    ChartSeries,
    StateStep,
    mark_conflicts,
    series_from_history,
    state_steps,
)
from figures.model import Metric, Qualifier, Unit

ZWNJ = "\u200c"


def at(month: int, day: int, hour: int = 12, year: int | None = None) -> datetime:
    """A time in the seed story (December is 2018, the rest 2019)."""
    return datetime(year or (2018 if month == 12 else 2019), month, day, hour, tzinfo=UTC)


def displaced_story(place: str = "Deir ez-Zor") -> ChartSeries:
    """People who left the Deir ez-Zor pocket since 1 December, as the seeds tell it
    (SOHR's 38,550 on 12 Feb, AFP's "more than 38 thousand" two days later), with
    earlier SOHR counts and one lower, conflicting report."""
    points = mark_conflicts(
        (
            ChartPoint(at(1, 20), 20000, Qualifier.APPROX, False, "SOHR"),
            ChartPoint(at(2, 5), 30000, Qualifier.MORE_THAN, False, "AFP Arabic"),
            ChartPoint(at(2, 10), 36500, Qualifier.EXACT, False, "SOHR"),
            ChartPoint(at(2, 11), 33000, Qualifier.EXACT, False, "Middle East Online"),
            ChartPoint(at(2, 12), 38550, Qualifier.EXACT, False, "SOHR"),
            ChartPoint(at(2, 14, 8), 38000, Qualifier.MORE_THAN, False, "Middle East Online"),
        ),
        Metric.DISPLACED,
    )
    return ChartSeries(
        Metric.DISPLACED,
        place,
        "--12-01",
        Unit.PERSON,
        points,
        state_steps(points, Metric.DISPLACED),
    )


def area_story(place: str = "Deir ez-Zor") -> ChartSeries:
    """The area IS still held: 4 km² → less than 2 km² → about 1 km²."""
    points = (
        ChartPoint(at(2, 12, 9), 4, Qualifier.EXACT, False, "SOHR", context=True),
        ChartPoint(at(2, 1), 4, Qualifier.EXACT, False, "SOHR"),
        ChartPoint(at(2, 12), 2, Qualifier.LESS_THAN, False, "SOHR"),
        ChartPoint(at(2, 14, 8), 1, Qualifier.APPROX, False, "Middle East Online"),
    )
    return ChartSeries(
        Metric.AREA_CONTROLLED,
        place,
        None,
        Unit.KM2,
        points,
        state_steps(points, Metric.AREA_CONTROLLED),
    )


def png(data: bytes) -> np.ndarray[Any, Any]:
    """Decoded RGB pixels of a PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def title_ink(pixels: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Dark pixels of the title band (above the axes, which start at 12 % from the top)."""
    band = pixels[: int(pixels.shape[0] * 0.12) - 3]
    return np.asarray(band.min(axis=2) < 140)


def components(ink: np.ndarray[Any, Any]) -> int:
    """Connected components of ink (8-neighbour)."""
    seen = np.zeros_like(ink, dtype=bool)
    count = 0
    h, w = ink.shape
    for y0, x0 in zip(*np.nonzero(ink), strict=True):
        if seen[y0, x0]:
            continue
        count += 1
        seen[y0, x0] = True
        todo = deque([(y0, x0)])
        while todo:
            y, x = todo.popleft()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < h and 0 <= nx < w and ink[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        todo.append((ny, nx))
    return count


def columns(ink: np.ndarray[Any, Any]) -> tuple[int, int]:
    """First and last column holding ink."""
    cols = np.nonzero(ink.any(axis=0))[0]
    return int(cols[0]), int(cols[-1])


# ---------------------------------------------------------------- the PNG


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(
    ("story", "size"),
    [(displaced_story, (1000, 600)), (area_story, (800, 450)), (displaced_story, (640, 360))],
    ids=["displaced-1000x600", "area-800x450", "displaced-640x360"],
)
def test_chart_is_a_png_of_the_requested_size(story: Any, size: tuple[int, int], lang: Any) -> None:
    name = "دير الزور" if lang == "ar" else "Deir ez-Zor"
    pixels = png(render_chart(story(name), lang, size))
    assert pixels.shape == (size[1], size[0], 3)
    assert title_ink(pixels).sum() > 200  # a title was drawn


def test_empty_series_says_so() -> None:
    series = ChartSeries(Metric.KILLED, None, None, Unit.PERSON, ())
    pixels = png(render_chart(series, "en", (400, 300)))
    assert pixels.shape == (300, 400, 3)
    assert (pixels.min(axis=2) < 140).sum() > 50


@pytest.mark.parametrize(
    ("lang", "size"),
    [("fr", (400, 300)), ("en", (50, 300)), ("ar", (400, 9000))],
    ids=["unknown-lang", "too-narrow", "too-tall"],
)
def test_bad_arguments_are_refused(lang: Any, size: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        render_chart(displaced_story(), lang, size)


# ---------------------------------------------------------------- Arabic shaping


def test_arabic_title_is_shaped_not_isolated_glyphs() -> None:
    """The same title with every letter forced apart (ZWNJ) draws as isolated
    glyphs: more pieces and wider.  The chart's own title must be the joined one."""
    place = "دير الزور"
    isolated_place = ZWNJ.join(place)
    shaped = title_ink(png(render_chart(area_story(place), "ar")))
    isolated = title_ink(png(render_chart(area_story(isolated_place), "ar")))
    shaped_left, shaped_right = columns(shaped)
    isolated_left, isolated_right = columns(isolated)
    assert components(shaped) < components(isolated)
    assert shaped_right - shaped_left < isolated_right - isolated_left
    # both right-aligned at the same edge
    assert abs(shaped_right - isolated_right) <= 2


@pytest.mark.parametrize(
    ("lang", "anchor"),
    [("ar", "right"), ("en", "left")],
    ids=["arabic-reads-from-the-right", "english-reads-from-the-left"],
)
def test_title_reads_in_the_language_direction(lang: Any, anchor: str) -> None:
    """Adding a last part ("since 1 Dec") to the title must leave its first part
    where it was: at the right edge in Arabic, at the left in English."""
    place = "دير الزور" if lang == "ar" else "Deir ez-Zor"
    long = displaced_story(place)
    short = ChartSeries(long.metric, place, None, long.unit, long.points, long.steps)
    a = title_ink(png(render_chart(short, lang)))
    b = title_ink(png(render_chart(long, lang)))
    a_left, a_right = columns(a)
    b_left, b_right = columns(b)
    assert b_right - b_left > a_right - a_left + 30  # the longer title is longer
    # the short title is the long one's beginning, so its pixels must reappear
    # unchanged at the same place; only the far end (the reading end) grows
    same = a[:, a_left : a_right + 1] == b[:, a_left : a_right + 1]
    assert same.mean() > 0.995
    if anchor == "right":
        assert abs(a_right - b_right) <= 2
        assert b[:, : a_left - 5].sum() > 100
    else:
        assert abs(a_left - b_left) <= 2
        assert b[:, a_right + 5 :].sum() > 100


@pytest.mark.parametrize(
    "text",
    ["دير الزور", "النازحون", "الباغوز"],
    ids=["deir-ez-zor", "displaced", "baghouz"],
)
def test_visual_text_is_presentation_forms_in_visual_order(text: str) -> None:
    visual = visual_text(text)
    assert all("\ufe70" <= ch <= "\ufeff" or ch == " " for ch in visual)
    words = text.split(" ")
    # the first logical word is drawn last (rightmost); letters within a word reversed
    first = visual.split(" ")[-1]
    assert len(first) <= len(words[0])
    assert visual.split(" ")[0] != first or len(words) == 1
    import arabic_reshaper

    assert visual == arabic_reshaper.reshape(text)[::-1]


@pytest.mark.parametrize(
    ("text", "native", "expected_same"),
    [
        ("دير الزور", True, True),
        ("دير الزور", False, False),
        ("AFP Arabic", False, True),
        ("38,550", False, True),
    ],
    ids=["native-layout-untouched", "old-matplotlib-reshaped", "latin-untouched", "digits"],
)
def test_display_text_reshapes_only_without_native_layout(
    text: str, native: bool, expected_same: bool
) -> None:
    assert (display_text(text, native=native) == text) is expected_same
    if not expected_same:
        assert display_text(text, native=native) == visual_text(text)


def test_missing_font_package_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(charts, "FONT_PACKAGE", "no_such_font_package")
    charts.arabic_font.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.render.charts"):
            fig = chart_figure(area_story("Deir ez-Zor"), "ar")
    finally:
        charts.arabic_font.cache_clear()
    assert "no_such_font_package" in caplog.text
    assert fig.axes[0].get_title(loc="left") == "Area held — Deir ez-Zor"
    assert not has_arabic(fig.axes[0].get_xlabel())


# ---------------------------------------------------------------- what is drawn


def pixel_of(fig: Any, x: datetime, y: float, dy_points: float = 0) -> tuple[int, int]:
    """Image row and column of data point (x, y), `dy_points` above it."""
    from matplotlib import dates as mdates

    ax = fig.axes[0]
    px, py = ax.transData.transform((mdates.date2num(x), y))
    height = fig.bbox.height
    return round(height - py - dy_points * fig.dpi / 72), round(px)


def drawn(fig: Any) -> np.ndarray[Any, Any]:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[:, :, :3]


def test_dots_hollow_for_conflicts_and_carets_for_open_ended_values() -> None:
    series = displaced_story()
    conflicting = [p for p in series.points if p.conflicting]
    assert [p.value for p in conflicting] == [33000]  # only the lower exact report
    fig = chart_figure(series, "en")
    pixels = drawn(fig)
    green = np.array([0x2C, 0xA0, 0x2C])  # "Middle East Online" is the third outlet: green
    row, col = pixel_of(fig, conflicting[0].time, conflicting[0].value)
    assert pixels[row, col].min() > 200  # hollow: the centre is background
    ring = pixels[row - 4 : row + 5, col - 4 : col + 5].reshape(-1, 3)
    assert (np.abs(ring.astype(int) - green).sum(axis=1) < 60).any()  # but the ring is drawn

    sohr = next(p for p in series.points if p.value == 38550)
    row, col = pixel_of(fig, sohr.time, sohr.value)
    assert pixels[row, col].min() < 200  # filled

    more_than = next(p for p in series.points if p.value == 30000)
    row, col = pixel_of(fig, more_than.time, more_than.value, dy_points=9)
    caret = pixels[row - 3 : row + 4, col - 3 : col + 4].reshape(-1, 3)
    red = np.array([0xD6, 0x27, 0x28])  # AFP Arabic: second outlet
    assert (np.abs(caret.astype(int) - red).sum(axis=1) < 60).any()
    row, col = pixel_of(fig, more_than.time, more_than.value, dy_points=-9)
    below = pixels[row - 3 : row + 4, col - 3 : col + 4].reshape(-1, 3)
    assert not (np.abs(below.astype(int) - red).sum(axis=1) < 60).any()  # no caret below


def test_latest_state_is_labelled_with_its_hedge() -> None:
    for lang, expected in [("en", "about 1 km²"), ("ar", "نحو ١ كم²")]:
        fig = chart_figure(area_story(), lang)  # type: ignore[arg-type]
        labels = [t.get_text() for t in fig.axes[0].texts]
        assert display_text(expected) in labels


def test_legend_has_one_entry_per_outlet_and_the_state() -> None:
    fig = chart_figure(displaced_story(), "en")
    legend = fig.axes[0].get_legend()
    names = [t.get_text() for t in legend.get_texts()]
    assert names == ["state", "SOHR", "AFP Arabic", "Middle East Online"]


# ---------------------------------------------------------------- words and numbers


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        (38550, "en", "38,550"),
        (38550, "ar", "٣٨٬٥٥٠"),
        (1.5, "en", "1.5"),
        (1.5, "ar", "١٫٥"),
        (0.0007, "en", "0.0007"),
        (2.0, "en", "2"),
        (0.25, "en", "0.25"),
    ],
    ids=["thousands-en", "thousands-ar", "fraction-en", "fraction-ar", "tiny", "whole", "quarter"],
)
def test_format_number(value: float, lang: Any, expected: str) -> None:
    assert format_number(value, lang) == expected


@pytest.mark.parametrize(
    ("value", "qualifier", "unit", "lang", "expected"),
    [
        (38000, Qualifier.MORE_THAN, Unit.PERSON, "en", "more than 38,000"),
        (2, Qualifier.LESS_THAN, Unit.KM2, "en", "less than 2 km²"),
        (2, Qualifier.LESS_THAN, Unit.KM2, "ar", "أقل من ٢ كم²"),
        (1500, Qualifier.APPROX, Unit.PERSON, "ar", "نحو ١٬٥٠٠"),
        (40, Qualifier.EXACT, Unit.PERCENT, "en", "40%"),
    ],
    ids=["more-than", "less-than-km2", "less-than-km2-ar", "about-ar", "percent"],
)
def test_format_value(
    value: float, qualifier: Qualifier, unit: Unit, lang: Any, expected: str
) -> None:
    assert format_value(value, qualifier, unit, lang) == expected


@pytest.mark.parametrize(
    ("value", "unit", "lang", "expected"),
    [
        (100, Unit.PERSON, "ar", "مئات (١٠٠+)"),
        (1000, Unit.PERSON, "en", "thousands (1,000+)"),
        (100, Unit.KM2, "en", "100+ km²"),
    ],
    ids=["hundreds-ar", "thousands-en", "area"],
)
def test_a_vague_label_stays_vague(value: float, unit: Unit, lang: Any, expected: str) -> None:
    # before, a chart labelled its latest state مئات as ١٠٠
    assert format_value(value, Qualifier.EXACT, unit, lang, vague=True) == expected


@pytest.mark.parametrize(
    ("since", "lang", "expected"),
    [
        ("--12-01", "en", "since 1 Dec"),
        ("--12-01", "ar", "منذ ١ ديسمبر"),
        ("--09-10", "en", "since 10 Sep"),
        ("the offensive", "en", "since the offensive"),
    ],
    ids=["en", "ar", "september", "free-text"],
)
def test_format_since(since: str, lang: Any, expected: str) -> None:
    assert format_since(since, lang) == expected


def test_chart_title_in_both_languages() -> None:
    assert chart_title(displaced_story(), "en") == "Displaced — Deir ez-Zor — since 1 Dec"
    assert chart_title(displaced_story("دير الزور"), "ar") == "النازحون — دير الزور — منذ ١ ديسمبر"


# ---------------------------------------------------------------- from history rows


def row(day: int, value: float, outlet: str, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "published": f"2019-02-{day:02d}T12:00:00Z",
        "value": value,
        "unit": "person",
        "qualifier": "exact",
        "vague": 0,
        "outlet": outlet,
        "status": "statement",
    }
    return base | extra


@pytest.mark.parametrize(
    ("metric", "rows", "steps", "conflicting"),
    [
        (
            "displaced",
            [row(10, 36500, "SOHR"), row(12, 38550, "SOHR"), row(11, 33000, "MEO")],
            [36500, 38550],
            [33000],
        ),
        (
            "displaced",
            [row(12, 38550, "SOHR"), row(14, 38000, "MEO", qualifier="more_than")],
            [38550],
            [],
        ),
        (
            "displaced",
            [row(12, 38550, "SOHR"), row(13, 40000, "SOHR", status="context")],
            [38550],
            [],
        ),
        (
            "area_controlled",
            [
                row(1, 4, "SOHR", unit="km2"),
                row(12, 2, "SOHR", unit="km2", qualifier="less_than"),
                row(14, 1, "MEO", unit="km2", qualifier="approx"),
            ],
            [4, 2, 1],
            [],
        ),
        (
            "displaced",
            [row(10, 36500, "SOHR"), row(11, 30000, "MEO", conflicting=1)],
            [36500],
            [30000],
        ),
    ],
    ids=[
        "lower-total-conflicts",
        "more-than-corroborates",
        "context-never-sets-state",
        "territory-shrinks",
        "store-says-conflicting",
    ],
)
def test_series_from_history(
    metric: str, rows: list[dict[str, Any]], steps: list[float], conflicting: list[float]
) -> None:
    series = series_from_history(rows, metric, "deir-ez-zor", "en")
    assert [s.value for s in series.steps] == steps
    assert [p.value for p in series.points if p.conflicting] == conflicting
    assert series.unit == Unit(rows[0]["unit"])
    assert series.place == "deir-ez-zor" or series.place == "Deir ez-Zor"
    assert len(series.points) == len(rows)


def test_history_rows_without_a_time_are_an_error() -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        series_from_history([row(1, 5, "SOHR", published=None)], "killed")


# ---------------------------------------------------------------- off the event loop


async def test_render_async_keeps_the_loop_running() -> None:
    points = tuple(
        ChartPoint(at(1, 1 + k % 28, k % 24), 1000 + k, Qualifier.EXACT, False, f"o{k % 4}")
        for k in range(3000)
    )
    series = ChartSeries(
        Metric.DISPLACED, None, None, Unit.PERSON, points, (StateStep(at(1, 1), 1000),)
    )
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    data = await render_chart_async(series, "en", (600, 400))
    task.cancel()
    assert png(data).shape == (400, 600, 3)
    assert ticks >= 1


# ---------------------------------------------------------------- the seeds through the real store

SEED_FIGURES: dict[str, list[tuple[str, float, str, str, str, str | None, str | None, str]]] = {
    # file: (metric, value, unit, qualifier, scope, window, since, quote as in the text)
    "001_5b086f0ad52d6ab9.txt": [
        ("area_controlled", 2, "km2", "less_than", "total", None, None, "لأقل من 2 كلم مربع"),
        ("displaced", 1500, "person", "approx", "window", "48h", None, "نحو 1500"),
        ("displaced", 38550, "person", "exact", "total", None, "--12-01", "38550"),
        ("area_controlled", 4, "km2", "exact", "total", None, None, "آخر 4 كلم"),
    ],
    "004_fb7f9a417f467020.txt": [
        ("area_controlled", 1, "km2", "approx", "total", None, None, "حوالي كيلومتر واحد مربع"),
        ("surrendered", 240, "person", "approx", "batch", None, None, "نحو 240"),
        ("displaced", 38000, "person", "more_than", "total", None, "--12-01", "أكثر من 38 ألف"),
    ],
}
"""What the seed articles say about the pocket, located in the real texts."""


def replay_seeds(
    db_path: Any, digest_chats: tuple[str, ...] = (), now: datetime | None = None
) -> Any:
    """The seed articles (real files, real index) through the real pipeline and
    store into `db_path`, with the figures of `SEED_FIGURES` (the extractor's
    job, given here so these tests depend only on the store and diff)."""
    from bot.config.schema import default_config
    from bot.ingest import pipeline
    from bot.store import db as store
    from bot.store import outbox as store_outbox
    from figures.model import Figure, Scope
    from scrapers.files import FilesSource

    config = default_config()
    db = store.open_db(db_path)
    for chat in digest_chats:
        store_outbox.add_subscription(db, "console", chat, digest=True, now=now)
    store_outbox.add_subscription(db, "console", "every-change", now=now)
    articles = FilesSource(config.sources[0]).read_all()
    rules = pipeline.rules_from_config(config.alerts)
    for article in sorted(articles, key=lambda a: a.published or now or datetime.now(UTC)):
        name = article.url.rsplit("/", 1)[-1]
        text = pipeline.document_text(article)
        found = []
        for metric, value, unit, qual, scope, window, since, quote in SEED_FIGURES.get(name, []):
            start = text.index(quote)
            found.append(
                Figure(
                    Metric(metric),
                    value,
                    Unit(unit),
                    Qualifier(qual),
                    False,
                    Scope(scope),
                    window,
                    quote,
                    start,
                    start + len(quote),
                    since=since,
                )
            )
        pipeline.process_article(db, article, rules, now=now, found=found)
    return db


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("metric", ["displaced", "area_controlled"])
def test_replayed_seeds_chart(tmp_path: Any, metric: str, lang: Any) -> None:
    from bot.store import figures as store_figures

    db = replay_seeds(tmp_path / "raqib.db")
    rows = store_figures.history(db, metric)
    series = series_from_history(rows, metric, None, lang)
    if metric == "displaced":  # the running total since 1 Dec, not the 48-hour window
        assert series.since == "--12-01"
        assert [p.value for p in series.points] == [38550, 38000]
        assert [s.value for s in series.steps] == [38550]  # "more than 38 thousand" agrees
        assert not any(p.conflicting for p in series.points)
    else:
        assert [s.value for s in series.steps] == [2, 1]
        assert [p.value for p in series.points if p.context] == [4]
    fig = chart_figure(series, lang)
    title = fig.axes[0].get_title(loc="right" if lang == "ar" else "left")
    assert title == display_text(chart_title(series, lang))
    pixels = png(render_chart(series, lang, (900, 500)))
    assert pixels.shape == (500, 900, 3)


def chart_cli(db_path: Any, *argv: str) -> tuple[int, Any]:
    """`raqib chart ARGV…` against the database at `db_path`, through the real parser."""
    import argparse

    from bot.cli.app import run_command
    from bot.config.schema import Config, StorageConfig

    parser = argparse.ArgumentParser(prog="raqib")
    chart.add_chart_arguments(parser.add_subparsers(dest="command").add_parser("chart"))
    args = parser.parse_args(["chart", *argv])
    args.config_obj = Config(storage=StorageConfig(database=db_path))
    return run_command(args), args


@pytest.mark.parametrize(
    ("argv", "status", "size"),
    [
        (["area_controlled", "--lang", "ar"], 0, (1000, 600)),
        (["displaced", "--size", "800x400"], 0, (800, 400)),
        (["killed"], 1, None),
        (["refugees"], 2, None),
        (["displaced", "--size", "huge"], 2, None),
    ],
    ids=["area-ar", "displaced-sized", "no-figures", "unknown-metric", "bad-size"],
)
def test_chart_command(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, size: Any
) -> None:
    db_path = tmp_path / "raqib.db"
    replay_seeds(db_path).close()
    out = tmp_path / "chart.png"
    code, _args = chart_cli(db_path, *argv, "-o", str(out))
    captured = capsys.readouterr()
    assert code == status
    if size is None:
        assert not out.exists()
        assert captured.err.startswith("raqib chart: ")
    else:
        assert png(out.read_bytes()).shape == (size[1], size[0], 3)
        assert str(out) in captured.out


def test_raqib_chart_is_a_cli_command(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.app import main

    db_path = tmp_path / "raqib.db"
    replay_seeds(db_path).close()
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{db_path}"\n', encoding="utf-8")
    out = tmp_path / "area.png"
    argv = ["--config", str(config), "chart", "area_controlled", "--lang", "ar", "-o", str(out)]
    assert main(argv) == 0
    assert png(out.read_bytes()).shape == (600, 1000, 3)
    printed = capsys.readouterr().out
    assert "Area held" in printed
    assert "(s)" not in printed and re.search(r"\b\d+ reports?, \d+ state changes?, ", printed)
