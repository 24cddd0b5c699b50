"""Secrets in URLs: what a URL looks like once its credentials are masked.

Kept apart from the HTTP client so that everything that shows or logs a URL
(the log filter, chat replies, the status page) masks it without importing
an HTTP stack.
"""

from __future__ import annotations

import re

URL_MASK = "***"
"""What a credential or a secret-looking query value is replaced with."""

SECRET_PARAM_NAMES = frozenset(
    {
        "key",
        "apikey",
        "token",
        "accesstoken",
        "authtoken",
        "apitoken",
        "secret",
        "clientsecret",
        "sig",
        "signature",
        "password",
        "passwd",
        "pwd",
        "pass",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "session",
        "sessionid",
        "sid",
        "jwt",
        "code",
        "xamzsignature",
        "xamzcredential",
        "xamzsecuritytoken",
        "xgoogsignature",
        "xgoogcredential",
    }
)
"""Query parameter names (lowercase, `-`/`_` removed) whose values are secrets."""
SECRET_PARAM_ENDINGS = frozenset({"key", "token", "secret", "signature", "password"})
"""A parameter name whose last part is one of these (`api_key`, `x-access-token`) is a secret."""
_URL_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"'`]+")
_QUERY_PAIR = re.compile(r"([?&;])([^=&;#]*)=([^&;#]*)")


def is_secret_param(name: str) -> bool:
    """True for a query parameter that carries a credential (`apikey`, `X-Amz-Signature`…)."""
    parts = [p for p in re.split(r"[-_.\[\]]", name.lower()) if p]
    return "".join(parts) in SECRET_PARAM_NAMES or bool(parts and parts[-1] in SECRET_PARAM_ENDINGS)


def mask_url(url: str) -> str:
    """`url` safe to show or store as text: `user:password@` and the values of secret-looking
    query parameters (`?apikey=…`, `token=`, `sig=`…) become `***`; the rest is kept as
    written, so the URL stays recognisable.  Works on any text that looks like a URL."""
    head, sep, rest = url.partition("://")
    if not sep:
        return url
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        authority = URL_MASK + "@" + authority.rpartition("@")[2]

    def pair(m: re.Match[str]) -> str:
        if is_secret_param(m.group(2)) and m.group(3):
            return f"{m.group(1)}{m.group(2)}={URL_MASK}"
        return m.group(0)

    path, hash_, fragment = tail.partition("#")
    path = _QUERY_PAIR.sub(pair, path)
    fragment = _QUERY_PAIR.sub(pair, "?" + fragment)[1:] if hash_ else ""
    return f"{head}://{authority}{path}{hash_}{fragment}"


def mask_urls(text: str) -> str:
    """`text` with every URL in it passed through `mask_url` (log lines, error messages)."""
    if "://" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        url = m.group(0)
        kept = url.rstrip(".,:;!?)]}")
        return mask_url(kept) + url[len(kept) :]

    return _URL_IN_TEXT.sub(one, text)
