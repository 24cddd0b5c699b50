"""Telegram: the bot (python-telegram-bot 22): its wiring, command handlers and replies.

`build_application(config, db_path)` holds all the wiring: one thin handler per
command, generated from the command table `bot.chat.table.COMMANDS` (each parses
nothing itself: it hands the message to the command core in `bot.chat.commands` and
renders the `Reply` as HTML), a catch-all for unknown
commands, the inline-keyboard handler, and one error handler that logs with
the traceback and tells the admin chat.

The transport that delivers alerts and runs this bot is `bot.telegram.transport`;
its token comes from the environment variable named by `[telegram] token_env` and
is never logged or put in an error message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram import Message as TelegramMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chat.commands import Commands, command_core
from bot.chat.table import (
    COMMANDS,
    MANAGE_COMMANDS,
    SLOW_COMMANDS,
    CommandContext,
    CommandSpec,
    for_another_bot,
    parse_command,
)
from bot.config.logs import redact
from bot.config.schema import Config, ConfigError, secret
from bot.delivery.pacing import IN_FLIGHT, TELEGRAM_SENDING, PacedLimiter, Pacer, seconds
from bot.render.i18n import norm_lang, t
from bot.render.markup import escape_html, utf16_len
from bot.render.messages import reply_html
from bot.render.reply import Reply
from scrapers.retry import RetryPolicy, retrying

log = logging.getLogger(__name__)

REPLY_RETRIES = RetryPolicy(attempts=3, wait_initial=0.5, wait_max=4.0, jitter=0.25)
"""A command reply is tried again after a 429, however long (the user is waiting)."""
MAX_CAPTION = 1024
"""Longest photo caption Telegram accepts."""
MAX_CALLBACK_BYTES = 64
"""Longest callback data of an inline button, in bytes."""

CHAT_ADMIN_STATUSES = frozenset({"creator", "administrator"})
"""getChatMember statuses of a group's administrators."""
KEYBOARD_OWNERS = 10_000
"""At most this many group keyboards remember who opened them (oldest forgotten first)."""

MESSAGES = filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST
"""Commands are read from messages in chats and groups and from posts in channels."""


# ---------------------------------------------------------------- wiring


