"""Charts of a figure's history: a step line for the state, a dot per report.

`render_chart(series, lang, size)` draws one `ChartSeries` to PNG bytes with
matplotlib's object API (`Figure` + `FigureCanvasAgg`: no pyplot, no global
figure state), so it can run in a worker thread; `render_chart_async` does
exactly that, off the event loop.  The series drawn comes from the store's
history rows by `bot.render.series`; `raqib chart` is `bot.cli.chart`.

Arabic text: matplotlib 3.11 and later lay text out with libraqm, which shapes
Arabic and orders it right to left by itself; older matplotlib draws code
points left to right one glyph at a time, so there every Arabic string is
passed through `arabic_reshaper.reshape` and `bidi.algorithm.get_display`
first (`visual_text`).  Doing both would reverse the text twice, so
`display_text` picks one.  The glyphs come from Noto Sans Arabic, shipped by
the `fontpkg-noto-sans-arabic` package; without it the chart falls back to
English labels with a logged warning.

How a report is drawn:

- a dot coloured by outlet (legend), hollow when it is a conflicting report
  (a lower total than the state), small and faded when the article cited the
  figure only as context;
- "more than" / "at least" (and vague quantity words, whose value is a floor):
  an upward caret just above the dot; "less than" / "at most": a downward
  caret below it; "about": an error bar of ±10 %;
- the state as a step line, its latest value labelled with its qualifier.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import importlib.resources
import io
import logging
import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import arabic_reshaper
import numpy as np
from bidi.algorithm import get_display

from bot.render.i18n import t as say
from bot.render.messages import amount, format_date, localize_digits, number
from bot.render.messages import format_since as render_since
from bot.render.series import APPROX_SPREAD, DOWN_QUALIFIERS, UP_QUALIFIERS, ChartSeries, Lang, _utc
from figures.model import Metric, Qualifier, Unit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)


NATIVE_LAYOUT: bool = tuple(
    int(n) for n in re.findall(r"\d+", importlib.metadata.version("matplotlib"))[:2]
) >= (3, 11)
"""True when matplotlib shapes and orders complex scripts itself (libraqm)."""

FONT_PACKAGE = "fontpkg_noto_sans_arabic"
LATIN_FONT_FAMILY = "DejaVu Sans"
DPI = 100
DEFAULT_SIZE = (1000, 600)
MAX_PIXELS = 4000
"""Largest width or height accepted, in pixels."""

# ---------------------------------------------------------------- vocabulary (data)

METRIC_NAMES: Mapping[Metric, tuple[str, str]] = {
    Metric.DISPLACED: ("Displaced", "النازحون"),
    Metric.RETURNED: ("Returned", "العائدون"),
    Metric.KILLED: ("Killed", "القتلى"),
    Metric.INJURED: ("Injured", "الجرحى"),
    Metric.CASUALTIES: ("Casualties", "الضحايا"),
    Metric.MISSING: ("Missing", "المفقودون"),
    Metric.DETAINED: ("Detained", "المعتقلون"),
    Metric.SURRENDERED: ("Surrendered", "المستسلمون"),
    Metric.BESIEGED: ("Besieged", "المحاصرون"),
    Metric.AREA_CONTROLLED: ("Area held", "المساحة الخاضعة للسيطرة"),
    Metric.SHARE_CONTROLLED: ("Share held", "نسبة السيطرة"),
    Metric.PLACES_CONTROLLED: ("Places held", "المواقع الخاضعة للسيطرة"),
}
"""(English, Arabic) name of each metric, for titles: unlike the alerts' short labels
(`figures.names`), a title's Arabic name takes the article (النازحون, not نازحون)."""

UNIT_NAMES: Mapping[Unit, tuple[str, str]] = {
    Unit.PERSON: ("people", "أشخاص"),
    Unit.HOUSEHOLD: ("households", "عائلات"),
    Unit.KM2: ("km²", "كم²"),
    Unit.PERCENT: ("%", "٪"),
    Unit.PLACE: ("places", "مواقع"),
}
"""(English, Arabic) name of each unit, for the y axis (a count's unit is named here,
not after each value as in alerts: `bot.render.messages.UNIT_WORDS`)."""


OUTLET_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
"""Outlet colours, in order of first appearance; more outlets than this cycle."""


SYMBOL_UNITS = frozenset({Unit.KM2, Unit.PERCENT})
"""Units whose symbol stays beside a value on the chart; the others are named on the axis."""


