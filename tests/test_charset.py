"""The one charset decoder (`scrapers.charset.decode`), used by the HTTP
client, the feed reader and the files source."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from bot.config.schema import SourceConfig
from scrapers import FetchContext, build_source
from scrapers.charset import declared_charset, decode

ARABIC = "نزح آلاف المدنيين من المدينة بعد القصف، وقالت الأمم المتحدة إن العدد ارتفع"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (ARABIC.encode(), None),
        (codecs.BOM_UTF8 + ARABIC.encode(), None),
        (ARABIC.encode("cp1256"), None),
        (ARABIC.encode("cp1256"), "text/html; charset=windows-1256"),
        (b'<meta charset="windows-1256"><p>' + ARABIC.encode("cp1256"), "text/html; charset=utf-8"),
        (b'<meta charset="utf-8"><p>' + ARABIC.encode("cp1256"), None),
        (b'<?xml version="1.0" encoding="windows-1256"?><x>' + ARABIC.encode("cp1256"), None),
        (ARABIC.encode("utf-16"), None),
        (ARABIC.encode("utf-16-be"), None),
        (ARABIC.encode("utf-16-le"), None),
        (ARABIC.encode("utf-32"), None),
        (ARABIC.encode("iso8859-6"), "text/plain; charset=iso-8859-6"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "cp1256-undeclared",
        "cp1256-header",
        "header-utf8-but-meta-cp1256",
        "meta-utf8-but-cp1256",
        "cp1256-xml-declaration",
        "utf16-bom",
        "utf16be-no-bom",
        "utf16le-no-bom",
        "utf32-bom",
        "iso8859-6-header",
    ],
)
def test_decode(data: bytes, content_type: str | None) -> None:
    text = decode(data, content_type)
    assert ARABIC in text
    assert "\ufeff" not in text


def test_binary_is_not_text() -> None:
    with pytest.raises(ValueError, match="not text"):
        decode(bytes(range(256)) * 8, strict=True)
    assert decode(bytes(range(256)) * 8)  # a page is read with replacements


def test_feed_declarations_ignore_html_meta() -> None:
    """A feed's charset is its XML declaration's, never a <meta> in an entry."""
    feed = b'<rss><item><description>&lt;meta charset="cp1256"&gt;<meta charset="koi8-r"/>'
    assert declared_charset(feed, is_html=False) is None
    assert declared_charset(b'<?xml version="1.0" encoding="utf-8"?>' + feed, is_html=False)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.txt", ARABIC.encode("utf-16")),
        ("a.txt", ARABIC.encode("utf-16-le")),
        ("a.html", f"<html><body><p>{ARABIC}</p></body></html>".encode("cp1256")),
        ("a.html", f"<html><body><p>{ARABIC}</p></body></html>".encode("utf-16")),
    ],
    ids=["utf16-text-file", "utf16-text-file-no-bom", "cp1256-html-file", "utf16-html-file"],
)
async def test_files_source_decodes_with_the_same_decoder(
    tmp_path: Path, name: str, data: bytes
) -> None:
    (tmp_path / name).write_bytes(data)
    source = build_source(SourceConfig.of(name="local", kind="files", path=str(tmp_path)))
    result = await source.fetch(FetchContext(client=None))
    assert [ARABIC in a.text for a in result.articles] == [True]
