"""Slack request signatures: the known vector from Slack's docs, then every way to fail."""

from __future__ import annotations

import pytest

from bot.slack.signature import sign, verify_slack_signature

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_531_420_618.0
TS = "1531420618"
BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
    b"&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
    b"%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
# The example in https://api.slack.com/authentication/verifying-requests-from-slack
SLACK_DOCS_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_sign_matches_slacks_documented_example() -> None:
    assert sign(SECRET, TS, BODY) == SLACK_DOCS_SIGNATURE


GOOD = sign(SECRET, TS, BODY)

CASES = [
    # (secret, timestamp, body, signature, now, expected)
    (SECRET, TS, BODY, GOOD, NOW, True),
    (SECRET, TS, BODY, GOOD, NOW + 299, True),
    (SECRET, TS, BODY, GOOD, NOW - 299, True),
    (SECRET, TS, BODY + b"&x=1", GOOD, NOW, False),
    ("another-secret", TS, BODY, GOOD, NOW, False),
    (SECRET, TS, BODY, GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), NOW, False),
    (SECRET, TS, BODY, GOOD, NOW + 301, False),
    (SECRET, TS, BODY, GOOD, NOW - 301, False),
    (SECRET, "15314206l8", BODY, GOOD, NOW, False),
    (SECRET, "", BODY, GOOD, NOW, False),
    (SECRET, "-1531420618", BODY, GOOD, NOW, False),
    (SECRET, "１５３１４２０６１８", BODY, GOOD, NOW, False),
    (SECRET, TS, BODY, "v1=" + GOOD[3:], NOW, False),
    (SECRET, TS, BODY, GOOD[3:], NOW, False),
    (SECRET, TS, BODY, "", NOW, False),
    (SECRET, TS, BODY, "v0=ü" + GOOD[4:], NOW, False),
    ("", TS, BODY, GOOD, NOW, False),
    ("   ", TS, BODY, GOOD, NOW, False),
    (SECRET, TS, b"\xff" + BODY, GOOD, NOW, False),
]
IDS = [
    "good",
    "good-just-inside-future-tolerance",
    "good-just-inside-past-tolerance",
    "body-tampered",
    "wrong-secret",
    "one-hex-digit-changed",
    "stale-future",
    "stale-past",
    "malformed-timestamp",
    "empty-timestamp",
    "negative-timestamp",
    "non-ascii-digits-timestamp",
    "wrong-version-prefix",
    "no-version-prefix",
    "empty-signature",
    "non-ascii-signature",
    "empty-secret-never-verifies",
    "blank-secret-never-verifies",
    "body-not-utf8",
]


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "signature", "now", "expected"), CASES, ids=IDS
)
def test_verify(
    secret: str, timestamp: str, body: bytes, signature: str, now: float, expected: bool
) -> None:
    assert verify_slack_signature(secret, timestamp, body, signature, now=now) is expected


def test_the_check_is_slack_sdks_signature_verifier() -> None:
    """Same answers as slack_sdk's own verifier on a good and a stale request."""
    from slack_sdk.signature import Clock, SignatureVerifier

    class At(Clock):
        def __init__(self, t: float) -> None:
            self.t = t

        def now(self) -> float:
            return self.t

    for now in (NOW, NOW + 301):
        theirs = SignatureVerifier(SECRET, clock=At(now)).is_valid(BODY, TS, GOOD)
        assert verify_slack_signature(SECRET, TS, BODY, GOOD, now=now) is theirs


def test_default_now_is_the_clock() -> None:
    import time

    ts = str(int(time.time()))
    assert verify_slack_signature(SECRET, ts, b"a=b", sign(SECRET, ts, b"a=b"))
    assert not verify_slack_signature(SECRET, TS, BODY, GOOD)


@pytest.mark.parametrize(
    "bad",
    [None, 12, b"v0=abc", object()],
    ids=["none", "int", "bytes", "object"],
)
def test_wrong_types_are_false_not_errors(bad: object) -> None:
    assert verify_slack_signature(SECRET, TS, BODY, bad, now=NOW) is False  # type: ignore[arg-type]
    assert verify_slack_signature(SECRET, bad, BODY, GOOD, now=NOW) is False  # type: ignore[arg-type]
