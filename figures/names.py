"""Names of the metrics: short labels for alerts in English and Arabic, and
the words a user may type for each (`/subscribe displaced`, `/history قتلى`)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from figures.model import Metric
from figures.text import fold

log = logging.getLogger(__name__)

LANGS = ("en", "ar")
"""The languages a label exists in."""


@dataclass(frozen=True, slots=True)
class MetricName:
    """How one metric is written and typed."""

    en: str
    """Short English label for alerts."""
    ar: str
    """Short Arabic label for alerts."""
    typed: tuple[str, ...] = ()
    """More words a user may type for it (the metric's value, the labels and
    their forms without `ال` are always accepted)."""


METRIC_NAMES: dict[Metric, MetricName] = {
    Metric.DISPLACED: MetricName(
        "Displaced",
        "نازحون",
        (
            "displacement",
            "fled",
            "left",
            "evacuated",
            "idps",
            "idp",
            "نازحين",
            "نازح",
            "نزوح",
            "فارين",
            "الفارون",
            "خارجين",
            "الخارجون",
            "مهجرين",
            "تهجير",
            "فرار",
            "خروج",
        ),
    ),
    Metric.RETURNED: MetricName(
        "Returned",
        "عائدون",
        ("returns", "returnees", "return", "عائدين", "عودة", "العائدين"),
    ),
    Metric.KILLED: MetricName(
        "Killed",
        "قتلى",
        (
            "deaths",
            "dead",
            "death toll",
            "fatalities",
            "قتيل",
            "مقتل",
            "شهداء",
            "ضحايا",
            "وفيات",
            "حصيلة القتلى",
        ),
    ),
    Metric.INJURED: MetricName(
        "Injured",
        "جرحى",
        ("wounded", "injuries", "جريح", "مصابين", "مصابون", "اصابات", "إصابة"),
    ),
    Metric.CASUALTIES: MetricName(
        "Killed and injured",
        "قتلى وجرحى",
        ("casualty", "killed and injured", "killed or injured", "بين قتيل وجريح"),
    ),
    Metric.MISSING: MetricName("Missing", "مفقودون", ("مفقودين", "مفقود", "unaccounted")),
    Metric.DETAINED: MetricName(
        "Detained",
        "معتقلون",
        (
            "arrested",
            "arrests",
            "detainees",
            "abducted",
            "prisoners",
            "معتقلين",
            "اعتقال",
            "موقوفين",
            "محتجزين",
            "مختطفين",
            "أسرى",
        ),
    ),
    Metric.SURRENDERED: MetricName(
        "Surrendered",
        "استسلموا",
        ("surrender", "استسلام", "مستسلمين", "سلموا أنفسهم"),
    ),
    Metric.BESIEGED: MetricName(
        "Besieged",
        "محاصرون",
        ("trapped", "siege", "besieged people", "محاصرين", "عالقين", "عالقون", "حصار"),
    ),
    Metric.AREA_CONTROLLED: MetricName(
        "Area held",
        "المساحة المسيطر عليها",
        ("area", "area held", "territory", "km2", "مساحة", "مساحة السيطرة"),
    ),
    Metric.SHARE_CONTROLLED: MetricName(
        "Share held",
        "نسبة السيطرة",
        ("share", "share held", "percent", "percentage", "نسبة"),
    ),
    Metric.PLACES_CONTROLLED: MetricName(
        "Places held",
        "المناطق المسيطر عليها",
        ("places", "places held", "towns", "villages", "مناطق", "بلدات", "قرى"),
    ),
}
"""Every metric's labels and typed words, in Metric order."""

_SPACE = re.compile(r"[\s_\-]+")


def _key(text: str) -> str:
    """The form two typings of one word share: folded, lowercase, single spaces,
    no leading `ال`, ة for a final ه."""
    words = []
    for word in _SPACE.sub(" ", fold(text)).strip().split(" "):
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        if word.endswith("ه"):
            word = word[:-1] + "ة"
        words.append(word)
    return " ".join(words)


def _table() -> dict[str, Metric]:
    table: dict[str, Metric] = {}
    for metric, name in METRIC_NAMES.items():
        for word in (metric.value, name.en, name.ar, *name.typed):
            key = _key(word)
            old = table.setdefault(key, metric)
            if old is not metric:
                raise ValueError(f"metric word {word!r} names both {old} and {metric}")
    return table


_TYPED = _table()


def metric_name(metric: Metric, lang: str) -> str:
    """The short label of `metric` in `lang` (`en` or `ar`; anything else: English)."""
    name = METRIC_NAMES[metric]
    return name.ar if lang == "ar" else name.en


def lookup_metric(query: str) -> Metric | None:
    """The metric a user typed (`displaced`, `Area-Controlled`, `نازحين`, `القتلى`), or None."""
    return _TYPED.get(_key(query)) if query.strip() else None
