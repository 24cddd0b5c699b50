"""A wrong chat token stops `raqib run` with one clear line and exit 2, and no output ever holds
a token, its secret half or the Slack signing secret — real `raqib run` processes against the
fake Bot API and the fake Slack API (in threads), logging at DEBUG so every library talks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fakes.slack_api import FakeSlack
from fakes.telegram_api import FakeTelegram
from test_slack_e2e import APP_TOKEN, BOT_TOKEN, SocketSlack

ROOT = Path(__file__).resolve().parent.parent
RAQIB = [sys.executable, "-m", "bot.cli.app"]
WRONG_TG = "424242:AAWrongSecretHalfOfTheTelegramToken0123"
WRONG_BOT = "xoxb-9999-8888-wrongsecretbottokenpart"
WRONG_APP = "xapp-1-A0WRONG-7777-wrongsecretapptokenpart"
SIGNING_SECRET = "5ec2e7-signing-secret-never-shown-0a1b"


def secret_parts(token: str) -> list[str]:
    """The token and the part of it that is the secret (after `id:` or the `xox?-` prefix)."""
    parts = [token]
    if ":" in token:
        parts.append(token.split(":", 1)[1])
    if token.startswith(("xoxb-", "xapp-")):
        parts.append(token.rsplit("-", 1)[1])
    return parts


def write_config(tmp_path: Path, tg: str, slack: str, mode: str = "socket") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
database = "{tmp_path / "raqib.db"}"

[telegram]
api_base_url = "{tg}"

[slack]
mode = "{mode}"
api_base_url = "{slack}"
http_port = 0

[logging]
level = "DEBUG"
""",
        encoding="utf-8",
    )
    return path


def run(path: Path, env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **env}
    for name in ("RAQIB_TELEGRAM_TOKEN", "RAQIB_SLACK_BOT_TOKEN", "RAQIB_SLACK_APP_TOKEN"):
        if name not in env:
            full.pop(name, None)
    return subprocess.run(
        [*RAQIB, "--config", str(path), "run"],
        cwd=path.parent,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_clean(output: str, *secrets: str) -> None:
    for value in secrets:
        for part in secret_parts(value):
            assert part not in output, f"{part!r} in the output:\n{output[-3000:]}"


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"RAQIB_TELEGRAM_TOKEN": WRONG_TG},
            "raqib run: the Telegram token (RAQIB_TELEGRAM_TOKEN) was rejected by the Bot API",
        ),
        (
            {"RAQIB_SLACK_BOT_TOKEN": WRONG_BOT, "RAQIB_SLACK_APP_TOKEN": APP_TOKEN},
            "raqib run: the Slack bot token (RAQIB_SLACK_BOT_TOKEN) was rejected by Slack",
        ),
        (
            {"RAQIB_SLACK_BOT_TOKEN": BOT_TOKEN, "RAQIB_SLACK_APP_TOKEN": WRONG_APP},
            "raqib run: the Slack app-level token (RAQIB_SLACK_APP_TOKEN) was rejected by Slack",
        ),
    ],
    ids=["telegram", "slack-bot", "slack-app"],
)
def test_a_rejected_token_is_one_line_exit_2_and_never_shown(
    tmp_path: Path, env: dict[str, str], line: str
) -> None:
    with FakeTelegram() as tg, SocketSlack() as slack:
        done = run(write_config(tmp_path, tg.base_url, slack.api_base_url), env)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output[-3000:]
    assert done.stderr.rstrip().splitlines()[-1] == line
    assert "Traceback" not in output
    assert_clean(output, *env.values())


def test_the_signing_secret_and_tokens_never_reach_the_output(tmp_path: Path) -> None:
    with FakeTelegram() as tg, FakeSlack() as slack:
        path = write_config(tmp_path, tg.base_url, slack.api_base_url, mode="http")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "RAQIB_TELEGRAM_TOKEN": tg.token,
            "RAQIB_SLACK_BOT_TOKEN": BOT_TOKEN,
            "RAQIB_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        }
        env.pop("RAQIB_SLACK_APP_TOKEN", None)
        proc = subprocess.Popen(
            [*RAQIB, "--config", str(path), "run"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        err: list[str] = []
        assert proc.stderr is not None
        reader = threading.Thread(target=lambda: err.extend(proc.stderr or ()), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 90
            while not any("raqib is running" in x for x in err) and time.monotonic() < deadline:
                assert proc.poll() is None, "".join(err)
                time.sleep(0.1)
            tg.push_command(501, 501, "/start")  # a round trip with the token in every URL
            tg.wait_for_sync(lambda: tg.messages(501), what="the /start reply")
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=60)
            reader.join(10)
        finally:
            if proc.poll() is None:
                proc.kill()
    output = out + "".join(err)
    assert proc.returncode == 0, output[-3000:]
    assert "alerts to  slack, telegram" in output, output[-3000:]
    assert_clean(output, tg.token, BOT_TOKEN, SIGNING_SECRET)
