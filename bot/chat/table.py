"""The one command table: every chat command's name, usage, example and description
in both languages (`COMMANDS`, from which /help and the Telegram and Slack handlers are
generated), who may run which, who is asking (`CommandContext`), and how a command line
is read (`parse_command`, `addressee`, `for_another_bot`) — no command runs here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.render.i18n import t
from bot.render.reply import Reply

SLOW_COMMANDS = frozenset({"source", "chart"})
"""Commands that may take seconds (a fetch, a DNS look-up, a chart): run concurrently."""


@dataclass(frozen=True)
class CommandContext:
    """Who is asking, where."""

    transport: str
    """telegram or slack."""
    chat_id: str
    """The chat (Telegram chat id, Slack channel id) as text."""
    chat_type: str
    """private, group, supergroup, channel (Telegram); channel, im (Slack)."""
    user_id: str
    """The sender's user id on that transport ('' when unknown, e.g. a channel post)."""
    is_admin: bool
    """The sender is in the transport's `admins`."""
    lang: str
    """The chat's language: ar or en."""
    can_manage: bool = True
    """The sender may change this chat's subscriptions and language: always in a private
    chat; in a group or channel only its administrators (the transport asks the chat)."""

    @property
    def actor(self) -> str:
        """Who, for the audit log: `telegram:123`."""
        return f"{self.transport}:{self.user_id or self.chat_id}"


@dataclass(frozen=True)
class CommandSpec:
    """One command: how it is typed and what it does, in both languages."""

    name: str
    """Without the slash."""
    usage: str
    """`/subscribe [metric…] [place…]`."""
    example: str
    """A command line that works."""
    en: str
    """What it does, in English (also the Telegram menu text)."""
    ar: str
    """What it does, in Arabic."""
    admin: bool = False
    """Only for admins."""


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", "/start", "/start", "What raqib does", "ما الذي يفعله رقيب"),
    CommandSpec("help", "/help", "/help", "Every command, with an example", "كل الأوامر مع أمثلة"),
    CommandSpec(
        "subscribe",
        "/subscribe [metric…] [place…] [digest]",
        "/subscribe displaced deir-ez-zor",
        "Get alerts in this chat (all, or a metric and place)",
        "استقبل التنبيهات هنا (الكل، أو مؤشراً ومكاناً)",
    ),
    CommandSpec(
        "unsubscribe",
        "/unsubscribe [id|all]",
        "/unsubscribe all",
        "Stop a subscription, or all of them",
        "ألغِ اشتراكاً أو كل الاشتراكات",
    ),
    CommandSpec(
        "subscriptions",
        "/subscriptions",
        "/subscriptions",
        "This chat's subscriptions",
        "اشتراكات هذه المحادثة",
    ),
    CommandSpec(
        "latest",
        "/latest [place]",
        "/latest deir-ez-zor",
        "Current totals as a table",
        "الأرقام الحالية في جدول",
    ),
    CommandSpec(
        "history",
        "/history METRIC [place] [since DAY|WINDOW|total]",
        "/history displaced deir-ez-zor",
        "The last reports of a figure, with date and source",
        "آخر التقارير عن مؤشر مع التاريخ والمصدر",
    ),
    CommandSpec(
        "chart",
        "/chart METRIC [place] [since DAY|WINDOW|total]",
        "/chart displaced since 1-12",
        "A chart of a figure over time",
        "رسم بياني لمؤشر عبر الزمن",
    ),
    CommandSpec("sources", "/sources", "/sources", "Each source's health", "حالة كل مصدر"),
    CommandSpec("lang", "/lang ar|en", "/lang ar", "Language of this chat", "لغة هذه المحادثة"),
    CommandSpec(
        "source",
        "/source add NAME KIND URL [interval] | remove|pause|resume|test NAME",
        "/source add sohr rss https://www.syriahr.com/feed/ 15m",
        "Add, remove, pause, resume or dry-run a source",
        "أضف مصدراً أو احذفه أو أوقفه أو استأنفه أو جرّبه",
        admin=True,
    ),
    CommandSpec(
        "config",
        "/config [get KEY | set KEY VALUE | unset KEY]",
        "/config set alerts.event_dedupe 2d",
        "Show or change a setting",
        "اعرض إعداداً أو غيّره",
        admin=True,
    ),
    CommandSpec(
        "threshold",
        "/threshold [METRIC ABSOLUTE [RELATIVE%]]",
        "/threshold displaced 500 5%",
        "Show or set alert thresholds",
        "اعرض عتبات التنبيه أو غيّرها",
        admin=True,
    ),
    CommandSpec("admins", "/admins", "/admins", "Who the admins are", "من هم المشرفون", admin=True),
)
"""Every command, in the order /help lists them."""

SPECS: Mapping[str, CommandSpec] = {c.name: c for c in COMMANDS}
"""Commands by name."""

MANAGE_COMMANDS = frozenset({"subscribe", "unsubscribe", "lang"})
"""Commands that change what a chat receives: in a group or channel only its administrators
(or raqib's admins) may run them."""


class UsageError(Exception):
    """Malformed arguments: the reply is the message (or the command's usage)."""


def usage(name: str, lang: str) -> Reply:
    """The one-line usage reply of command `name`."""
    return Reply((t("usage", lang, usage=SPECS[name].usage),), ok=False)


def parse_command(text: str) -> tuple[str, list[str]]:
    """`/subscribe@raqib_bot displaced  deir-ez-zor` → (`subscribe`, [`displaced`, `deir-ez-zor`])."""
    words = text.strip().split()
    if not words:
        return "", []
    head = words[0].removeprefix("/").split("@", 1)[0].lower()
    return head, words[1:]


def addressee(text: str) -> str | None:
    """The bot a command is addressed to: `/help@other_bot` → `other_bot`; None for `/help`."""
    words = text.strip().split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return None
    _, at, name = words[0].partition("@")
    return name if at else None


def for_another_bot(text: str, username: str | None) -> bool:
    """True when `text` is a command addressed to a bot other than `username` (in a group,
    `/subscribe@other_bot` is that bot's, never ours)."""
    to = addressee(text)
    return to is not None and to.lower() != (username or "").lower()
