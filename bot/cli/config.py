"""`raqib config show|set|unset`: the effective configuration with where each
value came from, and admin edits made from the command line (stored and
audited like a chat admin's, by `bot.config.settings`); this module is only
the command and its parser."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.config.schema import Config, ConfigError
from bot.config.settings import (
    Editor,
    format_entries,
    parse_value,
    set_setting,
    settings_report,
    unset_setting,
)
from bot.store.db import open_db


def cmd_config(args: argparse.Namespace) -> int:
    """`raqib config show|set KEY VALUE|unset KEY`: the effective configuration and where each
    value came from; edits from the command line are stored and audited like a chat admin's."""
    config: Config = args.config_obj
    action = getattr(args, "config_action", None) or "show"
    path = config.storage.database
    if action == "show":
        db = open_db(path) if path.exists() else None
        source = str(config.path) if config.path else "the embedded default"
        print(f"# effective configuration: {source}, database {path}")
        print(format_entries(settings_report(config, db)))
        return 0
    actor = f"cli:{getpass.getuser()}"
    if action == "set" and args.key.startswith("sources.") and args.key.endswith(".url"):
        import asyncio

        from bot.chat.admin import check_source_url

        try:  # the same address rules as /source add and /config set in a chat
            asyncio.run(check_source_url(str(parse_value(args.value)), config.network))
        except ConfigError as exc:
            print(f"raqib config set: refused: {args.key}: {exc.message}", file=sys.stderr)
            return 2
    db = open_db(path)
    try:
        if action == "set":
            set_setting(db, config, args.key, args.value, by=Editor(actor))
        else:
            unset_setting(db, config, args.key, by=Editor(actor))
    except ConfigError as exc:
        print(f"raqib config {action}: refused: {exc}", file=sys.stderr)
        return 2
    print(f"raqib config {action}: {args.key} done (takes effect without a restart)")
    return 0


def add_config_arguments(p: argparse.ArgumentParser) -> None:
    """Fill in `raqib config show|set|unset`'s parser (the CLI's table names this function)."""
    p.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="TOML config (as before CONFIG)"
    )
    actions = p.add_subparsers(dest="config_action", metavar="ACTION")
    actions.add_parser("show", help="every value and where it came from (default)")
    s = actions.add_parser("set", help="store an admin edit over the file: KEY VALUE")
    s.add_argument("key")
    s.add_argument("value")
    u = actions.add_parser("unset", help="drop an admin edit: KEY")
    u.add_argument("key")
    p.set_defaults(func=cmd_config, needs_config=True)
