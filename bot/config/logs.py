"""Logging set-up: one line per event, plain or JSON, and never a secret.

`setup_logging` is called once by a command that runs (never at import).  The
`RedactingFilter` sits on the handler, so every record that reaches the output
is masked — ours, httpx's ("HTTP Request: POST https://api.telegram.org/bot123:AA…"),
APScheduler's, and the text of any exception — whatever logger it came from.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from bot.config.schema import Config, LoggingConfig, secret
from scrapers.urls import mask_urls

log = logging.getLogger(__name__)

MASK = "[redacted]"
"""What a secret is replaced with."""

TOKEN_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\d+:[A-Za-z0-9_-]{30,}"),  # Telegram bot token
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{8,}"),  # Slack bot/user tokens
    re.compile(r"xapp-[A-Za-z0-9-]{8,}"),  # Slack app-level token
)
"""Shapes of tokens masked even when the config did not name them."""

NOISY_LOGGERS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
}
"""Libraries whose per-request or per-run INFO lines are noise in a service log."""

_HANDLER_NAME = "raqib"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret value, every token-shaped string and the credentials
    and secret query parameters of every URL (`scrapers.http.mask_url`) masked."""
    text = mask_urls(text)
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def configured_secrets(config: Config) -> tuple[str, ...]:
    """The values of every secret the config names (read from the environment)."""
    names = (
        config.telegram.token_env,
        config.slack.bot_token_env,
        config.slack.app_token_env,
        config.slack.signing_secret_env,
    )
    return tuple(v for v in (secret(n) for n in names) if v and len(v) >= 6)


class RedactingFilter(logging.Filter):
    """Masks secrets in the message, its arguments, the exception and the stack."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite `record` in place; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what we can, masked
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exception"] = record.exc_text
        if record.stack_info:
            payload["stack"] = record.stack_info
        return json.dumps(payload, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """`time level logger: message`, with a traceback kept on one line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line: newlines in a traceback become ` | `."""
        return super().format(record).replace("\n", " | ")


def setup_logging(
    config: LoggingConfig, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record to `stream` (stderr), one line each, secrets masked.

    Calling it again replaces the handler it installed before (a config reload).
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if config.json else PlainFormatter())
    handler.addFilter(RedactingFilter(secrets))
    root.addHandler(handler)
    root.setLevel(config.level.upper())
    for name, level in NOISY_LOGGERS.items():
        logging.getLogger(name).setLevel(max(level, root.level))
    return handler