# ---------------------------------------------------------------- text


def has_arabic(text: str) -> bool:
    """True if `text` holds a character of the Arabic blocks."""
    return any(
        "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff"
        for ch in text
    )


def visual_text(text: str) -> str:
    """Arabic `text` reshaped into presentation forms, in visual (left-to-right
    drawing) order: what a renderer without shaping must be given."""
    return str(get_display(arabic_reshaper.reshape(text), base_dir="R"))


def display_text(text: str, *, native: bool = NATIVE_LAYOUT) -> str:
    """`text` as matplotlib must receive it: unchanged where matplotlib shapes
    and orders Arabic itself (`native`), else `visual_text`."""
    if native or not has_arabic(text):
        return text
    return visual_text(text)


@functools.cache
def arabic_font() -> str | None:
    """Register Noto Sans Arabic with matplotlib once; its family name, or None
    (with a warning) if the font package is missing."""
    from matplotlib import font_manager

    try:
        folder = importlib.resources.files(FONT_PACKAGE) / "files"
        paths = sorted(
            str(p) for p in folder.iterdir() if p.name.lower().endswith((".ttf", ".otf"))
        )
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError) as exc:
        log.warning(
            "Arabic font package %s not found (%s): charts fall back to English", FONT_PACKAGE, exc
        )
        return None
    if not paths:
        log.warning("no font file in %s: charts fall back to English", FONT_PACKAGE)
        return None
    for path in paths:
        font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=paths[0]).get_name()
    log.debug("registered Arabic font %s from %s", name, paths[0])
    return name


def format_number(value: float, lang: Lang) -> str:
    """`38550` → `38,550` (en) or `٣٨٬٥٥٠` (ar); fractions keep up to two
    decimals (three significant digits below 0.01).

    Whole numbers read as in alerts (`bot.render.messages.number`); fractions differ on
    purpose: an axis tick needs its decimals at any scale (1,000.25 between
    1,000 and 1,000.5), where an alert rounds a value above 100."""
    if value == int(value) and abs(value) < 1e15:
        return number(value, lang)
    text = f"{value:.3g}" if abs(value) < 0.01 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return localize_digits(text, lang)


def format_value(
    value: float, qualifier: Qualifier, unit: Unit, lang: Lang, vague: bool = False
) -> str:
    """`more than 38,550` / `أقل من ٢ كم²` / `hundreds (100+)`: `bot.render.messages.amount`,
    with the unit only for km² and % (`SYMBOL_UNITS`; the axis names the others)."""
    return amount(
        value, qualifier, vague, unit, lang, unit_words=unit in SYMBOL_UNITS, digits=format_number
    )


def format_since(since: str, lang: Lang) -> str:
    """`--12-01` → `since 1 Dec` / `منذ ١ ديسمبر`; anything else as given, after `since`."""
    return f"{say('chart.since', lang)} {render_since(since, lang)}"


def chart_title(series: ChartSeries, lang: Lang) -> str:
    """`Displaced — Deir ez-Zor — since 1 Dec` in the chart's language."""
    parts = [METRIC_NAMES[series.metric][_i(lang)]]
    if series.place:
        parts.append(series.place)
    if series.since:
        parts.append(format_since(series.since, lang))
    return " — ".join(parts)


def _i(lang: Lang) -> int:
    return 1 if lang == "ar" else 0


# ---------------------------------------------------------------- rendering

_RENDER_LOCK = threading.Lock()
"""matplotlib's font cache and text layout are shared: one render at a time."""


