"""The figure extractor: a table of sentences in the styles of Arabic news
(text -> the figures a careful reader takes from it), the held-out articles in
tests/data/extract_heldout.jsonl scored like the project's scorer, offsets,
and robustness on hostile input."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from figures import Figure, extract

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Want:
    """One expected figure; fields left None are not checked."""

    metric: str
    value: float
    qualifier: str | None = None
    scope: str | None = None
    window: str | None = field(default=None)
    unit: str | None = None
    vague: bool | None = None
    since: str | None = None
    check_window: bool = False


def W(
    metric: str, value: float, qualifier: str | None = None, scope: str | None = None, **kw: object
) -> Want:
    return Want(metric, value, qualifier, scope, **kw)  # type: ignore[arg-type]


CASES: list[tuple[str, str, list[Want]]] = [
    # --- displaced -----------------------------------------------------------------
    (
        "displaced-verb-before",
        "نزح أكثر من 5 آلاف شخص من مدينة الفاشر.",
        [W("displaced", 5000, "more_than")],
    ),
    (
        "displaced-verb-after",
        "أكدت المصادر أن نحو 300 مدني فروا من البلدة ليلا.",
        [W("displaced", 300, "approx")],
    ),
    (
        "displaced-noun-plural",
        "يقيم في المخيم 12 ألف نازح.",
        [W("displaced", 12000, "exact", "total")],
    ),
    ("displaced-participle-def", "وصل عدد النازحين إلى 4500 شخص.", [W("displaced", 4500)]),
    ("displaced-evacuated", "تم إجلاء 120 شخصا من الحي المحاصر.", [W("displaced", 120)]),
    ("displaced-refugees", "عبر 2500 لاجئ الحدود إلى تشاد.", [W("displaced", 2500)]),
    ("displaced-left", "غادر 800 شخص المخيم باتجاه الشمال.", [W("displaced", 800)]),
    (
        "displaced-camp-population",
        "يؤوي مخيم الهول حاليا أكثر من 55 ألف شخص.",
        [W("displaced", 55000, "more_than", "total")],
    ),
    (
        "displaced-households",
        "نزحت 350 عائلة من القرى الحدودية.",
        [W("displaced", 350, unit="household")],
    ),
    ("displaced-arabic-indic", "فرّ ١٥٠٠ شخص من القصف.", [W("displaced", 1500)]),
    ("displaced-persian-digits", "نزح ۲۵۰۰ شخص من المنطقة.", [W("displaced", 2500)]),
    ("displaced-separator", "بلغ عدد النازحين 11,500 شخص.", [W("displaced", 11500)]),
    # --- returned ------------------------------------------------------------------
    ("returned-verb", "عاد 600 نازح إلى قراهم في ريف حماة.", [W("returned", 600)]),
    ("returned-noun", "ارتفع عدد العائدين إلى 3200 شخص.", [W("returned", 3200)]),
    (
        "returned-families",
        "عودة 150 عائلة إلى سنجار ضمن دفعة جديدة.",
        [W("returned", 150, scope="batch", unit="household")],
    ),
    # --- killed --------------------------------------------------------------------
    ("killed-noun-after", "سقط 12 قتيلا في القصف.", [W("killed", 12)]),
    ("killed-maqtal", "أسفرت الغارة عن مقتل 7 مدنيين.", [W("killed", 7, scope="batch")]),
    ("killed-martyrs", "استشهد 25 فلسطينيا في قصف على خان يونس.", [W("killed", 25)]),
    ("killed-met-death", "لقي 9 أشخاص حتفهم في انفجار سيارة مفخخة.", [W("killed", 9)]),
    ("killed-toll-total", "ارتفعت حصيلة الضحايا إلى 320 قتيلا.", [W("killed", 320, scope="total")]),
    ("killed-famine", "توفي 14 شخصا بسبب الجوع في المخيم.", [W("killed", 14)]),
    # --- injured -------------------------------------------------------------------
    ("injured-and-killed", "قتل 5 أشخاص وأصيب 17 آخرون بجروح.", [W("killed", 5), W("injured", 17)]),
    ("injured-noun", "نقل 40 جريحا إلى المستشفى.", [W("injured", 40)]),
    ("injured-poisoned", "سجلت 60 حالة اختناق بعد القصف.", [W("injured", 60)]),
    # --- casualties ----------------------------------------------------------------
    ("casualties-mixed", "سقط 30 شخصا بين قتيل وجريح.", [W("casualties", 30)]),
    ("casualties-martyr-wounded", "خلف القصف 45 بين شهيد وجريح.", [W("casualties", 45)]),
    # --- missing -------------------------------------------------------------------
    ("missing-plural", "لا يزال 200 شخص في عداد المفقودين.", [W("missing", 200, scope="total")]),
    ("missing-noun", "أعلنت السلطات عن 35 مفقودا بعد غرق القارب.", [W("missing", 35)]),
    # --- detained ------------------------------------------------------------------
    ("detained-arrest", "اعتقلت القوات 23 شخصا على الأقل.", [W("detained", 23, "at_least")]),
    ("detained-suspects", "تم توقيف 40 مشتبها بهم.", [W("detained", 40)]),
    ("detained-abducted", "اختطف مسلحون 15 مدنيا على طريق الساحل.", [W("detained", 15)]),
    ("detained-prisoners", "تحتجز السلطات 400 أسير في سجن عوفر.", [W("detained", 400)]),
    # --- surrendered ---------------------------------------------------------------
    ("surrendered-themselves", "سلم 60 مسلحا أنفسهم للقوات الحكومية.", [W("surrendered", 60)]),
    ("surrendered-verb", "استسلم 85 عنصرا من التنظيم.", [W("surrendered", 85)]),
    (
        "surrendered-relative",
        "كانت الشاحنات تحمل ما يقارب 240 شخصا، غالبيتهم أجانب، ممن سلموا أنفسهم.",
        [W("surrendered", 240, "approx")],
    ),
    # --- besieged ------------------------------------------------------------------
    (
        "besieged-participle",
        "لا يزال 1200 مدني محاصرين في الحي.",
        [W("besieged", 1200, scope="total")],
    ),
    ("besieged-trapped", "علق 300 شخص على الحدود.", [W("besieged", 300)]),
    ("besieged-rubble", "ما زال 40 شخصا تحت الأنقاض.", [W("besieged", 40)]),
    (
        "besieged-hostages",
        "يحتجز التنظيم آلاف الرهائن المدنيين.",
        [W("besieged", 1000, vague=True)],
    ),
    # --- territory -----------------------------------------------------------------
    ("area-km2", "تسيطر الفصائل على 120 كيلومترا مربعا.", [W("area_controlled", 120, unit="km2")]),
    (
        "area-klm-abbrev",
        "تقلصت سيطرة التنظيم إلى أقل من 2 كلم مربع.",
        [W("area_controlled", 2, "less_than")],
    ),
    ("area-km2-glued", "سيطرت القوات على مساحة 35 كم2.", [W("area_controlled", 35)]),
    (
        "area-square-metres",
        "باتت المساحة التي يسيطر عليها 700 متر مربع.",
        [W("area_controlled", 0.0007)],
    ),
    (
        "area-hectare",
        "استولى المستوطنون على 250 هكتارا من أراضي القرية.",
        [W("area_controlled", 2.5)],
    ),
    ("area-dunam", "صادرت السلطات 500 دونم في الضفة.", [W("area_controlled", 0.5)]),
    (
        "area-bare-km",
        "يتحصن المسلحون في مساحة تبلغ حوالي كيلومتر واحد مربع.",
        [W("area_controlled", 1, "approx")],
    ),
    (
        "area-linear-with-control",
        "حوصر التنظيم في آخر 4 كلم يسيطر عليها.",
        [W("area_controlled", 4)],
    ),
    (
        "area-vague-dunams",
        "استولت القوات على آلاف الدونمات.",
        [W("area_controlled", 1, vague=True)],
    ),
    (
        "share-percent",
        "تسيطر قوات النظام على أكثر من 95% من مساحة المدينة.",
        [W("share_controlled", 95, "more_than", unit="percent")],
    ),
    (
        "share-percent-words",
        "باتت الحكومة تسيطر على 60 في المئة من أراضي البلاد.",
        [W("share_controlled", 60)],
    ),
    (
        "places-villages",
        "سيطرت القوات على 93 قرية وبلدة.",
        [W("places_controlled", 93, unit="place")],
    ),
    (
        "places-vague",
        "استعاد الجيش السيطرة على عشرات البلدات.",
        [W("places_controlled", 10, vague=True)],
    ),
    # --- qualifiers ----------------------------------------------------------------
    ("qual-more-than-yazid", "نزح ما يزيد على 3000 شخص.", [W("displaced", 3000, "more_than")]),
    ("qual-exceeds", "قتل ما يفوق 200 شخص في المعارك.", [W("killed", 200, "more_than")]),
    ("qual-approx-hawali", "فر حوالي 700 شخص.", [W("displaced", 700, "approx")]),
    ("qual-approx-qurabat", "اعتقل قرابة 90 شخصا.", [W("detained", 90, "approx")]),
    ("qual-approx-zuhaa", "نزح زهاء 6 آلاف شخص.", [W("displaced", 6000, "approx")]),
    ("qual-approx-after", "قتل 50 شخصا تقريبا.", [W("killed", 50, "approx")]),
    ("qual-at-least-after", "أصيب 500 شخص على الأقل.", [W("injured", 500, "at_least")]),
    ("qual-at-least-before", "قتل ما لا يقل عن 30 مدنيا.", [W("killed", 30, "at_least")]),
    (
        "qual-at-least-and-up",
        "عدد المقاتلين المتحصنين ألف وما فوق.",
        [W("besieged", 1000, "at_least")],
    ),
    (
        "qual-approx-then-at-least",
        "غادر نحو 1500 شخص على الأقل.",
        [W("displaced", 1500, "at_least")],
    ),
    ("qual-less-than", "اعتقل أقل من 20 شخصا.", [W("detained", 20, "less_than")]),
    (
        "qual-at-most",
        "جيب لا يتعدى 2 كلم مربع تحت سيطرة التنظيم.",
        [W("area_controlled", 2, "at_most")],
    ),
    (
        "qual-vague-exact",
        "نزح مئات المدنيين من القرية.",
        [W("displaced", 100, "exact", vague=True)],
    ),
    (
        "qual-vague-hedged",
        "نزح أكثر من عشرات الآلاف من السكان.",
        [W("displaced", 10000, "more_than", vague=True)],
    ),
    # --- scope and window ----------------------------------------------------------
    (
        "window-24h",
        "قتل 15 شخصا خلال 24 ساعة.",
        [W("killed", 15, scope="window", window="24h", check_window=True)],
    ),
    (
        "window-48h-def",
        "خرج 1500 شخص خلال الـ 48 ساعة الأخيرة.",
        [W("displaced", 1500, scope="window", window="48h", check_window=True)],
    ),
    (
        "window-hours-after",
        "نزح 900 شخص خلال الساعات الـ48 الأخيرة.",
        [W("displaced", 900, scope="window", window="48h", check_window=True)],
    ),
    (
        "window-two-days",
        "فر 2000 شخص خلال اليومين الماضيين.",
        [W("displaced", 2000, scope="window", window="2d", check_window=True)],
    ),
    (
        "window-two-weeks",
        "شهد الأسبوعان الماضيان فرار أكثر من 11500 شخص.",
        [W("displaced", 11500, scope="window", window="2w", check_window=True)],
    ),
    (
        "window-one-week",
        "اعتقل 70 شخصا خلال الأسبوع الماضي.",
        [W("detained", 70, scope="window", window="1w", check_window=True)],
    ),
    (
        "window-unstated",
        "وصل 400 نازح خلال الساعات الماضية.",
        [W("displaced", 400, scope="window", window=None, check_window=True)],
    ),
    (
        "window-number-word",
        "نزح 30 ألف شخص خلال الأيام الثلاثة الماضية.",
        [W("displaced", 30000, scope="window", window="3d", check_window=True)],
    ),
    (
        "total-rising-toll-of-an-attack",
        "ارتفعت حصيلة ضحايا الهجوم الكيميائي إلى 87 قتيلا بينهم 31 طفلا.",
        [W("killed", 87, scope="total"), W("killed", 31, scope="total")],
    ),
    (
        "total-estimated-count",
        "ويقدر عدد المختفين قسرا بنحو 100 ألف شخص.",
        [W("missing", 100000, "approx", scope="total")],
    ),
    (
        "total-count-exceeds",
        "وتجاوز عدد المفقودين 1500 شخص بعد مرور أسبوع على الزلزال.",
        [W("missing", 1500, "more_than", scope="total")],
    ),
    (
        "count-exceeds-in-a-window",
        "تجاوز عدد القتلى 40 خلال 24 ساعة.",
        [W("killed", 40, "more_than", scope="window", window="24h", check_window=True)],
    ),
    (
        "split-phrase-hedged-number",
        "سلم نحو 400 مسلح أنفسهم مع أسلحتهم الخفيفة.",
        [W("surrendered", 400, "approx")],
    ),
    (
        "coordinated-of-a-group",
        "وأسفرت المعارك عن سقوط 8 قتلى من قوات النظام و5 من الفصائل.",
        [W("killed", 8), W("killed", 5)],
    ),
    (
        "of-the-militias-are-people",
        "قتل 4 من عناصر الشرطة و3 من الميليشيات الموالية.",
        [W("killed", 4), W("killed", 3)],
    ),
    (
        "window-day-range-and",
        "نزح أكثر من 5000 شخص بين 1 و15 كانون الأول من المدينة.",
        [W("displaced", 5000, "more_than", scope="window", window="15d", check_window=True)],
    ),
    (
        "window-day-range-to",
        "قتل 120 مدنيا في الفترة من 10 إلى 20 يناير.",
        [W("killed", 120, scope="window", window="11d", check_window=True)],
    ),
    (
        "window-day-range-dash-month-word",
        "اعتقلت القوات 45 شخصا بين 3-4 من شهر مارس.",
        [W("detained", 45, scope="window", window="2d", check_window=True)],
    ),
    (
        "window-day-range-two-word-month",
        "قتل 5 أشخاص في 3 و4 تشرين الثاني بقصف على البلدة.",
        [W("killed", 5, scope="window", window="2d", check_window=True)],
    ),
    (
        "window-day-range-until",
        "نزح نحو 900 شخص من 10 حتى 14 آب.",
        [W("displaced", 900, "approx", scope="window", window="5d", check_window=True)],
    ),
    (
        "window-date-range-across-months",
        "فر أكثر من 7 آلاف شخص في الفترة من 10 يناير إلى 5 فبراير.",
        [W("displaced", 7000, "more_than", scope="window", window="27d", check_window=True)],
    ),
    (
        "window-date-range-across-months-between",
        "وثقت المنظمة اعتقال 230 شخصا بين 20 أيار و3 حزيران.",
        [W("detained", 230, scope="window", window="15d", check_window=True)],
    ),
    (
        "window-date-range-across-the-new-year-month-pairs",
        "قتل 64 مدنيا خلال الفترة الممتدة من 25 كانون الأول/ديسمبر حتى 3 كانون الثاني/يناير.",
        [W("killed", 64, scope="window", window="10d", check_window=True)],
    ),
    (
        "window-date-range-with-years",
        "عاد 1200 نازح إلى قراهم بين 28 شباط 2019 و2 آذار 2019.",
        [W("returned", 1200, scope="window", window="3d", check_window=True)],
    ),
    (
        "window-month-range-pairs",
        "قتل 96 شخصا وأصيب 210 آخرون في أعمال عنف بين كانون الثاني/يناير وآذار/مارس.",
        [
            W("killed", 96, scope="window", window="3m", check_window=True),
            W("injured", 210, scope="window", window="3m", check_window=True),
        ],
    ),
    (
        "window-month-range-to-an-ambiguous-month",
        "سجلت المفوضية عودة 4500 لاجئ من يناير إلى مارس.",
        [W("returned", 4500, scope="window", window="3m", check_window=True)],
    ),
    (
        "window-month-range-across-the-new-year",
        "نزح نحو 20 ألف شخص خلال الفترة من تشرين الثاني حتى شباط.",
        [W("displaced", 20000, "approx", scope="window", window="4m", check_window=True)],
    ),
    (
        "a-month-after-from-is-no-range",
        "نزح 5000 شخص من يناير الماضي بسبب المعارك.",
        [W("displaced", 5000)],
    ),
    (
        "window-the-same-period-points-back",
        "قتل 240 شخصا بين كانون الثاني/يناير وآذار/مارس. كما خطفت العصابات 75 شخصا خلال الفترة نفسها.",
        [
            W("killed", 240, scope="window", window="3m", check_window=True),
            W("detained", 75, scope="window", window="3m", check_window=True),
        ],
    ),
    (
        "window-in-the-same-period",
        "نزح 900 شخص خلال 48 ساعة، وعاد 300 آخرون في نفس الفترة.",
        [
            W("displaced", 900, scope="window", window="48h", check_window=True),
            W("returned", 300, scope="window", window="48h", check_window=True),
        ],
    ),
    (
        "area-as-the-size-of-the-places-before-shares-their-window",
        "أعلن الجيش أنه سيطر خلال الأسبوعين الماضيين على 12 بلدة وقرية في ريف حماة الشمالي، بمساحة تقارب 250 كيلومترا مربعا.",
        [
            W("places_controlled", 12, scope="window", window="2w", check_window=True),
            W("area_controlled", 250, "approx", scope="window", window="2w", check_window=True),
        ],
    ),
    (
        "area-held-after-places-taken-is-its-own",
        "سيطرت القوات على 5 قرى خلال يومين، فيما لا يزال التنظيم يسيطر على 40 كيلومترا مربعا.",
        [
            W("places_controlled", 5, scope="window", window="2d", check_window=True),
            W("area_controlled", 40, scope="total"),
        ],
    ),
    (
        "range-of-people-is-no-day-range",
        "تراوح عدد الذين نزحوا بين 10 إلى 20 ألفا.",
        [W("displaced", 10000, "at_least")],
    ),
    (
        "since-first-of",
        "بلغ عدد الخارجين 38550 منذ الأول من ديسمبر.",
        [W("displaced", 38550, scope="total", since="--12-01")],
    ),
    (
        "since-start-of-month",
        "فر أكثر من 38 ألف شخص منذ مطلع كانون الأول/ديسمبر.",
        [W("displaced", 38000, scope="total", since="--12-01")],
    ),
    (
        "since-mid-month",
        "اعتقل 300 شخص منذ منتصف آذار.",
        [W("detained", 300, scope="total", since="--03-15")],
    ),
    (
        "since-maghreb-month",
        "نزح 5000 شخص منذ جانفي.",
        [W("displaced", 5000, scope="total", since="--01-01")],
    ),
    ("since-event", "قتل 500 شخص منذ بدء الهجوم.", [W("killed", 500, scope="total")]),
    ("since-so-far", "اعتقل 1200 شخص حتى الآن.", [W("detained", 1200, scope="total")]),
    ("batch-convoy", "خرجت قافلة تقل 450 شخصا من الحي.", [W("displaced", 450, scope="batch")]),
    (
        "batch-group-anaphora",
        "بدأت عودة النازحين إلى البلدة، وضمت الدفعة الأولى 300 شخص.",
        [W("returned", 300, scope="batch")],
    ),
    # --- ranges, subsets, duals, repeats -------------------------------------------------
    ("range-scaled", "نزح ما بين 18 و20 ألفا من السكان.", [W("displaced", 18000, "at_least")]),
    ("range-plain", "قتل بين 40 و50 شخصا.", [W("killed", 40, "at_least")]),
    (
        "subset-among-them",
        "فر 1500 شخص، بينهم 30 مقاتلا.",
        [W("displaced", 1500), W("displaced", 30)],
    ),
    (
        "subset-own-trigger",
        "خرج 38 ألف شخص، بينهم أكثر من 3400 مشتبه بانتمائهم وتم توقيفهم.",
        [W("displaced", 38000), W("detained", 3400, "more_than")],
    ),
    (
        "subset-women-children",
        "استشهد 20 فلسطينيا، بينهم 8 أطفال و5 نساء.",
        [W("killed", 20), W("killed", 8), W("killed", 5)],
    ),
    (
        "dual-coordinated",
        "خرج 6 عناصر من الجنسية التركية وسيدتان من الجنسية الفرنسية.",
        [W("displaced", 6), W("displaced", 2)],
    ),
    ("dual-object", "قتل طفلان في قصف على البلدة.", [W("killed", 2)]),
    ("dual-morphological", "قتل حارسان خلال الهجوم.", [W("killed", 2)]),
    (
        "repeat-headline-body",
        "نزوح نحو 350 مدني\n\nأكدت المصادر نزوح أكثر من 350 شخصا من البلدة.",
        [W("displaced", 350, "more_than")],
    ),
    ("fraction-half-million", "نزح نصف مليون شخص من المدينة.", [W("displaced", 500000)]),
    ("typo-glued-scale", "فر 13ألف شخص من القصف.", [W("displaced", 13000)]),
]

# Constructions from real news the first version misread (issue 2's second round);
# each is a general rule, tested here on sentences written for the purpose.
CASES += [
    # since-anchors with no calendar date: a running total, no since-date
    (
        "since-start-of-current-month",
        "قتل أكثر من 100 شخص منذ مطلع الشهر الجاري في المدينة.",
        [W("killed", 100, "more_than", "total", since=None)],
    ),
    (
        "since-start-of-operation",
        "اعتقلت القوات 230 شخصا منذ انطلاق العملية العسكرية.",
        [W("detained", 230, "exact", "total")],
    ),
    ("since-aggression", "استشهد 52 فلسطينيا منذ بدء العدوان.", [W("killed", 52, scope="total")]),
    ("since-year-only", "فقد 400 مهاجر منذ عام 2020.", [W("missing", 400, scope="total")]),
    ("since-bare-year", "قتل 900 مدني منذ 2015 في البلاد.", [W("killed", 900, scope="total")]),
    (
        "since-the-seventh-of-october",
        "استشهد 24 ألف فلسطيني منذ السابع من أكتوبر.",
        [W("killed", 24000, scope="total", since="--10-07")],
    ),
    (
        "since-outbreak-of-war",
        "أصيب 3 آلاف شخص منذ اندلاع الحرب في السودان.",
        [W("injured", 3000, scope="total")],
    ),
    ("so-far-detained", "اعتقل 80 شخصا حتى الآن.", [W("detained", 80, scope="total")]),
    # relative durations: number words after the noun, duals, a year
    (
        "window-days-number-after",
        "قتل 15 شخصا خلال الأيام الثلاثة الماضية.",
        [W("killed", 15, scope="window", window="3d", check_window=True)],
    ),
    (
        "window-hours-al-digits",
        "قتل 40 شخصا في الساعات الـ72 الماضية.",
        [W("killed", 40, scope="window", window="72h", check_window=True)],
    ),
    (
        "window-weeks-last",
        "نزح 5 آلاف شخص في الأسابيع الثلاثة الأخيرة.",
        [W("displaced", 5000, scope="window", window="3w", check_window=True)],
    ),
    (
        "window-within-two-days",
        "نزح 3 آلاف شخص في غضون يومين.",
        [W("displaced", 3000, scope="window", window="2d", check_window=True)],
    ),
    (
        "window-six-months",
        "عاد 50 ألف لاجئ خلال الأشهر الستة الماضية.",
        [W("returned", 50000, scope="window", window="6m", check_window=True)],
    ),
    (
        "window-last-year",
        "قتل 700 شخص خلال العام الماضي.",
        [W("killed", 700, scope="window", window="1y", check_window=True)],
    ),
    (
        "window-one-day-not-a-figure",
        "شهد المعبر عبور زهاء 30 ألف شخص في يوم واحد.",
        [W("displaced", 30000, "approx", "window", window="1d", check_window=True)],
    ),
    # a hedge after the counted noun (one the lexicon does not know, too)
    (
        "hedge-after-unknown-noun",
        "اختطف مسلحون 80 تلميذا على الأقل من مدرسة في ولاية كادونا.",
        [W("detained", 80, "at_least")],
    ),
    (
        "hedge-after-noun-and-min-phrase",
        "قتل 12 عاملا من موظفي الإغاثة على الأقل في الغارة.",
        [W("killed", 12, "at_least")],
    ),
    (
        "hedge-belongs-to-next-number",
        "قتل 5 أشخاص وأصيب على الأقل 10 آخرين.",
        [W("killed", 5, "exact"), W("injured", 10, "at_least")],
    ),
    # coordinated verbs
    (
        "killed-and-injured-verbs",
        "قال مسؤول إن تسعة جنود قتلوا وأصيب 14 آخرون في الهجوم.",
        [W("killed", 9), W("injured", 14)],
    ),
    (
        "killed-bare-then-injured",
        "قتل 8 وأصيب 14 آخرون في الهجوم.",
        [W("killed", 8), W("injured", 14)],
    ),
    (
        "casualties-killed-and-injured-one-number",
        "أسفر القصف عن مقتل وإصابة 20 شخصا.",
        [W("casualties", 20)],
    ),
    (
        "killed-then-injured-not-casualties",
        "أسفرت الاشتباكات عن مقتل 10 أشخاص على الأقل وإصابة 30 آخرين.",
        [W("killed", 10, "at_least"), W("injured", 30, "exact")],
    ),
    ("bodies-from-rubble", "تم انتشال 15 جثة من تحت الأنقاض.", [W("killed", 15)]),
    (
        "trapped-under-rubble",
        "لا يزال 40 شخصا تحت الأنقاض.",
        [W("besieged", 40, scope="total")],
    ),
    (
        "count-reached-is-total",
        "وصل عدد اللاجئين العائدين من لبنان إلى 350 ألفا.",
        [W("returned", 350000, scope="total")],
    ),
    (
        "toll-thousands-and",
        "بلغ عدد الجرحى 103 آلاف و740 جريحا.",
        [W("injured", 103740, scope="total")],
    ),
    (
        "toll-thousands-alfan-and",
        "ارتفعت حصيلة الشهداء إلى 43 ألفا و846 شهيدا.",
        [W("killed", 43846, scope="total")],
    ),
    (
        "fell-dead-and-wounded",
        "سقط 12 قتيلا و30 جريحا في الهجوم.",
        [W("killed", 12), W("injured", 30)],
    ),
    ("met-their-death", "لقي 7 أشخاص حتفهم في انفجار.", [W("killed", 7)]),
    ("between-dead-and-wounded", "سقط 35 شخصا بين قتيل وجريح.", [W("casualties", 35)]),
    ("yarbu", "نزح ما يربو على 3 آلاف شخص.", [W("displaced", 3000, "more_than")]),
    ("yunahiz", "قتل ما يناهز 200 شخص.", [W("killed", 200, "approx")]),
    ("zuhaa", "نزح زهاء 4 آلاف شخص من البلدة.", [W("displaced", 4000, "approx")]),
    (
        "returned-refugees",
        "عاد أكثر من 200 ألف لاجئ إلى بلادهم.",
        [W("returned", 200000, "more_than")],
    ),
    (
        "still-missing",
        "لا يزال 300 شخص في عداد المفقودين.",
        [W("missing", 300, scope="total")],
    ),
    ("million-decimal", "يوجد في البلاد 1.2 مليون نازح.", [W("displaced", 1200000)]),
    (
        "share-of-country",
        "تسيطر القوات على 60% من مساحة البلاد.",
        [W("share_controlled", 60, unit="percent")],
    ),
    ("villages-taken", "سيطرت قوات الدعم السريع على 5 قرى.", [W("places_controlled", 5)]),
    ("evacuated-passive", "أجلي 300 مدني من الحي.", [W("displaced", 300)]),
    ("migrants-lost", "فقد 20 مهاجرا إثر غرق قاربهم.", [W("missing", 20)]),
    ("camp-shelters", "مخيم يؤوي 40 ألف نازح.", [W("displaced", 40000, scope="total")]),
    (
        "arrest-among-them-singular",
        "أعلنت الشرطة اعتقال 3 أشخاص بينهم امرأة.",
        [W("detained", 3)],
    ),
    (
        "fate-unknown-split",
        "نزح آلاف السكان، فيما لا يزال مصير العشرات مجهولا.",
        [W("displaced", 1000, vague=True), W("missing", 10, vague=True)],
    ),
    # --- a verb after the counted people says what happened to them ------------------
    (
        "predicate-refugees-returned",
        "قالت المفوضية إن نحو 200 ألف لاجئ سوري عادوا من لبنان.",
        [W("returned", 200000, "approx")],
    ),
    (
        "predicate-displaced-killed",
        "وأكد الدفاع المدني أن 7 نازحين قتلوا في قصف على المخيم.",
        [W("killed", 7, "exact")],
    ),
    (
        "predicate-household-adjective",
        "وبين التقرير أن 900 عائلة نازحة عادت إلى قراها في سهل نينوى.",
        [W("returned", 900, "exact", unit="household")],
    ),
    (
        "killed-drowned",
        "وغرق 15 مهاجرا على الأقل بعد انقلاب قاربهم قبالة جزيرة لامبيدوزا.",
        [W("killed", 15, "at_least")],
    ),
    ("killed-drowned-noun", "انتشلت فرق الإنقاذ جثث 9 غرقى من النهر.", [W("killed", 9)]),
    # --- a list after the toll (هم:، موزعين على النحو التالي:) breaks it down ---------
    (
        "list-hum-far-trigger",
        "رصد المرصد مقتل 22 شخصا في مناطق متفرقة من الأراضي السورية، هم: 9 مدنيين "
        "بينهم سيدة، و13 مقاتلا.",
        [W("killed", 22), W("killed", 9), W("killed", 13)],
    ),
    (
        "list-distributed-as-follows",
        "وثق المرصد مقتل 31 شخصا في أنحاء متفرقة من البلاد خلال الأسبوع الماضي، موزعين "
        "على النحو التالي: 12 مدنيا بينهم 3 أطفال، و19 مقاتلا.",
        [W("killed", 31), W("killed", 12), W("killed", 3), W("killed", 19)],
    ),
    (
        "apposition-before-verb",
        "وقالت الوكالة إن قرابة 600 ألف شخص، أي نحو ربع سكان الولاية، فروا من منازلهم.",
        [W("displaced", 600000, "approx")],
    ),
    # --- منذ يوم + a named day is an anchor (total), منذ يومين a window -------------
    (
        "since-day-named",
        "وقالت المنظمة إن 6 آلاف شخص نزحوا من البلدة منذ يوم الثلاثاء.",
        [W("displaced", 6000, "exact", "total")],
    ),
    (
        "since-two-days-window",
        "وقالت المنظمة إن 6 آلاف شخص نزحوا من البلدة منذ يومين.",
        [W("displaced", 6000, "exact", "window", window="2d", check_window=True)],
    ),
    # --- Sudanese localities and Yemeni districts are places held ------------------
    (
        "places-sudan-localities",
        "وبسطت قوات الدعم السريع سيطرتها على 5 محليات في ولاية شمال كردفان.",
        [W("places_controlled", 5, unit="place")],
    ),
    (
        "places-yemen-districts",
        "استعادت القوات الحكومية السيطرة على 3 مديريات في محافظة البيضاء.",
        [W("places_controlled", 3, unit="place")],
    ),
    # --- a noun counted by one number does not name the next one's metric ---------
    (
        "counted-noun-of-previous-number",
        "وأسفرت الغارة عن سقوط 9 قتلى وعشرات المصابين في حي الشجاعية.",
        [W("killed", 9), W("injured", 10, vague=True)],
    ),
    (
        "dual-killed-then-conjoined-injured",
        "وأسفر انفجار عبوة ناسفة عن مقتل جنديين وإصابة ثلاثة آخرين قرب كركوك.",
        [W("killed", 2), W("injured", 3)],
    ),
    (
        "digit-killed-then-conjoined-injured",
        "وأسفر القصف عن مقتل 4 وإصابة 11 آخرين بجروح متفاوتة.",
        [W("killed", 4), W("injured", 11)],
    ),
    (
        "deaths-noun-with-its-own-waw",
        "وسجلت المستشفيات 3 وفيات و12 إصابة جراء القصف المدفعي.",
        [W("killed", 3), W("injured", 12)],
    ),
    # --- a hedge verb fronted before عدد bounds the number ending the clause -------
    (
        "fronted-hedge-more-than",
        "وبحسب المفوضية، يتجاوز عدد اللاجئين السودانيين في تشاد 700 ألف شخص.",
        [W("displaced", 700000, "more_than")],
    ),
    (
        "fronted-hedge-at-most",
        "ولا يتجاوز عدد العائدين إلى البلدة 2000 شخص.",
        [W("returned", 2000, "at_most")],
    ),
    (
        "fronted-hedge-not-past-another-number",
        "يتجاوز عدد القتلى 40، وأصيب 12 شخصا.",
        [W("killed", 40, "more_than"), W("injured", 12, "exact")],
    ),
]

NOT_FIGURES: list[tuple[str, str]] = [
    # groups counted themselves are not people
    ("groups-merged", "اندمجت 5 فصائل مسلحة في جبهة واحدة بعد معارك عنيفة."),
    ("militias-counted", "تنتشر في المدينة 12 ميليشيا تقاتل إلى جانب القوات."),
    # a release is not a detention count (an alert would read "detained 400")
    ("release-prisoners", "أفرج عن 400 أسير ضمن صفقة التبادل."),
    ("release-sarah", "أطلقت السلطات سراح 120 محتجزا من سجن صيدنايا."),
    ("release-bail", "أخلي سبيل 35 موقوفا بكفالة."),
    ("date-day-month", "نشر المرصد في الـ 10 من شباط أن المعارك مستمرة ونزح السكان."),
    ("date-dateline", "02 نوفمبر 2017\nنزح السكان من المدينة."),
    ("year", "نزح السكان في العام 2018 من المدينة."),
    ("duration-hours", "فر السكان بعد 48 ساعة من القصف."),
    ("duration-months", "نزح السكان منذ أكثر من ثلاثة أشهر."),
    ("distance", "نزح السكان إلى مخيم على بعد 100 كيلومتر."),
    ("distance-no-control", "قتل مدنيون في قرية تبعد 15 كلم عن المدينة."),
    ("age", "قتل طفل يبلغ من العمر 12 عاما."),
    ("money", "خصصت الحكومة 5 ملايين دولار للنازحين."),
    ("money-vague", "في حوزة التنظيم عشرات ملايين الدولارات."),
    ("weight", "يتحصن التنظيم في منطقة فيها نحو 40 طنا من الذهب."),
    ("vehicles", "خرج رتل مؤلف من سبع شاحنات من المنطقة."),
    ("strikes", "نفذ الطيران 30 غارة على مواقع التنظيم قتل فيها مسلحون."),
    ("shells", "سقطت 50 قذيفة على الأحياء السكنية وأصيب مدنيون."),
    ("view-counter", "نزوح السكان من المدينة\n\n29\n\nتتواصل حركة النزوح."),
    ("percent-of-people", "تشكل النساء 70% من النازحين."),
    ("forecast", "توقعت الأمم المتحدة نزوح 150 ألف شخص إذا استمرت المعارك."),
    ("in-need", "يحتاج 25 مليون شخص إلى مساعدات إنسانية."),
    ("affected", "تضرر 200 ألف شخص من الفيضانات."),
    ("population", "تقع البلدة التي يقطنها 50 ألف نسمة على الحدود."),
    ("singular-no-number", "أعلن الدفاع المدني مقتل شاب في القصف."),
    ("dual-strikes", "تعرضت القوات لهجومين نفذتهما امرأتان انتحاريتان."),
    ("houses", "دمر القصف 300 منزل في البلدة."),
    ("farmland-burnt", "احترق 800 دونم من الأراضي الزراعية."),
    ("resolution-number", "دعا القرار 2254 إلى وقف إطلاق النار وعودة اللاجئين."),
    ("camp-area", "وتبلغ مساحة المخيم نحو 13 كيلومترا مربعا."),
    ("plain-number", "قال المتحدث إن 5 دول شاركت في الاجتماع."),
    ("forecast-return", "ورجحت الحكومة أن يعود 300 ألف لاجئ خلال الصيف المقبل."),
    ("forecast-future-verb", "قال الوزير إنه سيعود 40 ألف نازح إلى المدينة بعد إزالة الألغام."),
]


def _pairs(figures: list[Figure]) -> set[tuple[str, float]]:
    return {(f.metric.value, round(f.value, 9)) for f in figures}


@pytest.mark.parametrize(
    ("text", "wants"), [(t, w) for _, t, w in CASES], ids=[i for i, _, _ in CASES]
)
def test_extracts(text: str, wants: list[Want]) -> None:
    figures = extract(text)
    assert _pairs(figures) == {(w.metric, round(w.value, 9)) for w in wants}
    by_key = {(f.metric.value, round(f.value, 9)): f for f in figures}
    for w in wants:
        f = by_key[(w.metric, round(w.value, 9))]
        if w.qualifier is not None:
            assert f.qualifier.value == w.qualifier, f
        if w.scope is not None:
            assert f.scope.value == w.scope, f
        if w.check_window:
            assert f.window == w.window, f
        if w.unit is not None:
            assert f.unit.value == w.unit, f
        if w.vague is not None:
            assert f.vague is w.vague, f
        if w.since is not None:
            assert f.since == w.since, f


@pytest.mark.parametrize("text", [t for _, t in NOT_FIGURES], ids=[i for i, _ in NOT_FIGURES])
def test_not_a_figure(text: str) -> None:
    assert extract(text) == []


@pytest.mark.parametrize("text", [t for _, t, _ in CASES], ids=[i for i, _, _ in CASES])
def test_quote_is_the_original_text_at_the_offsets(text: str) -> None:
    for f in extract(text):
        assert text[f.start : f.end] == f.quote
        assert f.quote.strip() == f.quote and f.quote


def test_quote_holds_the_number_as_written() -> None:
    text = "فرّ ١٥٠٠ شخص من القصف، وقُتل ـ 12 ـ مدنيا."
    quotes = {f.value: f.quote for f in extract(text)}
    assert "١٥٠٠" in quotes[1500]
    assert "12" in quotes[12]


QUOTES = [
    ("unknown-noun", "اعتقلت الشرطة 23 متهما في القضية.", "23 متهما"),
    ("noun-then-hedge", "اختطف مسلحون 80 تلميذا على الأقل من المدرسة.", "80 تلميذا على الأقل"),
    ("migrants", "فقد 20 مهاجرا إثر غرق قاربهم.", "20 مهاجرا"),
    ("no-noun-after", "ارتفعت حصيلة القتلى إلى 50.", "50"),
    ("verb-after-is-not-the-noun", "أكثر من 70 شخصا قتلوا في الهجوم.", "أكثر من 70 شخصا"),
    ("bare-number-then-verb", "أعلنت الوزارة أن 80 قتلوا في القصف.", "80"),
    ("number-then-preposition", "قتل 5 في القصف على البلدة.", "5"),
    ("vague-with-article", "فيما لا يزال مصير العشرات مجهولا.", "العشرات"),
]


@pytest.mark.parametrize(
    ("text", "quote"), [(t, q) for _, t, q in QUOTES], ids=[i for i, _, _ in QUOTES]
)
def test_quote_carries_the_counted_noun(text: str, quote: str) -> None:
    figures = extract(text)
    assert [f.quote for f in figures] == [quote]


PLACES = [
    (
        "country-in-clause-governorate-elsewhere",
        "قتل 12 مدنيا في قصف على بلدة في شرق سوريا.\nوأفاد المرصد بأن القصف طال بلدة هجين بريف دير الزور.",
        "deir-ez-zor",
    ),
    (
        "country-in-clause-governorate-in-headline",
        "مقتل 12 مدنيا في دير الزور\n\nقتل 12 مدنيا في قصف على بلدة في شرق سوريا.",
        "deir-ez-zor",
    ),
    (
        "region-in-clause-governorate-elsewhere",
        "نزح 5 آلاف شخص من شمال غرب سوريا.\nوقال ناشطون في إدلب إن القصف مستمر.",
        "idlib",
    ),
]


@pytest.mark.parametrize(
    ("text", "place"), [(t, p) for _, t, p in PLACES], ids=[i for i, _, _ in PLACES]
)
def test_figure_takes_the_governorate_over_a_country(text: str, place: str) -> None:
    assert [f.place for f in extract(text)] == [place]


def test_figure_round_trips_through_json() -> None:
    for f in extract("نزح أكثر من 5 آلاف شخص منذ مطلع آذار."):
        assert Figure.from_json(json.loads(json.dumps(f.to_json()))) == f


def test_seeds_extract_without_error(seeds_dir: Path) -> None:
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        figures = extract(text)
        assert figures, path.name
        for f in figures:
            assert text[f.start : f.end] == f.quote


# --- held-out articles, scored the way FIGURES.md scores: (metric, value) F1 ---------------

HELDOUT_MIN_F1 = 0.9
"""The first 15 articles measured 0.947 on first run (before any fix prompted
by them), 1.0 after; the 11 added in issue 2's second round (DRC, Somalia,
Afghanistan, Sudan, Burkina Faso, Gaza, Yemen, Haiti, Sweida, Lebanon, Iraq)
measured 0.913 at first sight, 1.0 after; the 12 of issue 2's third round
(UNHCR, IOM, OCHA, Reuters, AFP, a live blog, Iraqi and Yemeni statements, the
Prisoners' Club, a SOHR daily toll, Rohingya, Syrian returns) measured 0.892
at first sight.  The bar leaves room for lexicon
changes elsewhere."""


def _score(articles: list[dict[str, object]]) -> tuple[float, float]:
    tp = n_gold = n_pred = agree = 0
    for article in articles:
        gold = article["figures"]
        assert isinstance(gold, list) and isinstance(article["text"], str)
        predicted = list(
            {(f.metric.value, round(f.value, 9)): f for f in extract(article["text"])}.values()
        )
        free = list(predicted)
        n_gold += len(gold)
        n_pred += len(predicted)
        for g in gold:
            ok = {g["metric"], *g.get("alt_metrics", [])}
            hit = next(
                (
                    p
                    for p in free
                    if p.metric.value in ok and math.isclose(p.value, g["value"], rel_tol=1e-6)
                ),
                None,
            )
            if hit is not None:
                free.remove(hit)
                tp += 1
                agree += hit.qualifier.value in {g["qualifier"], *g.get("alt_qualifiers", [])}
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return f1, agree / tp if tp else 0.0


def test_heldout_articles_score() -> None:
    lines = (DATA / "extract_heldout.jsonl").read_text(encoding="utf-8").splitlines()
    articles = [json.loads(line) for line in lines if line.strip()]
    assert len(articles) >= 38
    f1, qualifier_agreement = _score(articles)
    assert f1 >= HELDOUT_MIN_F1
    assert qualifier_agreement >= 0.9


# --- robustness -------------------------------------------------------------------------

HOSTILE = [
    ("empty", ""),
    ("spaces", "   \n\n  "),
    ("digits-1mb", "7" * 1_000_000),
    ("separated-digits", "1,234," * 20_000),
    ("qualifiers", "أكثر من " * 5_000 + "نزح"),
    ("tatweel", "نـــــزح " * 5_000 + "ـ" * 1000),
    ("lone-marks", "\u064b\u0651\u0670" * 1000),
    ("mixed-scripts", "نزح ١٢٣ people 456 ۷۸۹ شخص 𝟏𝟐 ١٢٫٥ " * 500),
    ("only-punctuation", "،.؟!:؛" * 1000),
]


@pytest.mark.parametrize("text", [t for _, t in HOSTILE], ids=[i for i, _ in HOSTILE])
def test_hostile_input_does_not_raise(text: str) -> None:
    for f in extract(text):
        assert text[f.start : f.end] == f.quote


ARABIC_NEWS_ALPHABET = st.sampled_from(
    [
        *list("ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآةى٠١٢٣٤٥٦٧٨٩0123456789 ،.\n%/ـًٌٍَُِّْ"),
        "نزح ",
        "قتل ",
        "أكثر من ",
        "نحو ",
        "ألف ",
        "آلاف ",
        "شخص ",
        "على الأقل ",
        "منذ ",
        "خلال ",
        "ساعة ",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(ARABIC_NEWS_ALPHABET, max_size=80).map("".join))
def test_random_text_never_raises_and_offsets_hold(text: str) -> None:
    for f in extract(text):
        assert text[f.start : f.end] == f.quote
        assert f.value >= 0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_never_raises(text: str) -> None:
    for f in extract(text):
        assert text[f.start : f.end] == f.quote
