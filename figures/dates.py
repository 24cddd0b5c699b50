"""Month names (Levantine, Egyptian/Gulf and Maghreb), ordinal day words and
the day a vague part of a month stands for: enough to turn "منذ مطلع كانون
الأول/ديسمبر" into `--12-01`."""

from __future__ import annotations

from figures.text import fold

_MONTHS_RAW: dict[str, int] = {
    # Levantine / Iraqi (Syriac) names
    "كانون الثاني": 1,
    "شباط": 2,
    "آذار": 3,
    "نيسان": 4,
    "أيار": 5,
    "حزيران": 6,
    "تموز": 7,
    "آب": 8,
    "أيلول": 9,
    "تشرين الأول": 10,
    "تشرين الثاني": 11,
    "كانون الأول": 12,
    # Egyptian / Gulf (from the Latin names)
    "يناير": 1,
    "فبراير": 2,
    "مارس": 3,
    "أبريل": 4,
    "إبريل": 4,
    "ابريل": 4,
    "مايو": 5,
    "يونيو": 6,
    "يونيه": 6,
    "يوليو": 7,
    "يوليه": 7,
    "أغسطس": 8,
    "اغسطس": 8,
    "سبتمبر": 9,
    "أكتوبر": 10,
    "اكتوبر": 10,
    "نوفمبر": 11,
    "ديسمبر": 12,
    "دجنبر": 12,
    # Maghreb (from the French names)
    "جانفي": 1,
    "فيفري": 2,
    "أفريل": 4,
    "ماي": 5,
    "جوان": 6,
    "جويلية": 7,
    "جويلة": 7,
    "أوت": 8,
    "شتنبر": 9,
    "نونبر": 11,
    "يوليوز": 7,
    "جويليه": 7,
    "غشت": 8,
}

MONTHS: dict[str, int] = {" ".join(fold(k).split()): v for k, v in _MONTHS_RAW.items()}
"""Folded month name (one or two words) -> month number."""


def _folded(days: dict[str, int]) -> dict[str, int]:
    """`days` with each word folded (as the text it is looked up in is)."""
    return {fold(k): v for k, v in days.items()}


ORDINAL_DAYS: dict[str, int] = _folded(
    {
        "الأول": 1,
        "أول": 1,
        "الثاني": 2,
        "الثالث": 3,
        "الرابع": 4,
        "الخامس": 5,
        "السادس": 6,
        "السابع": 7,
        "الثامن": 8,
        "التاسع": 9,
        "العاشر": 10,
    }
)
"""Ordinal words used as the day of a month."""

PART_OF_MONTH: dict[str, int] = _folded(
    {
        "مطلع": 1,
        "بداية": 1,
        "بدايه": 1,
        "أوائل": 1,
        "مستهل": 1,
        "غرة": 1,
        "منتصف": 15,
        "أواسط": 15,
        "أواخر": 21,
        "نهاية": 21,
    }
)
"""A part of a month -> the day it stands for (start 01, middle 15)."""


def since(month: int, day: int) -> str:
    """`--MM-DD`, the ISO 8601 date without a year."""
    return f"--{month:02d}-{max(1, min(day, 31)):02d}"
