"""The fake Telegram and Slack servers, proved against the REAL client libraries over HTTP.

If python-telegram-bot or slack_sdk cannot talk to a fake, every delivery test
built on it is worthless; so these tests use only the libraries' public API.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
import telegram
from fakes.slack_api import BOT_TOKEN, FakeSlack, SlackLimits
from fakes.telegram_api import TOKEN, EntityError, FakeTelegram, TelegramLimits, parse_html
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

NO_LIMITS = TelegramLimits(enabled=False)


def bot_for(tg: FakeTelegram, token: str = TOKEN) -> telegram.Bot:
    return telegram.Bot(token, base_url=tg.base_url)


# ---------------------------------------------------------------- Telegram HTML parsing

HTML_OK = [
    ("plain text", "plain text"),
    ("<b>bold</b> and <i>it</i>", "bold and it"),
    ("<b><i>nested</i></b>", "nested"),
    ('<a href="https://example.org/?a=1&amp;b=2">link</a>', "link"),
    ("&lt;b&gt; &amp; &quot; &#1575; &#x627;", '<b> & " ا ا'),
    ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
    ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
    ("<blockquote expandable>quote</blockquote>", "quote"),
    ("نزوح <b>38550</b> شخص", "نزوح 38550 شخص"),
    ("a > b", "a > b"),
]


@pytest.mark.parametrize(("html", "plain"), HTML_OK, ids=[h[:24] for h, _ in HTML_OK])
def test_parse_html_accepts_what_telegram_accepts(html: str, plain: str) -> None:
    assert parse_html(html) == plain


HTML_BAD = [
    ("<b>unclosed", "Can't find end tag"),
    ("<b>x</i>", "Unmatched end tag"),
    ("x</b>", "Unexpected end tag"),
    ("<div>x</div>", 'Unsupported start tag "div"'),
    ("<br/>", "Unsupported start tag"),
    ("1 < 2", "Unsupported start tag"),
    ("AT&T", "not an entity"),
    ("&nbsp;", "not an entity"),
    ('<a href="javascript:alert(1)">x</a>', "Wrong HTTP URL"),
    ('<b class="x">y</b>', "Unsupported attribute"),
    ('<a href="https://a"><a href="https://b">x</a></a>', "Nested links"),
    ('<span class="other">x</span>', "tg-spoiler"),
]


@pytest.mark.parametrize(("html", "error"), HTML_BAD, ids=[h[:24] for h, _ in HTML_BAD])
def test_parse_html_refuses_what_telegram_refuses(html: str, error: str) -> None:
    with pytest.raises(EntityError, match=error):
        parse_html(html)


# ---------------------------------------------------------------- Telegram with the real Bot


async def test_get_me_and_send_message() -> None:
    async with FakeTelegram(limits=NO_LIMITS) as tg, bot_for(tg) as bot:
        me = await bot.get_me()
        assert me.username == "raqib_test_bot" and me.is_bot
        sent = await bot.send_message(42, "<b>38,550</b> &amp; more", parse_mode=ParseMode.HTML)
        assert sent.chat.id == 42 and sent.text == "38,550 & more"
        [record] = tg.messages(42)
        assert record.text == "<b>38,550</b> &amp; more"
        assert record.plain == "38,550 & more"
        assert record.parse_mode == "HTML"
        assert tg.texts() == ["38,550 & more"]


async def test_reply_markup_is_recorded_and_callback_data_limit_enforced() -> None:
    async with FakeTelegram(limits=NO_LIMITS) as tg, bot_for(tg) as bot:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("displaced", callback_data="sub:displaced")]]
        )
        await bot.send_message(5, "choose", reply_markup=keyboard)
        markup = tg.messages(5)[0].reply_markup
        assert markup is not None
        assert markup["inline_keyboard"][0][0]["callback_data"] == "sub:displaced"
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        with pytest.raises(telegram.error.BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(5, "choose", reply_markup=too_long)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>broken", "can't parse entities"),
        ("<script>x</script>", "Unsupported start tag"),
        ("x" * 4097, "message is too long"),
        ("   ", "message text is empty"),
    ],
    ids=["unclosed-tag", "script-tag", "4097-chars", "blank"],
)
async def test_send_message_bad_request(text: str, error: str) -> None:
    async with FakeTelegram(limits=NO_LIMITS) as tg, bot_for(tg) as bot:
        with pytest.raises(telegram.error.BadRequest, match=f"(?i){error}"):
            await bot.send_message(42, text, parse_mode=ParseMode.HTML)
        assert tg.messages() == []
        assert [e.status for e in tg.errors(42)] == [400]


async def test_exactly_4096_chars_is_accepted() -> None:
    async with FakeTelegram(limits=NO_LIMITS) as tg, bot_for(tg) as bot:
        await bot.send_message(42, "<b>" + "ن" * 4096 + "</b>", parse_mode=ParseMode.HTML)
        assert len(tg.texts(42)[0]) == 4096


async def test_wrong_token_is_invalid_token_and_unknown_method_404() -> None:
    async with FakeTelegram(limits=NO_LIMITS) as tg:
        with pytest.raises(telegram.error.InvalidToken):
            await bot_for(tg, "999:wrong").get_me()
        async with bot_for(tg) as bot:
            with pytest.raises(telegram.error.EndPointNotFound, match="noSuchMethod"):
                await bot.do_api_request("noSuchMethod")
            assert tg.errors()[-1].status == 404


async def test_per_chat_limit_gives_retry_after() -> None:
    async with FakeTelegram() as tg, bot_for(tg) as bot:
        await bot.send_message(42, "one")
        with pytest.raises(telegram.error.RetryAfter) as info:
            await bot.send_message(42, "two")
        assert info.value._retry_after.total_seconds() == 1
        await bot.send_message(43, "another chat is fine")
        assert tg.too_many_requests == 1
        assert tg.texts() == ["one", "another chat is fine"]


async def test_group_limit_per_window() -> None:
    limits = TelegramLimits(chat_interval=0.0, group_per_window=3, group_window=30.0)
    async with FakeTelegram(limits=limits) as tg, bot_for(tg) as bot:
        for i in range(3):
            await bot.send_message(-100, f"m{i}")
        with pytest.raises(telegram.error.RetryAfter) as info:
            await bot.send_message(-100, "m3")
        assert 29 <= info.value._retry_after.total_seconds() <= 30
        for i in range(4):  # a private chat has no group limit
            await bot.send_message(7, f"p{i}")
        assert len(tg.texts(-100)) == 3 and len(tg.texts(7)) == 4


async def test_global_limit() -> None:
    limits = TelegramLimits(global_per_second=5, slack=0.0)
    async with FakeTelegram(limits=limits) as tg, bot_for(tg) as bot:
        for chat in range(1, 6):
            await bot.send_message(chat, "x")
        with pytest.raises(telegram.error.RetryAfter):
            await bot.send_message(6, "x")
        assert tg.too_many_requests == 1


async def test_throttle_holds_until_retry_after_passes() -> None:
    async with FakeTelegram(limits=NO_LIMITS) as tg, bot_for(tg) as bot:
        tg.throttle(7, chat_id=42)
        for _ in range(2):  # the scripted one, then an early retry
            with pytest.raises(telegram.error.RetryAfter) as info:
                await bot.send_message(42, "x")
            assert 6 <= info.value._retry_after.total_seconds() <= 7
        await bot.send_message(43, "other chats are not throttled")
        assert tg.too_many_requests == 2


@pytest.mark.parametrize(
    ("setup", "chat", "error", "match"),
    [
        (lambda tg: tg.block(42), 42, telegram.error.Forbidden, "blocked by the user"),
        (lambda tg: tg.block(-42), -42, telegram.error.Forbidden, "kicked"),
        (lambda tg: tg.migrate(-42, -1009999), -42, telegram.error.ChatMigrated, "-1009999"),
        (lambda tg: tg.mark_not_found(42), 42, telegram.error.BadRequest, "chat not found"),
        (lambda tg: tg.fail_next(1, 502), 42, telegram.error.NetworkError, "Bad Gateway"),
    ],
    ids=["blocked", "kicked-from-group", "migrated", "not-found", "network-error"],
)
async def test_chat_states(setup: Any, chat: int, error: type[Exception], match: str) -> None:
    async with FakeTelegram(limits=NO_LIMITS) as tg, bot_for(tg) as bot:
        setup(tg)
        with pytest.raises(error, match=f"(?i){match}") as info:
            await bot.send_message(chat, "x")
        if isinstance(info.value, telegram.error.ChatMigrated):
            assert info.value.new_chat_id == -1009999
        assert tg.messages() == []
        await bot.send_message(1, "others unaffected")
        assert tg.texts(1) == ["others unaffected"]


async def test_commands_photos_actions_and_edits() -> None:
    async with FakeTelegram(limits=NO_LIMITS) as tg, bot_for(tg) as bot:
        await bot.set_my_commands([("subscribe", "Subscribe to alerts")])
        await bot.set_my_commands([("subscribe", "اشترك في التنبيهات")], language_code="ar")
        assert tg.my_commands()[0]["command"] == "subscribe"
        assert tg.my_commands("ar")[0]["description"] == "اشترك في التنبيهات"
        assert [c.command for c in await bot.get_my_commands(language_code="ar")] == ["subscribe"]
        with pytest.raises(telegram.error.BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([("Bad-Command", "x")])

        png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
        message = await bot.send_photo(42, png, caption="<b>chart</b>", parse_mode=ParseMode.HTML)
        assert message.photo and message.caption == "chart"
        [photo] = tg.photos(42)
        assert photo.photo == png and photo.plain == "chart"

        await bot.send_chat_action(42, "upload_photo")
        assert tg.chat_actions == [(42, "upload_photo")]

        sent = await bot.send_message(42, "first")
        edited = await bot.edit_message_text("second", chat_id=42, message_id=sent.message_id)
        assert isinstance(edited, telegram.Message) and edited.text == "second"
        record = tg.messages(42)[-1]
        assert (record.plain, record.edits) == ("second", ["first"])
        with pytest.raises(telegram.error.BadRequest, match="not modified"):
            await bot.edit_message_text("second", chat_id=42, message_id=sent.message_id)


async def test_get_updates_offset_limit_and_long_poll() -> None:
    async with FakeTelegram(limits=NO_LIMITS) as tg, bot_for(tg) as bot:
        ids = [tg.push_command(10, 10, f"/start {i}") for i in range(3)]
        first = await bot.get_updates(limit=2)
        assert [u.update_id for u in first] == ids[:2]
        rest = await bot.get_updates(offset=ids[1] + 1)
        assert [u.update_id for u in rest] == ids[2:]
        assert tg.pending_updates() == 1
        assert await bot.get_updates(offset=ids[2] + 1, timeout=0) == ()
        assert tg.pending_updates() == 0

        async def push_later() -> None:
            await asyncio.sleep(0.2)
            tg.push_command(10, 10, "/help")

        started = time.monotonic()
        pusher = asyncio.create_task(push_later())
        [update] = await bot.get_updates(offset=ids[2] + 1, timeout=5)
        await pusher
        assert time.monotonic() - started < 4
        assert update.message is not None and update.message.text == "/help"
        assert update.message.entities[0].type == "bot_command"


async def test_application_polls_and_answers_a_command() -> None:
    """A real PTB Application, polling the fake, gets /start and its handler replies."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_user is not None
        await context.bot.send_message(
            update.effective_chat.id,
            f"hello {update.effective_user.id}: {' '.join(context.args or [])}",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]]),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("noted")
        await update.callback_query.edit_message_text(f"pressed {update.callback_query.data}")

    async with FakeTelegram() as tg:
        app = Application.builder().token(TOKEN).base_url(tg.base_url).build()
        app.add_handler(CommandHandler("start", start))
        app.add_handler(CallbackQueryHandler(pressed))
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            tg.push_command(-500, 7, "/start deir-ez-zor")
            await tg.wait_for(lambda: tg.texts(-500), what="the /start reply")
            tg.push_callback(-500, 7, "ok")
            await tg.wait_for(lambda: tg.callback_answers, what="the callback answer")
            await tg.wait_for(lambda: tg.texts(-500) == ["pressed ok"], what="the edit")
            await app.updater.stop()
            await app.stop()
        assert tg.webhook_deleted >= 1
        assert tg.callback_answers[0]["text"] == "noted"
        assert tg.messages(-500)[0].edits == ["hello 7: deir-ez-zor"]
        assert tg.pending_updates() == 0


