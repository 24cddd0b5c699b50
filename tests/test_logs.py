"""Logging: one line per event, plain or JSON, and no secret ever reaches the output."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from bot.config.logs import MASK, configured_secrets, redact, setup_logging
from bot.config.schema import Config, LoggingConfig, TelegramConfig

TG_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
SLACK_TOKEN = "xoxb-1111-2222-abcdefABCDEF123456"
CUSTOM = "s3cr3t-value-from-env"


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Leave the root logger as it was found."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(name).setLevel(logging.NOTSET)


@pytest.mark.parametrize(
    ("text", "secrets", "gone"),
    [
        (f"GET https://api.telegram.org/bot{TG_TOKEN}/getMe", (), TG_TOKEN),
        (f"token={SLACK_TOKEN}&x=1", (), SLACK_TOKEN),
        ("app xapp-1-A0123-456789-abcdef", (), "xapp-1-A0123-456789-abcdef"),
        (f"password is {CUSTOM}.", (CUSTOM,), CUSTOM),
    ],
    ids=["telegram-token-in-url", "slack-bot-token", "slack-app-token", "configured-secret"],
)
def test_redact_masks(text: str, secrets: tuple[str, ...], gone: str) -> None:
    out = redact(text, secrets)
    assert gone not in out
    assert MASK in out


@pytest.mark.parametrize(
    "text",
    ["polled sohr in 12:30 with 38550 people", "source:seeds next run 2019-02-12T12:00:00"],
    ids=["clock-and-number", "job-id-and-date"],
)
def test_redact_leaves_ordinary_text(text: str) -> None:
    assert redact(text) == text


def emit(config: LoggingConfig, secrets: tuple[str, ...], *args: object) -> str:
    stream = io.StringIO()
    setup_logging(config, secrets, stream)
    logging.getLogger("raqib.test").warning(*args)  # type: ignore[arg-type]
    return stream.getvalue()


def test_plain_line_masks_args_and_keeps_one_line(root_logging: None) -> None:
    out = emit(LoggingConfig(), (CUSTOM,), "sent with %s and %s", CUSTOM, TG_TOKEN)
    assert out.count("\n") == 1
    assert "WARNING" in out and "raqib.test" in out
    assert CUSTOM not in out and TG_TOKEN not in out
    assert out.count(MASK) == 2


def test_json_lines(root_logging: None) -> None:
    out = emit(LoggingConfig(json=True), (), "polled %s: %d articles", "sohr", 3)
    record = json.loads(out)
    assert record["message"] == "polled sohr: 3 articles"
    assert record["level"] == "WARNING"
    assert record["logger"] == "raqib.test"


def test_level_from_config(root_logging: None) -> None:
    stream = io.StringIO()
    setup_logging(LoggingConfig(level="ERROR"), (), stream)
    logging.getLogger("raqib.test").warning("not shown")
    logging.getLogger("raqib.test").error("shown")
    assert stream.getvalue().count("\n") == 1
    assert "shown" in stream.getvalue() and "not shown" not in stream.getvalue()


def test_setup_twice_keeps_one_handler(root_logging: None) -> None:
    before = len(logging.getLogger().handlers)
    setup_logging(LoggingConfig(), (), io.StringIO())
    setup_logging(LoggingConfig(), (), io.StringIO())
    assert len(logging.getLogger().handlers) == before + 1


class _NotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("as_json", [False, True], ids=["plain", "json"])
def test_token_in_httpx_exception_and_request_log_is_masked(
    root_logging: None, as_json: bool
) -> None:
    """A token in a URL reaches neither httpx's own log line nor a logged traceback."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stream = io.StringIO()
    try:
        setup_logging(LoggingConfig(level="DEBUG", json=as_json), (), stream)
        logging.getLogger("httpx").setLevel(logging.INFO)
        url = f"http://127.0.0.1:{server.server_address[1]}/bot{TG_TOKEN}/getMe"
        with httpx.Client() as client:
            response = client.get(url)
            try:
                response.raise_for_status()
            except httpx.HTTPStatusError as exc:
                assert TG_TOKEN in str(exc)  # the danger is real
                logging.getLogger("raqib.delivery").exception("send failed: %s", exc)
    finally:
        server.shutdown()
        server.server_close()
    out = stream.getvalue()
    assert "HTTP Request" in out  # httpx's own line went through the filter
    assert "send failed" in out and "HTTPStatusError" in out
    assert TG_TOKEN not in out
    assert len(out.strip().splitlines()) == 2  # one line per event, tracebacks included


def test_configured_secrets_reads_the_named_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_TG_TOKEN", TG_TOKEN)
    for name in ("RAQIB_SLACK_BOT_TOKEN", "RAQIB_SLACK_APP_TOKEN", "RAQIB_SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    config = Config(telegram=TelegramConfig(token_env="MY_TG_TOKEN"))
    assert configured_secrets(config) == (TG_TOKEN,)