def render_chart(
    series: ChartSeries, lang: Lang = "en", size: tuple[int, int] = DEFAULT_SIZE
) -> bytes:
    """The chart of `series` as PNG bytes of exactly `size` (width, height) pixels."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with _RENDER_LOCK:
        fig, families = _chart_figure(series, lang, size)
        buf = io.BytesIO()
        with matplotlib.rc_context({"font.family": families}):
            FigureCanvasAgg(fig).print_png(buf)
    return buf.getvalue()


def chart_figure(
    series: ChartSeries, lang: Lang = "en", size: tuple[int, int] = DEFAULT_SIZE
) -> Figure:
    """The drawn matplotlib `Figure` behind `render_chart` (for tests and for
    other output formats: `fig.savefig(path)`)."""
    with _RENDER_LOCK:
        return _chart_figure(series, lang, size)[0]


def _chart_figure(
    series: ChartSeries, lang: Lang, size: tuple[int, int]
) -> tuple[Figure, list[str]]:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = size
    if not (100 <= width <= MAX_PIXELS and 100 <= height <= MAX_PIXELS):
        raise ValueError(
            f"chart size must be 100..{MAX_PIXELS} pixels a side, got {width}x{height}"
        )
    if lang not in ("ar", "en"):
        raise ValueError(f"lang must be 'ar' or 'en', got {lang!r}")
    font = arabic_font() if lang == "ar" else None
    if lang == "ar" and font is None:
        lang = "en"
    families = [font, LATIN_FONT_FAMILY] if font else [LATIN_FONT_FAMILY]
    with matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False}):
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        FigureCanvasAgg(fig)
        _draw(fig, series, lang)
    return fig, families


async def render_chart_async(
    series: ChartSeries, lang: Lang = "en", size: tuple[int, int] = DEFAULT_SIZE
) -> bytes:
    """`render_chart` in a worker thread, so the event loop keeps polling and sending."""
    return await asyncio.to_thread(render_chart, series, lang, size)


def _draw(fig: Figure, series: ChartSeries, lang: Lang) -> None:
    from matplotlib import dates as mdates
    from matplotlib import ticker as mticker
    from matplotlib import transforms as mtransforms

    t = display_text
    i = _i(lang)
    ax = fig.add_axes((0.1, 0.14, 0.86, 0.74) if lang == "en" else (0.04, 0.15, 0.86, 0.73))
    ax.set_title(t(chart_title(series, lang)), loc="right" if lang == "ar" else "left", fontsize=14)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    if lang == "ar":
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
    ax.set_ylabel(t(UNIT_NAMES[series.unit][i]))
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _pos: t(format_number(v, lang))))

    points = sorted(series.points, key=lambda p: _utc(p.time))
    if not points and not series.steps:
        ax.text(
            0.5,
            0.5,
            t(say("chart.no_data", lang)),
            transform=ax.transAxes,
            ha="center",
            va="center",
        )
        ax.set_xticks([])
        ax.set_yticks([])
        return

    times = np.asarray(mdates.date2num([_utc(p.time) for p in points]), dtype=np.float64)
    values = np.array([p.value for p in points], dtype=np.float64)
    step_t = np.asarray(mdates.date2num([_utc(s.time) for s in series.steps]), dtype=np.float64)
    step_v = np.array([s.value for s in series.steps], dtype=np.float64)
    t_end = max(times.max() if times.size else -np.inf, step_t.max() if step_t.size else -np.inf)

    # the state: a step line carried to the last report
    if step_t.size:
        xs = np.append(step_t, t_end)
        ys = np.append(step_v, step_v[-1])
        ax.step(
            xs,
            ys,
            where="post",
            color="#333333",
            linewidth=2,
            zorder=2,
            label=t(say("chart.state", lang)),
        )

    # reports: one scatter per outlet and fill (not one artist per point)
    outlets: dict[str, int] = {}
    for p in points:
        outlets.setdefault(p.outlet, len(outlets))
    which = np.array([outlets[p.outlet] for p in points], dtype=int)
    colour = np.array([OUTLET_COLOURS[k % len(OUTLET_COLOURS)] for k in which])
    conflicting = np.array([p.conflicting for p in points], dtype=bool)
    context = np.array([p.context for p in points], dtype=bool)
    marker_size = 36.0 if len(points) <= 200 else 12.0
    for outlet, k in outlets.items():
        col = OUTLET_COLOURS[k % len(OUTLET_COLOURS)]
        mine = which == k
        for hollow in (False, True):
            for faded in (False, True):
                sel = mine & (conflicting == hollow) & (context == faded)
                if not sel.any():
                    continue
                ax.scatter(
                    times[sel],
                    values[sel],
                    s=marker_size * (0.5 if faded else 1.0),
                    facecolors="none" if hollow else col,
                    edgecolors=col,
                    linewidths=1.4 if hollow else 0.5,
                    alpha=0.45 if faded else 1.0,
                    zorder=3,
                    label=t(outlet) if not hollow and not faded else None,
                )
        if not (~conflicting & ~context & mine).any():  # an outlet with only hollow/faded dots
            ax.scatter([], [], s=marker_size, color=col, label=t(outlet))

    # qualifiers: carets just above/below the dot, bars for "about"
    up = np.array([p.qualifier in UP_QUALIFIERS or p.vague for p in points], dtype=bool)
    down = np.array([p.qualifier in DOWN_QUALIFIERS for p in points], dtype=bool)
    approx = np.array([p.qualifier == Qualifier.APPROX for p in points], dtype=bool)
    caret_size = 30.0 if len(points) <= 200 else 10.0
    if up.any():
        above = mtransforms.offset_copy(ax.transData, fig=fig, y=9, units="points")
        ax.scatter(
            times[up], values[up], marker=6, s=caret_size, c=colour[up], transform=above, zorder=4
        )
    if down.any():
        below = mtransforms.offset_copy(ax.transData, fig=fig, y=-9, units="points")
        ax.scatter(
            times[down],
            values[down],
            marker=7,
            s=caret_size,
            c=colour[down],
            transform=below,
            zorder=4,
        )
    if approx.any():
        v = values[approx]
        ax.vlines(
            times[approx],
            v * (1 - APPROX_SPREAD),
            v * (1 + APPROX_SPREAD),
            colors=colour[approx],
            linewidth=1,
            zorder=3,
        )

    # the latest state (or, with no state, the latest report) labelled
    if series.steps:
        last = series.steps[-1]
        label = format_value(last.value, last.qualifier, series.unit, lang, last.vague)
        last_x, last_y = t_end, last.value
    else:
        label = format_value(
            points[-1].value, points[-1].qualifier, series.unit, lang, points[-1].vague
        )
        last_x, last_y = times[-1], points[-1].value
    ax.annotate(
        t(label),
        (last_x, last_y),
        xytext=(-6, 10),
        textcoords="offset points",
        ha="right",
        fontsize=13,
        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "#333333", "lw": 0.8},
        zorder=5,
    )

    # axes: dates on x, room for the carets and the label
    all_v = np.concatenate([values, step_v]) if step_v.size else values
    lo, hi = float(all_v.min()), float(all_v.max())
    bottom = 0.0 if lo >= 0 else lo - (hi - lo) * 0.1
    top = hi + max((hi - bottom) * 0.18, 1.0 if hi == bottom else 0.0)
    ax.set_ylim(bottom, top)
    t_start = min(times.min() if times.size else np.inf, step_t.min() if step_t.size else np.inf)
    span = t_end - t_start
    xpad = max(span * 0.04, 0.25)
    ax.set_xlim(t_start - xpad, t_end + xpad * 2.5)
    shown = span + 3.5 * xpad
    if shown <= 1.5:  # within a day or so: hours
        locator: mdates.DateLocator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    elif shown <= 12:  # one tick a day at midnight, never two labels for one day
        locator = mdates.DayLocator(interval=max(1, round(shown / 6)))
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    first, last = mdates.num2date(t_start), mdates.num2date(t_end)
    with_year = shown > 300 or first.year != last.year
    with_time = shown <= 1.5
    ax.xaxis.set_major_formatter(
        mticker.FuncFormatter(
            lambda x, _pos: t(
                format_date(mdates.num2date(x), lang, with_year=with_year, with_time=with_time)
            )
        )
    )
    ax.set_xlabel(t(say("chart.date", lang)))
    legend_loc = _emptiest_corner(
        np.concatenate([times, step_t, [last_x]]),
        np.concatenate([values, step_v, [last_y]]),
        ax.get_xlim(),
        ax.get_ylim(),
    )
    legend = ax.legend(loc=legend_loc, fontsize=9, framealpha=0.9)
    if conflicting.any():
        legend.set_title(t(say("chart.conflicting", lang)), prop={"size": 8})


def _emptiest_corner(
    xs: np.ndarray[Any, Any],
    ys: np.ndarray[Any, Any],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
) -> str:
    """The legend's corner: the one holding the fewest points (cheap at 10k
    points, unlike matplotlib's "best")."""
    fx = (xs - xlim[0]) / ((xlim[1] - xlim[0]) or 1.0)
    fy = (ys - ylim[0]) / ((ylim[1] - ylim[0]) or 1.0)
    left, right, low, high = fx < 0.4, fx > 0.6, fy < 0.4, fy > 0.6
    counts = {
        "upper left": int((left & high).sum()),
        "upper right": int((right & high).sum()),
        "lower left": int((left & low).sum()),
        "lower right": int((right & low).sum()),
    }
    return min(counts, key=lambda corner: counts[corner])