def test_telegram_fake_in_a_thread() -> None:
    """Thread mode: a blocking client (urllib) and the blocking waiter."""
    with FakeTelegram(limits=NO_LIMITS) as tg:
        body = json.dumps({"chat_id": 9, "text": "<i>hi</i>", "parse_mode": "HTML"}).encode()
        request = urllib.request.Request(
            f"{tg.base_url}{TOKEN}/sendMessage", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["result"]["text"] == "hi"
        assert tg.wait_for_sync(lambda: tg.texts(9), what="the message") == ["hi"]
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{tg.url}/bot{TOKEN}/nope", timeout=10)
        assert info.value.code == 404
    assert tg.port  # stopped cleanly


# ---------------------------------------------------------------- Slack with the real AsyncWebClient


def slack_client(slack: FakeSlack, token: str = BOT_TOKEN) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=slack.api_base_url)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


async def test_slack_auth_and_post() -> None:
    async with FakeSlack(limits=SlackLimits(enabled=False)) as slack:
        client = slack_client(slack)
        auth = await client.auth_test()
        assert auth["user_id"] and auth["team_id"]
        blocks = [
            {"type": "header", "text": {"type": "plain_text", "text": "Displaced: 38,550"}},
            section("&lt;!channel&gt; quoted"),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "<https://x.org|x.org>"}]},
        ]
        response = await client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
        assert response["ok"] and response["channel"] == "C1" and response["ts"]
        [message] = slack.messages("C1")
        assert message.text == "fallback" and message.blocks == blocks
        assert "Displaced: 38,550" in message.all_text()
        assert "&lt;!channel&gt; quoted" in message.all_text()
        info = await client.conversations_info(channel="C1")
        assert info["channel"]["id"] == "C1" and not info["channel"]["is_archived"]
        await client.chat_postEphemeral(channel="C1", user="U9", text="only you")
        assert slack.ephemerals[0].user == "U9"


