"""The `raqib` command line: thin wrappers over the services in `bot/`.

Exit codes: 0 success, 1 a command ran but some input failed, 2 bad usage or
bad configuration (nothing was done).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import difflib
import importlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config.schema import Config, ConfigError, SourceConfig, load_config

# Each command imports what it needs when it runs (`raqib --help` and
# `raqib extract` never load the store, the service or the chat transports;
# `--help` not even the engine, whose compiled build is imported whole).
if TYPE_CHECKING:
    from sqlite_utils import Database

    from bot.ingest.pipeline import ArticleResult, StoredChange
    from figures.model import Metric
    from scrapers.model import Article

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_CONTROLS = frozenset(chr(c) for c in [*range(32), 127]) - set("\t\n\r\f\v")


def _read_text(path: Path) -> str:
    """A file's text: UTF-8 (with or without BOM), else windows-1256, the
    other encoding Arabic sites use; anything else (UTF-16, a binary file)
    is an error that says what the file is."""
    data = path.read_bytes()
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise ValueError(
                f"{name} text; raqib reads UTF-8 or windows-1256 "
                f"(convert it: iconv -f {name} -t UTF-8)"
            )
    if b"\0" in data:  # UTF-16 (the NULs of ASCII characters), or not text
        codec = "UTF-16LE" if data[1::2].count(0) > data[0::2].count(0) else "UTF-16BE"
        try:
            utf16 = _CONTROLS.isdisjoint(data.decode(codec))
        except UnicodeDecodeError:
            utf16 = False
        if utf16:
            raise ValueError(
                f"{codec} text (without a byte-order mark); raqib reads UTF-8 or "
                f"windows-1256 (convert it: iconv -f {codec} -t UTF-8)"
            )
        raise ValueError("a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError as exc:
        raise ValueError("not UTF-8 or windows-1256 text") from exc
    if not _CONTROLS.isdisjoint(text):
        raise ValueError("not text (control bytes), or not in UTF-8 or windows-1256")
    if not any("\u0600" <= ch <= "\u06ff" for ch in text):
        raise ValueError("not UTF-8 text (and not Arabic in windows-1256)")
    return text


def cmd_extract(args: argparse.Namespace) -> int:
    """Print the figures in each file."""
    from figures import extract

    status = 0
    for name in args.files:
        path = Path(name)
        try:
            text = _read_text(path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            print(f"raqib extract: {name}: {reason}", file=sys.stderr)
            status = 1
            if args.json:  # keep one line per file, in order, for scripts
                print(json.dumps({"path": name, "error": reason, "figures": []}))
            continue
        figures = extract(text)
        if args.json:
            payload = {"path": name, "figures": [f.to_json() for f in figures]}
            print(json.dumps(payload, ensure_ascii=False))
        else:
            _print_table(name, figures)
    return status


def _print_table(name: str, figures: Sequence[object]) -> None:
    from figures import Figure

    print(f"== {name}: {len(figures)} figure(s)")
    for f in figures:
        assert isinstance(f, Figure)
        window = f" {f.window}" if f.window else ""
        value = f"{f.value:g}"
        print(
            f"  {f.metric.value:<17} {value:>10} {f.unit.value:<9} {f.qualifier.value:<9} "
            f"{f.scope.value}{window:<5}  «{f.quote}»"
        )


# ---------------------------------------------------------------- store commands


def format_value(value: float, qualifier: str, vague: bool | int, unit: str) -> str:
    """`more than 38,000`, `about 1 km²`, `thousands (1,000+)`: `bot.render.messages.amount`, the one
    value formatter, in English."""
    from bot.render.messages import amount
    from figures.model import Qualifier, Unit

    return amount(value, Qualifier(qualifier), bool(vague), Unit(unit), "en")


def _day(moment: datetime | str) -> str:
    return (moment if isinstance(moment, str) else moment.isoformat())[:10]


def change_line(stored: StoredChange) -> str:
    """One readable line for a change."""
    from figures.diff import ChangeKind

    c = stored.change
    f, o = c.observation.figure, c.observation
    new = format_value(f.value, f.qualifier.value, f.vague, f.unit.value)
    if c.previous is not None and c.kind is not ChangeKind.EVENT:
        p = c.previous
        old = format_value(p.value, p.qualifier.value, p.vague, p.unit.value)
        verb = {
            ChangeKind.INCREASE: "grew" if c.key.metric.is_territory else "rose",
            ChangeKind.DECREASE: "shrank",
            ChangeKind.CONFLICT: "conflicting report",
        }.get(c.kind, c.kind.value)
        what = f"{verb} from {old} to {new}"
    else:
        what = new
    mute = "" if c.alert else " [no alert]"
    sources = ", ".join(stored.sources)
    return (
        f"{_day(o.published)} {c.kind.value.upper():<8} {c.key.label()}: {what} "
        f"({sources}){mute}  «{f.quote}»"
    )


def _change_json(stored: StoredChange) -> dict[str, Any]:
    from bot.store.db import key_text

    c = stored.change
    return {
        "id": stored.id,
        "kind": c.kind.value,
        "key": key_text(c.key),
        "figure": c.observation.figure.to_json(),
        "previous": None
        if c.previous is None
        else {
            "value": c.previous.value,
            "qualifier": c.previous.qualifier.value,
            "vague": c.previous.vague,
            "as_of": c.previous.as_of.isoformat(),
            "outlet": c.previous.outlet,
        },
        "alert": c.alert,
        "published": c.observation.published.isoformat(),
        "outlet": c.observation.outlet,
        "url": c.observation.url,
        "title": c.observation.title,
        "sources": list(stored.sources),
    }


def _print_results(results: Sequence[ArticleResult], as_json: bool, verbose: bool) -> int:
    count = 0
    for result in results:
        for stored in result.changes:
            if not stored.change.alert and not verbose:
                continue
            count += 1
            if as_json:
                print(json.dumps(_change_json(stored), ensure_ascii=False))
            else:
                print(change_line(stored))
        if verbose and not as_json:
            for note in result.notes:
                f = note.observation.figure
                value = format_value(f.value, f.qualifier.value, f.vague, f.unit.value)
                by = ", ".join(note.state.sources) if note.state else note.observation.outlet
                print(
                    f"{_day(note.observation.published)} {'':<8}   {note.verdict.value}: "
                    f"{note.key.label()}: {value} ({note.observation.outlet}; now {by})"
                )
    return count


class UsageError(Exception):
    """A command-line mistake found past argparse: the command prints it and exits 2."""


def place_arg(value: str | None) -> str | None:
    """The gazetteer id of a place the user typed (an id, or a name in English
    or Arabic); an unknown place is a `UsageError` naming the closest ones."""
    if value is None:
        return None
    from figures import gazetteer

    found = gazetteer.lookup_place(value)
    if found is not None:
        return found
    names: dict[str, str] = {}  # each id and name, lower-cased, to its id
    for entry in gazetteer.all_places():
        for name in (entry.id, entry.name_en, entry.name_ar):
            names.setdefault(name.casefold(), entry.id)
    close = difflib.get_close_matches(value.strip().casefold(), names, n=8, cutoff=0.6)
    ids = list(dict.fromkeys(names[name] for name in close))[:4]
    hint = ""
    if ids:
        shown = []
        for id_ in ids:
            entry = gazetteer.place(id_)
            assert entry is not None
            shown.append(f"{id_} ({entry.name_en}, {entry.name_ar})")
        hint = "; closest: " + ", ".join(shown)
    raise UsageError(f"unknown place {value!r}{hint}")


def existing_db(config: Config) -> Path:
    """The configured database, which a read-only command needs to exist (it
    does not create an empty one wherever it runs)."""
    path = Path(config.storage.database)
    if not path.is_file():
        where = f" (storage.database in {config.path})" if config.path else ""
        raise MissingDatabase(
            f"no database at {path}{where}: nothing has been polled yet; "
            "`raqib once` or `raqib run` fills it, or pass --config"
        )
    return path


class MissingDatabase(Exception):
    """A read-only command found no database: it prints this and exits 1."""


def metric_arg(value: str) -> Metric:
    """The metric the user typed; an unknown one is a `UsageError` listing the known ones."""
    from figures.model import Metric

    try:
        return Metric(value)
    except ValueError:
        known = ", ".join(m.value for m in Metric)
        raise UsageError(f"unknown metric {value!r} (known: {known})") from None


@contextlib.contextmanager
def existing_database(config: Config) -> Iterator[Database]:
    """The configured database opened for a read-only command, closed after; it must
    exist (`existing_db`: none is a `MissingDatabase`, and no empty one is made)."""
    from bot.store.db import open_db

    db = open_db(existing_db(config))
    try:
        yield db
    finally:
        db.close()


def cmd_once(args: argparse.Namespace) -> int:
    """Poll every due source once (concurrently) and print the changes, one
    source after the other in the configuration's order, each as soon as it
    and the sources before it are done."""
    import asyncio

    from bot.ingest.poll import PollResult, poll_due
    from bot.store.db import open_db

    config = config_of(args)
    db = open_db(config.storage.database)
    status = 0
    polled = 0

    def report(poll: PollResult) -> None:
        nonlocal status, polled
        polled += 1
        if poll.error:
            print(f"raqib once: source {poll.source}: {poll.error}", file=sys.stderr)
            status = 1
        elif poll.empty_content:
            print(f"raqib once: source {poll.source}: fetched, no article text", file=sys.stderr)
        for problem in poll.problems:
            print(f"raqib once: source {poll.source}: {problem}", file=sys.stderr)
        _print_results(poll.articles, args.json, args.all)
        sys.stdout.flush()

    try:
        asyncio.run(poll_due(db, config, on_result=report))
    finally:
        db.close()
    if not polled and not args.json:
        print("no source is due")
    return status


def load_replay_articles(path: Path) -> list[Article]:
    """Articles from a directory (files source, with its index.toml) or a feed file."""
    from scrapers.files import FilesSource
    from scrapers.rss import articles_from_feed

    if path.is_dir():
        sc = SourceConfig.of(path.name or "replay", "files", path=str(path))
        return FilesSource(sc).read_all()
    data = path.read_bytes()
    return list(articles_from_feed(data, source=path.stem, base_url=path.resolve().as_uri()))


def cmd_replay(args: argparse.Namespace) -> int:
    """Feed articles in publication order into a fresh database; print the changes."""
    from bot.cli.progress import replay_progress
    from bot.ingest.pipeline import process_articles, rules_from_config
    from bot.store.db import open_db

    config = config_of(args)
    path = Path(args.path)
    if not path.exists():
        print(f"raqib replay: {path}: no such file or directory", file=sys.stderr)
        return 2
    try:
        articles = load_replay_articles(path)
    except (OSError, ValueError) as exc:
        print(f"raqib replay: {path}: {exc}", file=sys.stderr)
        return 1
    if not articles:
        what = "no .txt or .html article with text" if path.is_dir() else "no feed entries"
        print(f"raqib replay: {path}: {what}; nothing to replay", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="raqib-replay-") as tmp:
        db_path = Path(args.db) if args.db else Path(tmp) / "replay.db"
        db = open_db(db_path)
        try:
            results = process_articles(
                db, articles, rules_from_config(config.alerts), shown=replay_progress
            )
        finally:
            db.close()
    shown = _print_results(results, args.json, args.all)
    if not args.json:
        changes = sum(len(r.changes) for r in results)
        print(f"-- {len(articles)} article(s), {changes} change(s), {shown} shown")
    return 0


def cmd_totals(args: argparse.Namespace) -> int:
    """The latest value per key."""
    from bot.store.db import key_from_text
    from bot.store.figures import totals

    place = place_arg(args.place)
    with existing_database(config_of(args)) as db:
        rows = totals(db, place)
    for row in rows:
        sources = json.loads(row["sources"] or "[]")
        if args.json:
            print(json.dumps({**row, "sources": sources}, ensure_ascii=False))
            continue
        label = key_from_text(row["key"]).label()
        value = format_value(row["value"], row["qualifier"], row["vague"], row["unit"])
        print(f"{label:<50} {value:<28} as of {_day(row['as_of'])}  ({', '.join(sources)})")
    if not rows and not args.json:
        print("no figures yet")
    return 0


_MARKS = {
    "conflict": "CONFLICT",
    "corroboration": "corroborates",
    "repeat": "repeat",
    "minor": "minor",
    "older": "OLDER",
}


def cmd_history(args: argparse.Namespace) -> int:
    """Every observation of a metric, in time order."""
    from bot.store.db import key_from_text
    from bot.store.figures import history

    metric = metric_arg(args.metric)
    place = place_arg(args.place)
    with existing_database(config_of(args)) as db:
        rows = history(db, metric.value, place)
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
            continue
        mark = row["change_kind"] or _MARKS.get(row["verdict"] or "", "")
        if row["status"] == "context":
            mark = "context"
        value = format_value(row["value"], row["qualifier"], row["vague"], row["unit"])
        label = key_from_text(row["key"]).label()
        print(
            f"{_day(row['published'])} {mark:<13} {label:<45} {value:<24} "
            f"{row['outlet']}  «{row['quote']}»"
        )
    if not rows and not args.json:
        print(f"no {metric.value} figures yet")
    return 0


def add_metric_argument(p: argparse.ArgumentParser) -> None:
    """`METRIC`, for `metric_arg` (`raqib history`, `raqib chart`)."""
    p.add_argument("metric", metavar="METRIC", help="displaced, killed, area_controlled…")


def add_place_option(p: argparse.ArgumentParser) -> None:
    """`--place P`, for `place_arg`."""
    p.add_argument("--place", metavar="P", help="only this place (id or name)")


def add_json_option(p: argparse.ArgumentParser, per: str = "") -> None:
    """`--json`: one JSON object a line (`per` names what a line is)."""
    p.add_argument("--json", action="store_true", help=f"one JSON object a line{per}")


def add_extract_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE")
    add_json_option(p, " per file")
    p.set_defaults(func=cmd_extract, needs_config=False)


def add_once_arguments(p: argparse.ArgumentParser) -> None:
    add_json_option(p, " per change")
    p.add_argument("--all", action="store_true", help="also changes that do not alert")
    p.set_defaults(func=cmd_once, needs_config=True)


def add_replay_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", metavar="PATH", help="a folder of articles (index.toml) or a feed file")
    p.add_argument("--db", metavar="FILE", help="keep the database here (default: a temp file)")
    add_json_option(p, " per change")
    p.add_argument(
        "--all", action="store_true", help="also silent changes, corroborations and older reports"
    )
    p.set_defaults(func=cmd_replay, needs_config=True)


def add_totals_arguments(p: argparse.ArgumentParser) -> None:
    add_place_option(p)
    add_json_option(p)
    p.set_defaults(func=cmd_totals, needs_config=True)


def add_history_arguments(p: argparse.ArgumentParser) -> None:
    add_metric_argument(p)
    add_place_option(p)
    add_json_option(p)
    p.set_defaults(func=cmd_history, needs_config=True)


@dataclass(frozen=True)
class Command:
    """One subcommand: its one-line help, and the function (`module:name`)
    that adds its arguments and handler to its parser."""

    help: str
    arguments: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Fill in `parser`, the function's module imported now."""
        module, _, name = self.arguments.partition(":")
        getattr(importlib.import_module(module), name)(parser)


