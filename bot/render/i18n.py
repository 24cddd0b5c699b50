"""UI strings in English and Arabic, as data.

`t(key, lang, **values)` formats one string; every key exists in both
languages with the same `{placeholders}` (a test holds the table to that).
A new language is a new column here, nothing else.
"""

from __future__ import annotations

import logging
import types
from collections.abc import Iterable, Mapping

log = logging.getLogger(__name__)

LANGS = ("en", "ar")
"""The languages raqib speaks; `en` is the fallback."""


def _table(rows: dict[str, tuple[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return types.MappingProxyType(
        {
            key: types.MappingProxyType(dict(zip(LANGS, texts, strict=True)))
            for key, texts in rows.items()
        }
    )


STRINGS = _table(
    {
        # ---------------------------------------------------------- alerts
        "kind.new": ("New figure", "رقم جديد"),
        "kind.increase": ("Increase", "ارتفاع"),
        "kind.decrease": ("Decrease", "انخفاض"),
        "kind.conflict": ("Conflicting report", "رواية متعارضة"),
        "kind.event": ("Event", "حدث"),
        "alert.in": (" in {place}", " في {place}"),
        "alert.held_by": ("{metric} ({party})", "{metric} ({party})"),
        "alert.since": (" since {date}", " منذ {date}"),
        "alert.window": (" {window}", " {window}"),
        "alert.was": (" (was {value})", " (كان {value})"),
        "alert.was_plain": (" — was {value}", " — كان {value}"),
        "alert.headline": ("{series}: {value}{was}", "{series}: {value}{was}"),
        "alert.article": ("article", "المقال"),
        "alert.also": ("Also reported by: {outlets}", "أوردته أيضاً: {outlets}"),
        "alert.continued": ("(continued)", "(تتمة)"),
        "vague": ("{words} ({value}+)", "{words} ({value}+)"),
        # ---------------------------------------------------------- general replies
        "start": (
            "raqib watches Arabic news about war and displacement and tells this chat when a "
            "figure changes: people displaced, killed, detained, besieged, and ground held.",
            "رقيب يتابع الأخبار العربية عن الحرب والنزوح ويُعلم هذه المحادثة حين يتغيّر رقم: "
            "النازحون والقتلى والمعتقلون والمحاصرون والأرض المسيطر عليها.",
        ),
        "start.next": (
            "Send /subscribe to choose what to hear about, or /help for every command.",
            "أرسل /subscribe لتختار ما تريد متابعته، أو /help لقائمة الأوامر.",
        ),
        "help.title": ("Commands", "الأوامر"),
        "help.admin": ("Admin commands", "أوامر المشرفين"),
        "help.example": ("e.g. {example}", "مثال: {example}"),
        "help.metrics": ("Metrics: {names}", "المؤشرات: {names}"),
        "unknown": (
            "Unknown command {command}. Send /help for the list.",
            "أمر غير معروف {command}. أرسل /help لقائمة الأوامر.",
        ),
        "usage": ("Usage: {usage}", "الاستخدام: {usage}"),
        "error": (
            "Something went wrong with that command; the admins have been told.",
            "حدث خطأ في تنفيذ الأمر، وأُبلغ المشرفون.",
        ),
        "refused": (
            "Only raqib's admins can use {command}.",
            "الأمر {command} متاح لمشرفي رقيب فقط.",
        ),
        "too_slow": (
            "That took too long (over {seconds} s) and was stopped; try again later.",
            "استغرق الأمر أكثر من {seconds} ثانية فأُوقف؛ حاول لاحقاً.",
        ),
        "sources.title": ("Sources ({count}):", "المصادر ({count}):"),
        "sources.none": ("none", "لا شيء"),
        "sources.line": ("{name} ({kind}): {state}", "{name} ({kind}): {state}"),
        "sources.paused": ("paused", "موقوف مؤقتاً"),
        "sources.failing": ("failing ({count} in a row)", "يفشل ({count} مرات متتالية)"),
        "sources.empty": ("no text found", "لا نص"),
        "sources.new": ("not polled yet", "لم يُجلب بعد"),
        "sources.ok": ("ok", "يعمل"),
        "sources.success": ("last success {when}", "آخر نجاح {when}"),
        "sources.next": ("next run {when}", "الجلب التالي {when}"),
        "sources.next_service": ("next run when the service runs", "الجلب التالي عند تشغيل الخدمة"),
        "sources.error": ("last error {when}: {error}", "آخر خطأ {when}: {error}"),
        "sources.outbox": ("Outbox: {count} waiting", "قائمة الإرسال: {count} بالانتظار"),
        "sources.dead": (", {count} given up", "، {count} متروك"),
        "sources.sent": ("Last alert sent: {when}", "آخر تنبيه أُرسل: {when}"),
        "ago.never": ("never", "أبداً"),
        "ago.past": ("{span} ago", "منذ {span}"),
        "ago.future": ("in {span}", "بعد {span}"),
        "unit.d": ("{n}d", "{n} يوم"),
        "unit.h": ("{n}h", "{n} ساعة"),
        "unit.m": ("{n}m", "{n} دقيقة"),
        "unit.s": ("{n}s", "{n} ثانية"),
        "hint": (
            "I answer commands only: send /help for the list, or /subscribe to get alerts.",
            "أجيب عن الأوامر فقط: أرسل /help لقائمة الأوامر، أو /subscribe لتصلك التنبيهات.",
        ),
        "refused.group": (
            "In a group, only its administrators can use {command}.",
            "في المجموعة، الأمر {command} متاح لمشرفيها فقط.",
        ),
        "keyboard.not_yours": (
            "These buttons belong to whoever opened them; send the command yourself.",
            "هذه الأزرار لمن طلبها؛ أرسل الأمر بنفسك.",
        ),
        "no_data": ("No figures recorded yet.", "لم تُسجَّل أي أرقام بعد."),
        # ---------------------------------------------------------- subscriptions
        "sub.choose": (
            "What should this chat hear about? Pick a metric, or everything.",
            "ما الذي تريد متابعته في هذه المحادثة؟ اختر مؤشراً أو كل شيء.",
        ),
        "sub.everything": ("Everything", "كل شيء"),
        "sub.done": ("Subscribed (#{id}): {what}.", "تم الاشتراك (#{id}): {what}."),
        "sub.exists": ("Already subscribed (#{id}): {what}.", "مشترك مسبقاً (#{id}): {what}."),
        "sub.all_changes": ("all changes", "كل التغييرات"),
        "sub.at": ("{metrics} at {places}", "{metrics} في {places}"),
        "sub.unknown_word": (
            "I don't know {word!r} as a metric or a place.",
            "لا أعرف «{word}» مؤشراً أو مكاناً.",
        ),
        "sub.none": (
            "This chat has no subscriptions. Send /subscribe to add one.",
            "لا اشتراكات في هذه المحادثة. أرسل /subscribe لإضافة اشتراك.",
        ),
        "sub.list": ("Subscriptions of this chat:", "اشتراكات هذه المحادثة:"),
        "sub.line": ("#{id}: {what}", "#{id}: {what}"),
        "unsub.choose": ("Which subscription should end?", "أي اشتراك تريد إلغاءه؟"),
        "unsub.done": ("Unsubscribed: {ids}.", "أُلغي الاشتراك: {ids}."),
        "unsub.missing": (
            "This chat has no subscription #{id}.",
            "لا يوجد في هذه المحادثة اشتراك رقم {id}.",
        ),
        # ---------------------------------------------------------- reading
        "latest.title": ("Current totals", "الأرقام الحالية"),
        "latest.title_at": ("Current totals in {place}", "الأرقام الحالية في {place}"),
        "latest.line": ("{figure}: {value} — {source}", "{figure}: {value} — {source}"),
        "latest.source": ("{outlet}, {date}", "{outlet}، {date}"),
        "col.figure": ("Figure", "المؤشر"),
        "col.value": ("Value", "القيمة"),
        "col.date": ("Date", "التاريخ"),
        "col.source": ("Source", "المصدر"),
        "col.change": ("Change", "التغيير"),
        "history.title": (
            "{metric}: the last {count} reports",
            "{metric}: آخر {count} من التقارير",
        ),
        "unknown_place": ("I don't know the place {place!r}.", "لا أعرف المكان «{place}»."),
        "unknown_metric": (
            "I don't know the metric {metric!r}.",
            "لا أعرف المؤشر «{metric}».",
        ),
        "chart.caption": ("{metric}: every report", "{metric}: كل التقارير"),
        "series.others": ("Other series: {choices}", "سلاسل أخرى: {choices}"),
        "series.none": (
            "No series of {metric} matches {wanted}. There are: {choices}",
            "لا سلسلة من {metric} تطابق {wanted}. المتاح: {choices}",
        ),
        "series.bad_since": (
            "I can't read {date!r} as a day: write since 1-12 (day-month) or since 1 Dec.",
            "لا أفهم «{date}» يوماً: اكتب منذ 1-12 (اليوم-الشهر).",
        ),
        "history.background": ("{value} (background)", "{value} (خلفية)"),
        "lang.done": (
            "Alerts and replies in this chat are now in English.",
            "التنبيهات والردود في هذه المحادثة أصبحت بالعربية.",
        ),
        # ---------------------------------------------------------- admin
        "source.added": (
            "Source {name} added ({kind}, every {interval}); it is polled on the next cycle.",
            "أُضيف المصدر {name} ({kind}، كل {interval})، وسيُجلب في الدورة التالية.",
        ),
        "source.removed": ("Source {name} removed.", "حُذف المصدر {name}."),
        "source.paused": ("Source {name} paused.", "أُوقف المصدر {name} مؤقتاً."),
        "source.resumed": ("Source {name} resumed.", "استؤنف المصدر {name}."),
        "source.refused": ("Refused: {reason}", "مرفوض: {reason}"),
        "source.unknown": ("No source called {name}.", "لا يوجد مصدر باسم {name}."),
        "source.test_failed": (
            "Dry run of {name}: the fetch failed: {error}",
            "تجربة {name}: فشل الجلب: {error}",
        ),
        "source.test": (
            "Dry run of {name} (nothing stored): {articles} article(s), {figures} figure(s).",
            "تجربة {name} (دون تخزين): {articles} مقال، {figures} رقم.",
        ),
        "config.none": (
            "No admin edits: the config file's values apply.",
            "لا تعديلات من المشرفين: تسري قيم ملف الإعداد.",
        ),
        "config.edits": ("Admin edits over the config file:", "تعديلات المشرفين على ملف الإعداد:"),
        "config.edit_line": (
            "{key} = {value} (by {by}, {at})",
            "{key} = {value} (من {by}، {at})",
        ),
        "config.value": ("{key} = {value} ({origin})", "{key} = {value} ({origin})"),
        "config.unknown_key": ("No setting called {key}.", "لا إعداد باسم {key}."),
        "config.set": (
            "{key} = {value}: stored, effective now.",
            "{key} = {value}: حُفظ ويسري الآن.",
        ),
        "config.unset": (
            "{key}: admin edit removed; back to {value}.",
            "{key}: أُزيل تعديل المشرف؛ عادت القيمة إلى {value}.",
        ),
        "threshold.title": ("Alert thresholds:", "عتبات التنبيه:"),
        "threshold.line": (
            "{metric}: at least {absolute} and {relative}%",
            "{metric}: {absolute} على الأقل و{relative}٪",
        ),
        "admins.title": ("Admins on {transport}: {ids}", "المشرفون على {transport}: {ids}"),
        "admins.none": ("none configured", "لا أحد"),
        "notice.dead": (
            "raqib: an alert to chat {chat} could not be delivered and was given up: {error}",
            "رقيب: تعذّر إيصال تنبيه إلى المحادثة {chat} وتوقفت المحاولة: {error}",
        ),
        "notice.command": (
            "raqib: the command {command} in chat {chat} (from {actor}) failed: {error}"
            " (the traceback is in the log)",
            "رقيب: فشل الأمر {command} في المحادثة {chat} (من {actor}): {error}"
            " (التفاصيل في السجل)",
        ),
        "notice.source_failing": (
            "raqib: source {name} has failed {count} times in a row: {error}",
            "رقيب: فشل المصدر {name} {count} مرات متتالية: {error}",
        ),
        "notice.source_back": (
            "raqib: source {name} works again (after {count} failed polls).",
            "رقيب: عاد المصدر {name} إلى العمل (بعد {count} محاولات فاشلة).",
        ),
        "notice.error": (
            "raqib: an error while handling an update: {error}",
            "رقيب: خطأ أثناء معالجة تحديث: {error}",
        ),
        # charts (`bot.render.charts`)
        "chart.since": ("since", "منذ"),
        "chart.state": ("state", "الرقم المعتمد"),
        "chart.no_data": ("no reports yet", "لا تقارير بعد"),
        "chart.date": ("date of report", "تاريخ التقرير"),
        "chart.conflicting": ("hollow: conflicting report", "مفرغ: تقرير متعارض"),
        # digests (`bot.delivery.digest`)
        "digest.title": ("Daily digest", "الملخص اليومي"),
        "digest.change": ("{n} change", "عدد التغييرات: {n}"),
        "digest.changes": ("{n} changes", "عدد التغييرات: {n}"),
        "digest.since": ("since {when}", "منذ {when}"),
        "digest.was": ("was {value}", "كان {value}"),
        "digest.first": ("first report", "أول تقرير"),
        "digest.report": ("{n} report", "التقارير: {n}"),
        "digest.reports": ("{n} reports", "التقارير: {n}"),
        "digest.conflicting": ("conflicting report: {value}", "تقرير متعارض: {value}"),
        "digest.events": ("latest of {n} events", "آخر {n} أحداث"),
        "digest.in": ("in {window}", "خلال {window}"),
        "digest.none": ("No changes.", "لا تغييرات."),
        # Slack only (`bot.slack.app`)
        "slack.working": ("Working on it…", "جارٍ العمل على ذلك…"),
        "slack.upload_failed": (
            "I could not post the chart in this channel ({error}): invite me with /invite @raqib.",
            "تعذّر نشر الرسم البياني في هذه القناة ({error}): ادعني إليها بالأمر ‎/invite @raqib.",
        ),
    }
)
"""Every UI string by key, then language."""


_AR_DIGITS = str.maketrans("0123456789,.", "٠١٢٣٤٥٦٧٨٩٬٫")


def localize_digits(text: str, lang: str) -> str:
    """`text` with Arabic-Indic digits and separators in Arabic; unchanged otherwise
    (the one digit conversion: UI strings, alerts, digests and charts)."""
    return text.translate(_AR_DIGITS) if lang == "ar" else text


def t(key: str, lang: str, /, **values: object) -> str:
    """The string `key` in `lang` (English if `lang` is unknown) with `values` filled in;
    in Arabic a number given as a value (an id, a count) is written in Arabic-Indic digits."""
    texts = STRINGS[key]
    if lang == "ar":
        values = {
            k: localize_digits(str(v), lang)
            if isinstance(v, int | float) and not isinstance(v, bool)
            else v
            for k, v in values.items()
        }
    return texts.get(lang, texts["en"]).format(**values)


def join(items: Iterable[str], lang: str) -> str:
    """A list in `lang`: `a, b, c` / `a، b، c` (the Arabic comma)."""
    return ("، " if lang == "ar" else ", ").join(items)


def norm_lang(lang: str | None) -> str:
    """`lang` if raqib speaks it, else English; `ar-EG` → `ar`."""
    code = (lang or "").split("-")[0].lower()
    return code if code in LANGS else "en"