async def test_slack_bad_token() -> None:
    async with FakeSlack() as slack:
        with pytest.raises(SlackApiError) as info:
            await slack_client(slack, "xoxb-wrong").auth_test()
        assert info.value.response["error"] == "invalid_auth"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "t", "blocks": [section("x")] * 51}, "invalid_blocks"),
        ({"text": "t", "blocks": [section("x" * 3001)]}, "invalid_blocks"),
        (
            {
                "text": "t",
                "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            },
            "invalid_blocks",
        ),
        ({"text": "t", "blocks": "[not json"}, "invalid_blocks_format"),
        ({"text": ""}, "no_text"),
        ({"text": "x" * 40001}, "msg_too_long"),
    ],
    ids=["51-blocks", "section-3001", "header-151", "blocks-not-json", "no-text", "text-40001"],
)
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")
async def test_slack_refuses_what_slack_refuses(kwargs: dict[str, Any], error: str) -> None:
    async with FakeSlack(limits=SlackLimits(enabled=False)) as slack:
        with pytest.raises(SlackApiError) as info:
            await slack_client(slack).chat_postMessage(channel="C1", **kwargs)
        assert info.value.response["error"] == error
        assert slack.messages() == []


async def test_slack_limits_at_the_edge_are_accepted() -> None:
    async with FakeSlack(limits=SlackLimits(enabled=False)) as slack:
        await slack_client(slack).chat_postMessage(
            channel="C1", text="t", blocks=[section("x" * 3000)] * 50
        )
        assert len(slack.messages("C1")[0].blocks) == 50


