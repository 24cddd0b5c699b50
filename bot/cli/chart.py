"""`raqib chart`: the chart of a metric's history from the database, written as
a PNG (`cmd_chart`), and the command's arguments (`add_chart_arguments`, named
by the CLI's command table); the rows are made a series by `bot.render.series`
and drawn by `bot.render.charts`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.app import existing_db, place_arg
from bot.render.charts import DEFAULT_SIZE, chart_title, render_chart
from bot.render.series import Lang, series_from_history
from bot.store import db as store
from bot.store import figures as store_figures
from figures.model import Metric


def cmd_chart(args: argparse.Namespace) -> int:
    """`raqib chart METRIC [--place P] [-o FILE.png] [--lang ar|en] [--size WxH]`:
    the chart of a metric's history from the database, written as a PNG."""
    try:
        metric = Metric(args.metric)
    except ValueError:
        known = ", ".join(m.value for m in Metric)
        print(f"raqib chart: unknown metric {args.metric!r} (known: {known})", file=sys.stderr)
        return 2
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
    config = args.config_obj
    db = store.open_db(existing_db(config))  # none: exit 1, and no empty one made
    try:
        rows = store_figures.history(db, metric.value, place)
    finally:
        db.close()
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
    p.add_argument("metric", metavar="METRIC", help="displaced, killed, area_controlled…")
    p.add_argument("--place", metavar="P", help="only this place (id or name)")
    p.add_argument("-o", "--output", metavar="FILE.png", help="default: METRIC[-PLACE].png")
    p.add_argument("--lang", choices=("ar", "en"), default="en", help="label language")
    p.add_argument(
        "--size", metavar="WxH", help=f"pixels (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})"
    )
    p.set_defaults(func=cmd_chart, needs_config=True)
