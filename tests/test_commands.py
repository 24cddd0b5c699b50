"""The command core on a real SQLite file: parsing, subscriptions, reading, admin edits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loopback import LoopbackServer
from loopback import Reply as WebReply
from sqlite_utils import Database
from story import seed_articles

from bot.chat.admin import check_source_url
from bot.chat.commands import Commands
from bot.chat.filters import parse_filter
from bot.chat.table import COMMANDS, CommandContext, UsageError, parse_command
from bot.config.schema import Config, ConfigError, NetworkConfig, StorageConfig
from bot.ingest.pipeline import process_articles, rules_from_config
from bot.render.messages import reply_plain
from bot.store import db as store
from bot.store import figures as store_figures
from bot.store import outbox as store_outbox
from bot.store import sources as store_sources
from figures import gazetteer

CHAT = "42"


def ctx(lang: str = "en", admin: bool = False, chat: str = CHAT) -> CommandContext:
    return CommandContext("telegram", chat, "private", "7", admin, lang)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = store.open_db(tmp_path / "raqib.db")
    yield database
    database.close()


@pytest.fixture
def core(db: Database, tmp_path: Path) -> Commands:
    return Commands(Config(storage=StorageConfig(database=tmp_path / "raqib.db")), db)


def replayed(db: Database, seeds: Path) -> None:
    process_articles(db, seed_articles(seeds), rules_from_config(Config().alerts))


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("/subscribe displaced deir-ez-zor", "subscribe", ["displaced", "deir-ez-zor"]),
        ("/Subscribe@raqib_bot  killed", "subscribe", ["killed"]),
        ("/latest", "latest", []),
        ("  ", "", []),
    ],
    ids=["args", "bot-suffix-and-case", "no-args", "blank"],
)
def test_parse_command(text: str, name: str, args: list[str]) -> None:
    assert parse_command(text) == (name, args)


@pytest.mark.parametrize(
    ("args", "metrics", "places"),
    [
        (["displaced"], ("displaced",), ()),
        (["displaced", "deir-ez-zor"], ("displaced",), ("deir-ez-zor",)),
        (["Deir", "ez-Zor", "killed"], ("killed",), ("deir-ez-zor",)),
        (["نازحين", "دير", "الزور"], ("displaced",), ("deir-ez-zor",)),
        (["القتلى,displaced"], ("killed", "displaced"), ()),
        (["all"], (), ()),
        (["baghuz", "baghuz"], (), ("baghuz",)),
    ],
    ids=["metric", "metric-place", "multiword-place-first", "arabic", "comma", "all", "repeat"],
)
def test_parse_filter(args: list[str], metrics: tuple[str, ...], places: tuple[str, ...]) -> None:
    got = parse_filter(args, "en")
    assert (got.metrics, got.places) == (metrics, places)


def test_parse_filter_names_the_unknown_word() -> None:
    with pytest.raises(UsageError, match="atlantis"):
        parse_filter(["displaced", "atlantis"], "en")


# ---------------------------------------------------------------- subscriptions


async def test_subscribe_is_per_chat_with_filters_and_no_duplicates(
    core: Commands, db: Database
) -> None:
    first = await core.handle(ctx(), "/subscribe displaced deir-ez-zor")
    again = await core.handle(ctx(), "/subscribe deir-ez-zor displaced")
    other = await core.handle(ctx(chat="43"), "/subscribe")
    assert reply_plain(first).startswith("Subscribed (#1): Displaced at Deir ez-Zor")
    assert reply_plain(again).startswith("Already subscribed (#1)")
    assert other.choices and store_outbox.active_subscriptions(db)[0].places == ("deir-ez-zor",)
    assert len(store_outbox.active_subscriptions(db)) == 1
    await core.handle(ctx(chat="43"), "/subscribe killed")
    refused = await core.handle(ctx(chat="43"), "/unsubscribe 1")  # not that chat's
    assert reply_plain(refused) == "This chat has no subscription #1."
    assert not refused.ok and len(store_outbox.active_subscriptions(db)) == 2
    done = await core.handle(ctx(), "/unsubscribe 1")
    assert reply_plain(done) == "Unsubscribed: #1."
    assert [s.chat_id for s in store_outbox.active_subscriptions(db)] == ["43"]


async def test_lang_switches_replies_and_the_chat_alerts(core: Commands, db: Database) -> None:
    await core.handle(ctx(), "/subscribe killed")
    reply = await core.handle(ctx(), "/lang ar")
    assert "بالعربية" in reply_plain(reply)
    assert core.lang_of("telegram", CHAT) == "ar"
    assert [s.lang for s in store_outbox.active_subscriptions(db)] == ["ar"]
    assert core.lang_of("telegram", "999", "ar") == "ar"  # no row: the user's own language


async def test_unsubscribe_with_several_offers_choices(core: Commands) -> None:
    await core.handle(ctx(), "/subscribe killed")
    await core.handle(ctx(), "/subscribe displaced")
    reply = await core.handle(ctx(), "/unsubscribe")
    commands = [c.command for row in reply.choices for c in row]
    assert commands == ["/unsubscribe 1", "/unsubscribe 2", "/unsubscribe all"]
    assert all(len(c.encode()) <= 64 for c in commands)


# ---------------------------------------------------------------- reading


async def test_history_and_latest_read_the_store(
    core: Commands, db: Database, seeds_dir: Path
) -> None:
    replayed(db, seeds_dir)
    history = await core.handle(ctx(), "/history displaced deir-ez-zor")
    assert history.table is not None and history.title is not None
    assert history.title.startswith("Displaced in Deir ez-Zor since 1 Dec: the last")
    rows = [
        r
        for r in store_figures.history(db, "displaced", "deir-ez-zor")
        if r["key"] == "displaced|deir-ez-zor||total||--12-01|person"
    ]
    assert len(history.table.rows) == min(10, len(rows))
    assert history.table.rows[-1][2] == rows[-1]["outlet"]
    found = [
        gazetteer.place(r["place"] or "") for r in store_figures.totals(db) if r["scope"] == "total"
    ]
    places = [p for p in found if p is not None and p.kind != "country"]
    place = places[-1]  # whichever governorate the extractor found last
    latest = await core.handle(ctx("ar"), f"/latest {place.name_ar}")
    assert latest.title == f"الأرقام الحالية في {place.name_ar}"
    lines = latest.paragraphs[0].splitlines()
    assert lines and all(place.name_ar in line for line in lines)


async def test_chart_is_a_png(core: Commands, db: Database, seeds_dir: Path) -> None:
    replayed(db, seeds_dir)
    reply = await core.handle(ctx(), "/chart displaced deir-ez-zor")
    assert reply.photo is not None and reply.photo.startswith(b"\x89PNG")
    assert reply.title is not None
    assert reply.title.startswith("Displaced in Deir ez-Zor since 1 Dec: every report")


async def test_sources_reports_health(core: Commands) -> None:
    reply = await core.handle(ctx(), "/sources")
    assert reply_plain(reply).startswith("Sources (0):")


# ---------------------------------------------------------------- admins


ADMIN_LINES = [
    "/source add feed rss https://8.8.8.8/feed.xml",
    "/source pause feed",
    "/source test feed",
    "/config",
    "/config set alerts.alert_new false",
    "/threshold",
    "/admins",
]


@pytest.mark.parametrize(
    "line", ADMIN_LINES, ids=[line.split()[0] + str(i) for i, line in enumerate(ADMIN_LINES)]
)
async def test_non_admins_are_refused(core: Commands, db: Database, line: str) -> None:
    reply = await core.handle(ctx(), line)
    assert not reply.ok and reply_plain(reply).startswith("Only raqib's admins")
    assert db.execute("select count(*) from audit_log").fetchone()[0] == 0


async def test_admin_edit_calls_on_change_and_is_audited(db: Database, tmp_path: Path) -> None:
    calls: list[int] = []
    core = Commands(Config(), db, on_change=lambda: calls.append(1))
    reply = await core.handle(ctx(admin=True), "/threshold killed 5 10%")
    assert reply.ok, reply_plain(reply)
    assert "Killed: at least 5 and 10%" in reply_plain(reply)
    assert calls == [1]
    audit = list(db.query("select actor, action, detail from audit_log"))
    assert [a["action"] for a in audit] == ["config.set", "config.set"]
    assert {a["actor"] for a in audit} == {"telegram:7"}
    bad = await core.handle(ctx(admin=True), "/threshold killed lots")
    assert not bad.ok and calls == [1]


async def test_config_get(core: Commands) -> None:
    reply = await core.handle(ctx(admin=True), "/config get alerts.event_dedupe")
    assert reply_plain(reply) == "alerts.event_dedupe = 3d (default)"
    reply = await core.handle(ctx(admin=True), "/config get nothing.here")
    assert not reply.ok


async def test_source_test_shows_figures_and_stores_nothing(
    db: Database, tmp_path: Path, seeds_dir: Path
) -> None:
    text = (sorted(seeds_dir.glob("001_*.txt"))[0]).read_text(encoding="utf-8")
    rss = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        "<link>http://127.0.0.1/</link><description>d</description><item><title>x</title>"
        "<link>http://127.0.0.1/a/1</link><pubDate>Tue, 12 Feb 2019 10:00:00 GMT</pubDate>"
        f"<description>{text.replace('&', '&amp;').replace('<', '&lt;')}</description>"
        "</item></channel></rss>"
    ).encode()
    with LoopbackServer() as web:
        web.route("/feed.xml", WebReply(body=rss, headers={"Content-Type": "application/rss+xml"}))
        config = Config(network=NetworkConfig(allow_private_networks=True))
        core = Commands(config, db)
        added = await core.handle(ctx(admin=True), f"/source add feed rss {web.url('/feed.xml')}")
        assert added.ok, reply_plain(added)
        reply = await core.handle(ctx(admin=True), "/source test feed")
    assert reply.ok and reply.table is not None and len(reply.table.rows) >= 3
    assert "1 article(s)" in reply_plain(reply)
    assert {r[0] for r in reply.table.rows} >= {"Displaced"}
    for table in ("articles", "observations", "changes", "outbox"):
        assert db.execute(f"select count(*) from {table}").fetchone()[0] == 0, table


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/feed", "private"),
        ("http://0x7f000001/feed", "private"),
        ("http://[::1]/feed", "private"),
        ("http://10.0.0.5/feed", "private"),
        ("http://169.254.169.254/latest", "private"),
        ("http://localhost/feed", "this machine"),
        ("http://a.localhost/feed", "this machine"),
        ("file:///etc/passwd", "http"),
        ("javascript:alert(1)", "http"),
    ],
    ids=[
        "loopback",
        "hex-loopback",
        "ipv6-loopback",
        "private",
        "metadata",
        "localhost",
        "sub-localhost",
        "file",
        "javascript",
    ],
)
async def test_source_urls_follow_the_ssrf_rules(url: str, reason: str) -> None:
    with pytest.raises(ConfigError, match=reason):
        await check_source_url(url, NetworkConfig())


async def test_public_address_and_private_networks_allowed() -> None:
    await check_source_url("https://8.8.8.8/feed.xml", NetworkConfig())
    await check_source_url("http://127.0.0.1/feed", NetworkConfig(allow_private_networks=True))


# ---------------------------------------------------------------- never silence, never a traceback


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from([c.name for c in COMMANDS] + ["nope", ""]),
    args=st.lists(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()), max_size=4),
    admin=st.booleans(),
)
async def test_any_arguments_get_a_reply(
    core: Commands, name: str, args: list[str], admin: bool
) -> None:
    if name == "source" and args and args[0].lower() in {"add", "test"}:
        args = args[1:]  # never touch the network from a property test
    reply = await core.handle(ctx(admin=admin), f"/{name} " + " ".join(args))
    assert reply.paragraphs or reply.table is not None or reply.title
    assert "Traceback" not in reply_plain(reply)


async def test_a_bare_unsubscribe_asks_even_for_the_only_subscription(
    core: Commands, db: Database
) -> None:
    await core.handle(ctx(), "/subscribe killed")
    reply = await core.handle(ctx(), "/unsubscribe")
    assert reply.paragraphs == ("Which subscription should end?",)
    assert [c.command for row in reply.choices for c in row] == ["/unsubscribe 1"]
    assert [s.id for s in store_outbox.active_subscriptions(db)] == [1]  # nothing deleted
    reply = await core.handle(ctx(), "/unsubscribe 1")
    assert reply.paragraphs == ("Unsubscribed: #1.",)
    assert store_outbox.active_subscriptions(db) == []


# ---------------------------------------------------------------- one schema on every path


def admin_core(db: Database, tmp_path: Path) -> Commands:
    from bot.config.schema import SourceConfig

    feed = SourceConfig.of(name="feed", kind="rss", url="https://8.8.8.8/feed.xml")
    return Commands(
        Config(storage=StorageConfig(database=tmp_path / "raqib.db"), sources=(feed,)), db
    )


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("/threshold displaced -5", "at least 0"),
        ("/threshold displaced 500 150%", "between 0 and 1"),
        ("/threshold displaced 500 -5%", "between 0 and 1"),
        ("/threshold kiled 5", "I don't know the metric 'kiled'"),
        ("/config set alerts.thresholds.displaced.absolute -5", "at least 0"),
        ("/config set alerts.thresholds.displaced.absolute nan", "at least 0"),
        ("/config set alerts.thresholds.displaced.relative 2", "between 0 and 1"),
        ("/config set alerts.thresholds.kiled.absolute 5", "METRIC one of"),
        ("/config set sources.feed.url http://127.0.0.1/feed.xml", "private"),
        ("/config set sources.feed.url http://[::1]/feed.xml", "private"),
        ("/config set sources.feed.interval 10s", "at most once a minute"),
        ("/source add quick rss https://8.8.4.4/feed.xml 5s", "at most once a minute"),
    ],
    ids=[
        "threshold-negative",
        "threshold-share-over-100",
        "threshold-negative-share",
        "threshold-misspelt",
        "config-negative",
        "config-nan",
        "config-share",
        "config-misspelt",
        "url-loopback",
        "url-ipv6-loopback",
        "interval-too-short",
        "source-add-too-short",
    ],
)
async def test_every_chat_path_is_checked_by_the_schema(
    db: Database, tmp_path: Path, line: str, words: str
) -> None:
    core = admin_core(db, tmp_path)
    reply = await core.handle(ctx(admin=True), line)
    text = reply_plain(reply)
    assert not reply.ok and words in text, text
    assert list(db.query("select * from settings")) == []
    assert list(db.query("select * from audit_log")) == []


async def test_durations_show_as_written_and_unset_returns_to_the_file(
    db: Database, tmp_path: Path
) -> None:
    core = admin_core(db, tmp_path)
    text = reply_plain(await core.handle(ctx(admin=True), "/config get alerts.event_dedupe"))
    assert text == "alerts.event_dedupe = 3d (default)"
    text = reply_plain(await core.handle(ctx(admin=True), "/config get sources.feed"))
    assert "sources.feed.interval = 15m (default)" in text
    text = reply_plain(await core.handle(ctx(admin=True), "/config set sources.feed.interval 2m"))
    assert text.startswith("sources.feed.interval = 2m")
    text = reply_plain(await core.handle(ctx(admin=True), "/config set alerts.event_dedupe 172800"))
    assert text.startswith("alerts.event_dedupe = 2d")
    assert core.effective().alerts.event_dedupe == 172800
    text = reply_plain(await core.handle(ctx(admin=True), "/config unset alerts.event_dedupe"))
    assert text == "alerts.event_dedupe: admin edit removed; back to 3d."
    assert core.effective().alerts.event_dedupe == 3 * 86400
    reply = await core.handle(ctx(admin=True), "/config unset alerts.event_dedupe")
    assert not reply.ok and "no admin edit" in reply_plain(reply)
    reply = await core.handle(ctx(), "/config unset sources.feed.interval")  # not an admin
    assert not reply.ok and core.effective().source("feed").interval == 120  # type: ignore[union-attr]


# ---------------------------------------------------------------- the series the user means


@pytest.mark.parametrize(
    ("line", "title", "values"),
    [
        ("/history displaced", "Displaced in Deir ez-Zor since 1 Dec", ["38,550"]),
        ("/history displaced since 1-12", "Displaced in Deir ez-Zor since 1 Dec", ["38,550"]),
        ("/history displaced since 1 Dec", "Displaced in Deir ez-Zor since 1 Dec", ["38,550"]),
        ("/history displaced منذ ١-١٢", "Displaced in Deir ez-Zor since 1 Dec", ["38,550"]),
        ("/history displaced since 19-12", "Displaced in Deir ez-Zor since 19 Dec", ["36,500"]),
        ("/history displaced 48h", "Displaced in Deir ez-Zor in 48 hours", ["1,500"]),
        ("/history displaced total", "Displaced in Deir ez-Zor:", ["1,000+", "15,000"]),
    ],
    ids=["headline", "since-d-m", "since-d-mon", "arabic", "other-since", "window", "total"],
)
async def test_history_shows_the_series_asked_for_or_the_headline(
    core: Commands, db: Database, seeds_dir: Path, line: str, title: str, values: list[str]
) -> None:
    replayed(db, seeds_dir)
    reply = await core.handle(ctx(), line)
    assert reply.title is not None and reply.title.startswith(title), reply.title
    assert reply.table is not None
    shown = " ".join(r[1] for r in reply.table.rows)
    for value in values:
        assert value in shown
    assert "Other series:" in reply.paragraphs[0]


async def test_history_lists_statements_first_and_marks_background_figures(
    core: Commands, db: Database, seeds_dir: Path
) -> None:
    replayed(db, seeds_dir)
    reply = await core.handle(ctx(), "/history displaced since 19-12")
    assert reply.table is not None
    values = [r[1] for r in reply.table.rows]
    assert values == ["more than 36,500", "about 3,480 (background)"]


async def test_chart_draws_the_headline_series_and_takes_a_since_date(
    core: Commands, db: Database, seeds_dir: Path
) -> None:
    replayed(db, seeds_dir)
    reply = await core.handle(ctx(), "/chart displaced")
    assert reply.photo is not None and reply.title is not None
    assert reply.title.startswith("Displaced in Deir ez-Zor since 1 Dec: every report")
    other = await core.handle(ctx(), "/chart displaced since 19-12")
    assert other.title is not None and other.title.startswith(
        "Displaced in Deir ez-Zor since 19 Dec"
    )
    assert other.photo is not None and other.photo != reply.photo
    missing = await core.handle(ctx(), "/chart displaced since 5-5")
    assert not missing.ok and "since 1-12" in reply_plain(missing)
    bad = await core.handle(ctx(), "/chart displaced since someday")
    assert not bad.ok and "since 1-12 (day-month)" in reply_plain(bad)


async def test_latest_is_lines_that_fit_a_phone(
    core: Commands, db: Database, seeds_dir: Path
) -> None:
    replayed(db, seeds_dir)
    reply = await core.handle(ctx(), "/latest")
    assert reply.table is None
    lines = reply.paragraphs[0].splitlines()
    assert "Displaced in Deir ez-Zor since 1 Dec: 38,550 — SOHR, 14 Feb 2019" in lines


# ---------------------------------------------------------------- small things users notice

WESTERN_DIGIT = re.compile(r"[0-9]")


async def test_sources_speak_the_chats_language_and_errors_are_for_admins(
    db: Database, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from bot.config.schema import SourceConfig

    url = "https://feeds.example/rss"
    config = Config(
        storage=StorageConfig(database=tmp_path / "raqib.db"),
        sources=(SourceConfig.of(name="feed", kind="rss", url=url),),
    )
    now = datetime.now(UTC)
    error = "http://10.1.2.3:8080/internal/feed: the server answered 502"
    store_sources.record_poll(db, "feed", now=now, next_due=now, error=error)
    core = Commands(config, db)
    user = reply_plain(await core.handle(ctx("ar"), "/sources"))
    assert user.startswith("المصادر (١):") and "يفشل (١ مرات متتالية)" in user
    assert "10.1.2.3" not in user and "502" not in user and "آخر خطأ" not in user
    admin = reply_plain(await core.handle(ctx("ar", admin=True), "/sources"))
    assert "آخر خطأ" in admin and "10.1.2.3" in admin
    english = reply_plain(await core.handle(ctx("en"), "/sources"))
    assert english.startswith("Sources (1):") and "failing (1 in a row)" in english
    assert "10.1.2.3" not in english


def test_arabic_lists_use_the_arabic_comma() -> None:
    from bot.chat.filters import describe_filter

    text = describe_filter(["displaced", "killed"], ["deir-ez-zor", "hasakah"], "ar")
    assert text.count("، ") == 2 and ", " not in text
    assert ", " in describe_filter(["displaced", "killed"], None, "en")


@pytest.mark.parametrize(
    "line",
    [
        "/subscribe killed",
        "/subscribe displaced hasakah",
        "/subscriptions",
        "/unsubscribe",
        "/unsubscribe 99",
        "/history displaced",
        "/history displaced منذ ١-١٢",
        "/latest",
        "/threshold",
        "/sources",
    ],
)
async def test_no_western_digits_in_arabic_replies(
    db: Database, tmp_path: Path, seeds_dir: Path, line: str
) -> None:
    replayed(db, seeds_dir)
    core = Commands(Config(storage=StorageConfig(database=tmp_path / "raqib.db")), db)
    await core.handle(ctx("ar"), "/subscribe wounded")
    reply = await core.handle(ctx("ar", admin=True), line)
    text = reply_plain(reply) + " ".join(c.label for row in reply.choices for c in row)
    assert not WESTERN_DIGIT.search(text), text


def test_a_vague_previous_value_is_not_bracketed_twice(db: Database, seeds_dir: Path) -> None:
    from bot.render.messages import alert_plain

    replayed(db, seeds_dir)
    ids = [r[0] for r in db.execute("select id from changes order by id").fetchall()]
    texts = []
    for change_id in ids:
        view = store_outbox.change_for_alert(db, change_id)
        if view is not None:
            texts += [alert_plain(view, lang) for lang in ("en", "ar")]
    assert any("— was thousands (1,000+)" in x for x in texts)
    nested = re.compile(r"\([^()]*\([^()]*\)[^()]*\)")
    assert not [x for x in texts if nested.search(x)]