async def test_slack_429_with_retry_after() -> None:
    async with FakeSlack() as slack:
        client = slack_client(slack)
        await client.chat_postMessage(channel="C1", text="one")
        with pytest.raises(SlackApiError) as info:
            await client.chat_postMessage(channel="C1", text="two")
        assert info.value.response.status_code == 429
        assert info.value.response["error"] == "ratelimited"
        assert int(info.value.response.headers["Retry-After"]) == 1
        await client.chat_postMessage(channel="C2", text="other channel")
        slack.throttle(2, channel="C3")
        for _ in range(2):  # scripted, then too early
            with pytest.raises(SlackApiError) as info:
                await client.chat_postMessage(channel="C3", text="x")
            assert info.value.response.headers["Retry-After"] == "2"
        assert slack.too_many_requests == 3
        assert [m.text for m in slack.messages()] == ["one", "other channel"]


@pytest.mark.parametrize(
    ("mark", "error"),
    [
        ("archive", "is_archived"),
        ("mark_not_found", "channel_not_found"),
        ("remove_bot", "not_in_channel"),
    ],
    ids=["archived", "not-found", "not-in-channel"],
)
async def test_slack_channel_states(mark: str, error: str) -> None:
    async with FakeSlack(limits=SlackLimits(enabled=False)) as slack:
        getattr(slack, mark)("C1")
        client = slack_client(slack)
        with pytest.raises(SlackApiError) as info:
            await client.chat_postMessage(channel="C1", text="x")
        assert info.value.response["error"] == error
        await client.chat_postMessage(channel="C2", text="x")
        assert [m.channel for m in slack.messages()] == ["C2"]
        assert [c.error for c in slack.errors("C1")] == [error]


