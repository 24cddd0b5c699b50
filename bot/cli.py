"""The `raqib` command line: thin wrappers over the services in `bot/`.

Exit codes: 0 success, 1 a command ran but some input failed, 2 bad usage or
bad configuration (nothing was done).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.config import Config, ConfigError, load_config

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def _read_text(path: Path) -> str:
    """A file's text: UTF-8 (with or without BOM), else windows-1256, the
    other encoding Arabic sites use; anything else is an error."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError as exc:
        raise ValueError("not UTF-8 or windows-1256 text") from exc
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


def cmd_not_yet(args: argparse.Namespace) -> int:
    """Placeholder for commands whose issue has not landed."""
    print(f"raqib {args.command}: not yet implemented in this version.", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
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

    p = sub.add_parser("extract", help="print the figures in Arabic text files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object a line per file")
    p.set_defaults(func=cmd_extract, needs_config=False)

    for name, help_text in [("run", "run the scheduled service")]:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(func=cmd_not_yet, needs_config=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `raqib` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "needs_config", False):
        try:
            args.config_obj = load_config(args.config)
        except ConfigError as exc:
            print(f"raqib: configuration error: {exc}", file=sys.stderr)
            return 2
    func: Handler = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130


def config_of(args: argparse.Namespace) -> Config:
    """The validated Config a subcommand was started with."""
    config: Config = args.config_obj
    return config


if __name__ == "__main__":
    sys.exit(main())
