"""Slack request signing: verify the `X-Slack-Signature` of an incoming HTTP request.

The check itself is slack_sdk's `SignatureVerifier` (HMAC-SHA256 of
`v0:{timestamp}:{body}` with the signing secret, constant-time compare, a
timestamp more than five minutes away from now refused, so that a captured
request cannot be replayed later).  This module only screens what the verifier
would raise on rather than answer False (a timestamp that is not ASCII digits,
a signature that is not `v0=` and ASCII, a body that is not UTF-8, an empty
secret), so that verification never raises: anything malformed is simply not
verified.
"""

from __future__ import annotations

import logging
import time

from slack_sdk.signature import Clock, SignatureVerifier

log = logging.getLogger(__name__)

VERSION = "v0"
"""The only signature version Slack uses."""


class _At(Clock):
    """A clock stopped at `now` (tests), else the real one."""

    def __init__(self, now: float | None) -> None:
        self._now = now

    def now(self) -> float:
        return time.time() if self._now is None else self._now


def sign(signing_secret: str, timestamp: str | int, body: bytes) -> str:
    """The `X-Slack-Signature` value Slack would send for this timestamp and body."""
    signature = SignatureVerifier(signing_secret).generate_signature(
        timestamp=str(timestamp), body=body
    )
    assert signature is not None
    return signature


def verify_slack_signature(
    signing_secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float | None = None,
) -> bool:
    """True when `signature` is Slack's v0 signature of `body` at a fresh `timestamp`."""
    if not isinstance(signing_secret, str) or not signing_secret.strip():
        return False
    if not isinstance(body, bytes | bytearray):
        return False
    if not isinstance(timestamp, str) or not timestamp.isascii() or not timestamp.isdigit():
        log.debug("slack signature: malformed timestamp")
        return False
    if not isinstance(signature, str) or not signature.isascii():
        log.debug("slack signature: not an ASCII signature")
        return False
    if not signature.startswith(f"{VERSION}="):
        log.debug("slack signature: missing or unknown version prefix")
        return False
    try:
        text = bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        log.debug("slack signature: the body is not UTF-8")
        return False
    verifier = SignatureVerifier(signing_secret, clock=_At(now))
    return verifier.is_valid(body=text, timestamp=timestamp, signature=signature)