async def test_slack_files_upload_v2() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    async with FakeSlack() as slack:
        response = await slack_client(slack).files_upload_v2(
            channel="C1", content=png, filename="chart.png", title="Chart", initial_comment="hi"
        )
        assert response["file"]["id"]
        [upload] = slack.files.values()
        assert (upload.data, upload.channel, upload.title, upload.completed) == (
            png,
            "C1",
            "Chart",
            True,
        )


async def test_slack_response_url_records_the_body() -> None:
    async with FakeSlack() as slack:
        from slack_sdk.webhook.async_client import AsyncWebhookClient

        url = slack.response_url()
        result = await AsyncWebhookClient(url).send(text="done", response_type="ephemeral")
        assert result.status_code == 200
        assert slack.responses[0].body == {"text": "done", "response_type": "ephemeral"}
        assert url.endswith(slack.responses[0].path)


def test_slack_fake_in_a_thread() -> None:
    with FakeSlack(limits=SlackLimits(enabled=False)) as slack:
        body = json.dumps({"channel": "C5", "text": "hi"}).encode()
        request = urllib.request.Request(
            f"{slack.api_base_url}chat.postMessage",
            body,
            {"Content-Type": "application/json", "Authorization": f"Bearer {BOT_TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["ok"] is True
        assert slack.wait_for_sync(lambda: slack.messages("C5"))[0].text == "hi"


# ---------------------------------------------------------------- the fakes and our pacer agree


async def test_pacer_keeps_the_telegram_fake_happy() -> None:
    """Our pacer with the fake's limits (scaled up so the test is quick): no 429 at all."""
    from bot.delivery.pacing import Limits, Pacer, telegram_is_group

    fake_limits = TelegramLimits(
        global_per_second=40, chat_interval=0.25, group_per_window=3, group_window=0.5
    )
    ours = Limits(chat_interval=0.25, group_limit=3, group_window=0.5, global_rate=40)
    pacer = Pacer(ours, is_group=telegram_is_group)
    chats = [1, 2, 3, -4, 5, 6]
    async with FakeTelegram(limits=fake_limits) as tg, bot_for(tg) as bot:

        async def deliver(chat: int) -> None:
            for i in range(6):
                await pacer.acquire(chat)
                await bot.send_message(chat, f"{chat}:{i}")

        started = time.monotonic()
        await asyncio.gather(*(deliver(c) for c in chats))
        elapsed = time.monotonic() - started
    assert tg.too_many_requests == 0, tg.describe()
    assert len(tg.messages()) == 36
    assert elapsed >= 5 * 0.25  # the per-chat interval was honoured
