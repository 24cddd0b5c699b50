"""Slack request signing: verify the `X-Slack-Signature` of an incoming HTTP request.

Slack signs every request it sends to an app's request URL
(https://api.slack.com/authentication/verifying-requests-from-slack):

    basestring = "v0:" + X-Slack-Request-Timestamp + ":" + raw body
    X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing secret, basestring))

A request whose timestamp is more than five minutes away from now (in either
direction) is refused, so that a captured request cannot be replayed later.
Verification never raises: anything malformed is simply not verified.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

log = logging.getLogger(__name__)

VERSION = "v0"
"""The only signature version Slack uses."""
DEFAULT_TOLERANCE = 300
"""Seconds a request timestamp may be away from now (Slack recommends five minutes)."""


def sign(signing_secret: str, timestamp: str | int, body: bytes) -> str:
    """The `X-Slack-Signature` value Slack would send for this timestamp and body."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def verify_slack_signature(
    signing_secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """True when `signature` is Slack's v0 signature of `body` at a fresh `timestamp`."""
    if not signing_secret or not isinstance(body, bytes | bytearray):
        return False
    if not isinstance(timestamp, str) or not timestamp.isascii() or not timestamp.isdigit():
        log.debug("slack signature: malformed timestamp")
        return False
    if not isinstance(signature, str) or not signature.startswith(f"{VERSION}="):
        log.debug("slack signature: missing or unknown version prefix")
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        log.debug("slack signature: timestamp outside the %ss tolerance", tolerance)
        return False
    expected = sign(signing_secret, timestamp, bytes(body))
    try:
        return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))
    except UnicodeEncodeError:
        return False