COMMANDS: Mapping[str, Command] = {
    "extract": Command(
        "print the figures in Arabic text files", "bot.cli.app:add_extract_arguments"
    ),
    "once": Command(
        "poll every due source once and print the changes", "bot.cli.app:add_once_arguments"
    ),
    "replay": Command(
        "replay a folder or feed of articles into a fresh database",
        "bot.cli.app:add_replay_arguments",
    ),
    "totals": Command("the latest value of every figure", "bot.cli.app:add_totals_arguments"),
    "history": Command(
        "every report of one metric, oldest first", "bot.cli.app:add_history_arguments"
    ),
    "chart": Command("draw a metric's history as a PNG chart", "bot.cli.chart:add_chart_arguments"),
    "run": Command(
        "run the scheduled service (Ctrl-C stops it)", "bot.service.run:add_run_arguments"
    ),
    "status": Command(
        "each source's health, the outbox, the last alert sent",
        "bot.chat.status:add_status_arguments",
    ),
    "config": Command(
        "show the effective configuration, or edit it", "bot.cli.config:add_config_arguments"
    ),
}
"""Every subcommand, in the order `raqib --help` lists them: the one table of them."""


def command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line `argv` (without the program
    name): the first word that is not an option or the value of `--config`."""
    words = iter(argv)
    for word in words:
        if word == "--":
            return next(words, None)
        if word.startswith("-"):
            if "=" not in word and len(word) > 2 and "--config".startswith(word):
                next(words, None)  # --config PATH (argparse takes a prefix too)
            continue
        return word
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every subcommand with its help line, and the
    arguments of `command` (all of them with None) -- only that command's
    module is imported."""
    parser = argparse.ArgumentParser(
        prog="raqib",
        description="Watch Arabic news for figures of war and displacement.",
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="TOML config (default: ./config.toml if present, else the embedded default)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, spec in COMMANDS.items():
        p = sub.add_parser(name, help=spec.help, description=spec.help)
        if command is None or command == name:
            spec.add_arguments(p)
    _config_anywhere(sub)
    return parser


def _config_anywhere(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Let every subcommand (and sub-subcommand) take `--config` after its
    name as well as before it: `raqib totals --config F`."""
    for parser in sub.choices.values():
        with contextlib.suppress(argparse.ArgumentError):  # it declares its own
            parser.add_argument(
                "--config",
                metavar="PATH",
                default=argparse.SUPPRESS,  # absent here: the one before the command holds
                help="TOML config (as before the command)",
            )
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                _config_anywhere(action)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `raqib` console script."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = command_in(argv)
    parser = build_parser(command if command in COMMANDS else "")
    args = parser.parse_args(argv)
    if getattr(args, "needs_config", False):
        try:
            args.config_obj = load_config(args.config)
        except ConfigError as exc:
            print(f"raqib: configuration error: {exc}", file=sys.stderr)
            return 2
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed subcommand's handler: its exit status, a `UsageError` printed and
    2, a `MissingDatabase` printed and 1, Ctrl-C 130, a closed stdout 1."""
    func: Handler = args.func
    try:
        return func(args)
    except UsageError as exc:
        print(f"raqib {args.command}: {exc}", file=sys.stderr)
        return 2
    except MissingDatabase as exc:
        print(f"raqib {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `raqib extract … | head`: the reader went away
        # Point stdout at devnull so that the interpreter's final flush is quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def config_of(args: argparse.Namespace) -> Config:
    """The validated Config a subcommand was started with."""
    config: Config = args.config_obj
    return config


if __name__ == "__main__":
    sys.exit(main())
