"""`raqib chart`: the chart of a metric's history from the database, written as
a PNG (`cmd_chart`), and the command's arguments (`add_chart_arguments`, named
by the CLI's command table); the rows are made a series by `bot.render.series`
and drawn by `bot.render.charts`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.app import (
    add_metric_argument,
    add_place_option,
    existing_database,
    metric_arg,
    place_arg,
)
from bot.render.charts import DEFAULT_SIZE, chart_title, render_chart
from bot.render.series import Lang, series_from_history
from bot.store import figures as store_figures


def cmd_chart(args: argparse.Namespace) -> int:
    """`raqib chart METRIC [--place P] [-o FILE.png] [--lang ar|en] [--size WxH]`:
    the chart of a metric's history from the database, written as a PNG."""
    metric = metric_arg(args.metric)
    size = DEFAULT_SIZE
    if getattr(args, "size", None):
        try:
            w, h = (int(n) for n in str(args.size).lower().split("x"))
            size = (w, h)
        except ValueError:
            print(f"raqib chart: --size must be WIDTHxHEIGHT, got {args.size!r}", file=sys.stderr)
            return 2
    place = place_arg(args.place)  # an unknown place: exit 2, naming the closest
    lang: Lang = "ar" if args.lang == "ar" else "en"
    out = Path(args.output or f"{metric.value}{'-' + place if place else ''}.png")
    with existing_database(args.config_obj) as db:  # none: exit 1, and no empty one made
        rows = store_figures.history(db, metric.value, place)
    if not rows:
        where = f" at {place}" if place else ""
        print(
            f"raqib chart: no {metric.value} figures{where} yet: nothing written", file=sys.stderr
        )
        return 1
    series = series_from_history(rows, metric, place, lang)
    try:
        data = render_chart(series, lang, size)
    except ValueError as exc:
        print(f"raqib chart: {exc}", file=sys.stderr)
        return 2
    try:
        out.write_bytes(data)
    except OSError as exc:
        print(f"raqib chart: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    reports, steps = len(series.points), len(series.steps)
    print(
        f"{out}: {chart_title(series, 'en')}, {reports} report{'' if reports == 1 else 's'}, "
        f"{steps} state change{'' if steps == 1 else 's'}, {size[0]}x{size[1]} px"
    )
    return 0


def add_chart_arguments(p: argparse.ArgumentParser) -> None:
    """Fill in `raqib chart`'s parser (the CLI's table names this function)."""
    add_metric_argument(p)
    add_place_option(p)
    p.add_argument("-o", "--output", metavar="FILE.png", help="default: METRIC[-PLACE].png")
    p.add_argument("--lang", choices=("ar", "en"), default="en", help="label language")
    p.add_argument(
        "--size", metavar="WxH", help=f"pixels (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})"
    )
    p.set_defaults(func=cmd_chart, needs_config=True)