def build_application(
    config: Config,
    db_path: Path | str | None = None,
    *,
    token: str | None = None,
    commands: Commands | None = None,
    pacer: Pacer | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot: handlers, error handler and shared state, ready to `initialize`.

    The token is read from `[telegram] token_env` unless given; the command
    core gets its own connection to `db_path` (default `[storage] database`).
    """
    token = token or secret(config.telegram.token_env)
    if not token:
        raise ConfigError(
            "telegram.token_env", f"the environment variable {config.telegram.token_env} is not set"
        )
    pacer = pacer or Pacer.for_telegram(TELEGRAM_SENDING, in_flight=IN_FLIGHT)
    app = (
        Application.builder()
        .token(token)
        .rate_limiter(PacedLimiter(pacer))
        .base_url(config.telegram.api_base_url)
        .base_file_url(config.telegram.api_base_url.removesuffix("bot") + "file/bot")
        .connect_timeout(10)
        .read_timeout(15)
        .write_timeout(30)
        .build()
    )
    commands = command_core(  # a failed command: the admin chat hears of it
        config,
        db_path,
        commands,
        notify_admins=lambda text: notify_admins(app.bot_data, app.bot, config, text),
        secrets=(token,),
    )
    app.bot_data.update(
        commands=commands,
        config=config,
        pacer=pacer,
        secrets=(token,),
    )
    for name, handler in HANDLERS.items():  # a slow one runs beside the others, not before
        block = name not in SLOW_COMMANDS
        app.add_handler(CommandHandler(name, handler, filters=MESSAGES, block=block))
    app.add_handler(MessageHandler(filters.COMMAND & MESSAGES, unknown))
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, plain_text)
    )
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_error_handler(on_error)
    return app


def menu(lang: str) -> list[BotCommand]:
    """The command menu in `lang` (everyone's commands; admin ones are in /help)."""
    return [BotCommand(c.name, c.ar if lang == "ar" else c.en) for c in COMMANDS if not c.admin]


async def register_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """setMyCommands in English (the default) and in Arabic."""
    await app.bot.set_my_commands(menu("en"))
    await app.bot.set_my_commands(menu("ar"), language_code="ar")


# ---------------------------------------------------------------- handlers


CHAT_ACTIONS: Mapping[str, str] = {"chart": "upload_photo"}
"""Commands that show the chat an action while they work (a chart is drawn first)."""

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def handler_for(spec: CommandSpec) -> Handler:
    """The handler of one command of the table: it parses nothing itself, it hands the
    message to the command core (after the command's chat action, if it has one)."""
    action = CHAT_ACTIONS.get(spec.name)

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if action is not None and chat is not None:
            await context.bot.send_chat_action(chat.id, action)
        await answer(update, context)

    handle.__name__ = handle.__qualname__ = f"on_{spec.name}"
    handle.__doc__ = f"{spec.usage}: {spec.en}"
    return handle


async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other /command: a one-line pointer to /help."""
    await answer(update, context)


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain message in a private chat: a one-line hint (groups are left alone)."""
    ctx = await command_context(update, context)
    if ctx is not None:
        await send_reply(context, int(ctx.chat_id), Reply((t("hint", ctx.lang),)))


HANDLERS: Mapping[str, Handler] = {spec.name: handler_for(spec) for spec in COMMANDS}
"""Command name → handler, generated from the one table (`bot.chat.table.COMMANDS`)."""


async def command_context(
    update: Update, context: ContextTypes.DEFAULT_TYPE, line: str = ""
) -> CommandContext | None:
    """Who is asking where, for the command core (None for an update without a chat).

    For a command that changes what a group receives (`MANAGE_COMMANDS`), the group is asked
    whether the sender administers it (getChatMember); everywhere else nobody is asked."""
    chat = update.effective_chat
    if chat is None:
        return None
    config: Config = context.bot_data["config"]
    commands: Commands = context.bot_data["commands"]
    user = update.effective_user
    user_lang = norm_lang(user.language_code if user else None)
    is_admin = user is not None and user.id in config.telegram.admins
    can_manage = True
    if chat.type != "private" and not is_admin and parse_command(line)[0] in MANAGE_COMMANDS:
        can_manage = await administers(update, context)
    return CommandContext(
        transport="telegram",
        chat_id=str(chat.id),
        chat_type=chat.type,
        user_id=str(user.id) if user else "",
        is_admin=is_admin,
        lang=commands.lang_of("telegram", str(chat.id), user_lang),
        can_manage=can_manage,
    )


async def administers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """The sender administers this group or channel: a channel's post (only its admins post),
    an anonymous admin writing as the group, or getChatMember says creator or administrator."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None:
        return False
    if chat.type == "channel":
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id  # an anonymous administrator
    user = update.effective_user
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("telegram: cannot ask chat %s about user %s: %s", chat.id, user.id, exc.message)
        return False
    return member.status in CHAT_ADMIN_STATUSES


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run the message's command line through the core and send the reply."""
    message = update.effective_message
    if message is None or not message.text:
        return
    if for_another_bot(message.text, context.bot.username):
        log.debug("telegram: ignoring a command for another bot")
        return
    ctx = await command_context(update, context, message.text)
    if ctx is None:
        return
    commands: Commands = context.bot_data["commands"]
    reply = await commands.handle(ctx, message.text)
    owner = update.effective_user.id if update.effective_user else None
    await send_reply(context, int(ctx.chat_id), reply, owner=owner)


def _owners(context: ContextTypes.DEFAULT_TYPE) -> dict[tuple[int, int], int]:
    owners: dict[tuple[int, int], int] = context.bot_data.setdefault("keyboard_owners", {})
    return owners


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: run its command line and show the reply in place of the keyboard.

    In a group, a keyboard answers only the person who opened it (others get a short notice
    and nothing runs)."""
    query = update.callback_query
    if query is None:
        return
    ctx = await command_context(update, context, query.data or "")
    lang = ctx.lang if ctx is not None else "en"
    if query.message is not None and ctx is not None:
        owner = _owners(context).get((int(ctx.chat_id), query.message.message_id))
        if owner is not None and owner != query.from_user.id:
            await query.answer(t("keyboard.not_yours", lang), show_alert=True)
            return
    await query.answer()
    if ctx is None or not query.data:
        return
    commands: Commands = context.bot_data["commands"]
    reply = await commands.handle(ctx, query.data)
    chunks = reply_html(reply)
    if query.message is not None and chunks and reply.photo is None:
        markup = keyboard(reply)
        try:
            await query.edit_message_text(
                chunks[0],
                parse_mode=ParseMode.HTML,
                reply_markup=markup if len(chunks) == 1 else None,
            )
        except BadRequest as exc:  # "message is not modified" and the like: send it instead
            log.info("telegram: editing the keyboard message failed: %s", exc.message)
        else:
            for i, chunk in enumerate(chunks[1:], start=2):
                await _paced(context, int(ctx.chat_id), chunk, markup if i == len(chunks) else None)
            return
    await send_reply(context, int(ctx.chat_id), reply, owner=query.from_user.id)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's choices as an inline keyboard (a choice too long for Telegram is left out)."""
    rows = []
    for row in reply.choices:
        buttons = [
            InlineKeyboardButton(c.label[:64], callback_data=c.command)
            for c in row
            if 0 < len(c.command.encode()) <= MAX_CALLBACK_BYTES
        ]
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


async def send_reply(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply, *, owner: int | None = None
) -> None:
    """Send a Reply: a photo with its title as caption, then the text chunks, the keyboard
    under the last one (in a group, remembered as `owner`'s: only they may press it)."""
    chunks = reply_html(reply)
    if reply.photo is not None:
        caption = escape_html(reply.title or "")
        await context.bot.send_photo(
            chat_id,
            reply.photo,
            caption=caption if 0 < utf16_len(caption) <= MAX_CAPTION else None,
            parse_mode=ParseMode.HTML,
        )
        chunks = reply_html(Reply(paragraphs=reply.paragraphs, table=reply.table))
    markup = keyboard(reply)
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        sent = await _paced(context, chat_id, chunk, markup if last else None)
        if last and markup is not None and owner is not None and chat_id < 0 and sent is not None:
            owners = _owners(context)
            owners[(chat_id, sent.message_id)] = owner
            while len(owners) > KEYBOARD_OWNERS:
                owners.pop(next(iter(owners)))


async def _paced(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    html: str,
    markup: InlineKeyboardMarkup | None,
) -> TelegramMessage | None:
    """One reply, tried again after a `RetryAfter` (the limiter has charged the wait to
    whom it is for, and paces each try)."""
    return await retrying(
        lambda: context.bot.send_message(
            chat_id,
            html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        REPLY_RETRIES,
        retryable=lambda exc: isinstance(exc, RetryAfter),
        asked=_asked,
        what=f"a reply to {chat_id}",
    )


def _asked(exc: Exception) -> float | None:
    """The wait a 429 asked for (Telegram's `retry_after`)."""
    return seconds(exc.retry_after) if isinstance(exc, RetryAfter) else None


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failure in a handler with its traceback, and tell the admin chat."""
    error = context.error
    secrets: Sequence[str] = context.bot_data.get("secrets", ())
    log.error("telegram: handling an update failed", exc_info=error)
    if error is None:
        return
    config: Config | None = context.bot_data.get("config")
    if config is None:
        return
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None and not isinstance(error, NetworkError):  # the user hears it failed
        try:
            await context.bot.send_message(chat.id, escape_html(t("error", "en")))
        except TelegramError as exc:
            log.warning("telegram: could not tell chat %s of the error: %s", chat.id, exc.message)
    text = redact(f"{type(error).__name__}: {error}", secrets)[:500]
    await notify_admins(context.bot_data, context.bot, config, t("notice.error", "en", error=text))


async def notify_admins(bot_data: Any, bot: Any, config: Config, text: str) -> None:
    """Tell the admin chat (or else each admin privately); never raises."""
    targets = [config.telegram.admin_chat] if config.telegram.admin_chat else config.telegram.admins
    for chat_id in targets:  # paced by the bot's rate limiter
        try:
            await bot.send_message(chat_id, escape_html(text), parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("telegram: could not tell admin chat %s: %s", chat_id, exc.message)
        except RuntimeError as exc:  # not connected yet
            log.warning("telegram: could not tell admin chat %s: %s", chat_id, exc)
