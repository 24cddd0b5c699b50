"""Scope and period of a count (figures/scope.py and its hooks in the
extractor): event or running/standing count from the clause, and the period of
a count at discourse level.  Every sentence is invented; each case failed on
the engine before this stage was written."""

from __future__ import annotations

import pytest

from figures import extract, scope
from figures.model import Metric, Scope
from figures.text import normalize

# (text, [(metric, value, scope, window), ...]) — the listed figures must be
# found with that scope and window (other figures of the text are not checked)
Case = tuple[str, list[tuple[str, float, str, str | None]]]

EVENT_OR_TOTAL: dict[str, Case] = {
    "since-the-start-of-last-month-is-an-anchor": (
        "أجبرت الهجمات ما يربو على 100 ألف شخص على الفرار من منازلهم منذ مطلع الشهر الماضي.",
        [("displaced", 100_000, "total", None)],
    ),
    "a-sieges-age-is-no-window": (
        "يعيش نحو 275 ألف مدني محاصرين في الأحياء الشرقية لمدينة حلب منذ أكثر من ثلاثة أشهر.",
        [("besieged", 275_000, "total", None)],
    ),
    "a-disaster-dated-in-a-relative-clause": (
        "أعلنت السلطات وفاة 6 أشخاص جراء السيول التي اجتاحت المدينة أمس.",
        [("killed", 6, "total", None)],
    ),
    "one-missile-strike-dated-by-a-weekday": (
        "وقُتل 11 شخصا في قصف صاروخي على مدينة خاركيف يوم السبت.",
        [("killed", 11, "batch", None)],
    ),
    # a raid or incursion is one incident: the dawn and weekday date it
    "a-raid-dated-by-dawn-and-a-weekday": (
        "استشهد ثلاثة مواطنين، فجر اليوم الثلاثاء، خلال اقتحام قوات الاحتلال مدينة طولكرم.",
        [("killed", 3, "batch", None)],
    ),
    "an-incursion-dated-by-a-weekday": (
        "أصيب 4 شبان برصاص الاحتلال يوم الإثنين خلال توغل آليات عسكرية في بلدة قباطية.",
        [("injured", 4, "batch", None)],
    ),
    # an event word whose relative clause holds منذ has lasted since then: a running total
    "clashes-that-have-lasted-since-an-anchor": (
        "قال جهاز الإسعاف إن 32 شخصا قتلوا في الاشتباكات التي شهدتها العاصمة طرابلس منذ مساء الإثنين.",
        [("killed", 32, "total", None)],
    ),
    "mine-blasts-since-the-start-of-the-year": (
        "قتل 31 مدنيا بانفجار ألغام في محافظة تعز منذ مطلع العام.",
        [("killed", 31, "total", None)],
    ),
    "guard-a-strike-dated-in-its-relative-clause": (
        "قتل 5 أشخاص في الغارة التي استهدفت منزلا أمس.",
        [("killed", 5, "batch", None)],
    ),
    "one-group-through-a-safe-corridor": (
        "أمنت وحدات الجيش خروج 1200 مدني من أحياء المدينة عبر ممرات آمنة.",
        [("displaced", 1200, "batch", None)],
    ),
    # a reporting verb after the count opens another statement: its scope words are not the count's
    "toll-after-a-reporting-participle-is-another-statement": (
        "أسفرت غارة على مبنى في مدينة صور عن مقتل 9 أشخاص، وإصابة 23 بجروح، مشيرة إلى أن حصيلة الغارات منذ صباح أمس بلغت 41 قتيلا.",
        [
            ("killed", 9, "batch", None),
            ("injured", 23, "batch", None),
            ("killed", 41, "total", None),
        ],
    ),
    # a since-anchor in the clause over a batch word that is the count's own verb
    "drowned-since-the-season-began": (
        "وأشارت الهيئة إلى غرق 14 شخصا منذ بداية موسم الأمطار.",
        [("killed", 14, "total", None)],
    ),
    # "the same period" after a since-anchor: the same running count
    "same-period-as-a-since-anchor": (
        "وقال المحافظ إن عدد النازحين من المخيم منذ 21 كانون الثاني تجاوز 21 ألف مواطن، في حين اعتقلت القوات 185 مواطنا من المحافظة خلال الفترة ذاتها.",
        [("displaced", 21000, "total", None), ("detained", 185, "total", None)],
    ),
    # a war's, campaign's or disaster's toll reported by an authority: total
    "flood-toll-by-ministry": (
        "أودت الفيضانات التي ضربت الإقليم بحياة 230 شخصاً على الأقل، بحسب وزارة الصحة.",
        [("killed", 230, "total", None)],
    ),
    "quake-as-cause": (
        "قتل 120 شخصا إثر الزلزال الذي ضرب المنطقة.",
        [("killed", 120, "total", None)],
    ),
    "civil-defence-report-dated-by-weekday": (
        "أعلن الدفاع المدني في المدينة، مساء الأحد، انتشال 45 جثة من تحت الأنقاض.",
        [("killed", 45, "total", None)],
    ),
    "inside-a-war": (
        "وفي تلك الحرب قتل أكثر من 900 شخص.",
        [("killed", 900, "total", None)],
    ),
    "campaign-of-months": (
        "وجاء ذلك بعد ثلاثة أشهر من القصف الذي أسفر عن مقتل 300 مدني.",
        [("killed", 300, "total", None)],
    ),
    "count-head-then-verb": (
        "وقال إن عدد المعتقلين في السجن بلغ 700.",
        [("detained", 700, "total", None)],
    ),
    "the-story-is-a-quakes-toll": (
        "ارتفع عدد ضحايا الزلزال في البلاد\nوقال مسؤولون إن 340 شخصا قتلوا في القرى الجبلية.",
        [("killed", 340, "total", None)],
    ),
    # a present-tense state: standing total
    "held-in-prisons": (
        "يقبع في سجون السلطات أكثر من 3 آلاف معتقل.",
        [("detained", 3000, "total", None)],
    ),
    "forces-hold": (
        "تحتجز قوات الأمن 400 شخص في سجن المطار.",
        [("detained", 400, "total", None)],
    ),
    # one group that moved or was received at a place, one evacuation: batch
    "returned-from-a-camp": (
        "عاد 320 نازحاً من مخيم الصفا إلى قراهم.",
        [("returned", 320, "batch", None)],
    ),
    "received-at-a-shelter": (
        "استقبل مركز الإيواء في البلدة 450 نازحاً.",
        [("displaced", 450, "batch", None)],
    ),
    "one-evacuation": (
        "أجلت فرق الإنقاذ 250 مدنيا من الحي المحاصر.",
        [("displaced", 250, "batch", None)],
    ),
}

PERIODS: dict[str, Case] = {
    # a part with no noun of its own but a period of its own: that period
    "a-bare-part-with-its-own-week": (
        "اعتقلت قوات الاحتلال 8800 فلسطيني منذ مطلع العام الجاري، بينهم 320 خلال الأسبوع الأخير وحده.",
        [("detained", 8800, "total", None), ("detained", 320, "window", "1w")],
    ),
    # a thousands separator inside the number opens no clause: the window after it is its own
    "a-separator-inside-the-number-opens-no-clause": (
        "نزوح 1,250 أسرة من قرى مديرية حيس بمحافظة الحديدة خلال الأسبوع الماضي.",
        [("displaced", 1250, "window", "1w")],
    ),
    # خلال + a definite week or month: this week's, this month's count
    "during-the-week": (
        "هدمت السلطات 31 منشأة خلال الأسبوع، ما أدى إلى تهجير 74 فلسطينيا.",
        [("displaced", 74, "window", "1w")],
    ),
    "throughout-the-month": (
        "اعتقلت القوات 210 أشخاص طوال الشهر في حملات متفرقة.",
        [("detained", 210, "window", "1m")],
    ),
    "inline-list-items-take-the-heads-window": (
        "وأعلنت الوزارة أن حصيلة الغارات خلال 24 ساعة بلغت 52 شهيدا، موزعة كالتالي: النبطية 22 شهيدا، بعلبك الهرمل 18 شهيدا.",
        [
            ("killed", 52, "window", "24h"),
            ("killed", 22, "window", "24h"),
            ("killed", 18, "window", "24h"),
        ],
    ),
    # `اليوم` alone is a day: a day's tally (not an ordinal day, not an event's day)
    "today-alone": (
        "وقال المسؤول إن نحو 700 مدني خرجوا من المنطقة اليوم.",
        [("displaced", 700, "window", "1d")],
    ),
    "today-in-a-toll": (
        "قتل 27 شخصا اليوم في قصف على أحياء المدينة.",
        [("killed", 27, "window", "1d")],
    ),
    # a part with its own period in its own clause: that period, not the parent's
    "part-with-its-own-day": (
        "ارتفع عدد الشهداء إلى 1,021 شهيدا منذ 27 مايو، بينهم 27 شهيدا سقطوا اليوم قرب مركز توزيع.",
        [("killed", 1021, "total", None), ("killed", 27, "window", "1d")],
    ),
    "part-with-its-own-month": (
        "أجبر الجفاف نحو مليون و100 ألف شخص على النزوح منذ يناير 2021، بينهم 130 ألفاً نزحوا خلال شهر أغسطس وحده.",
        [("displaced", 1_100_000, "total", None), ("displaced", 130_000, "window", "1m")],
    ),
    # (a) a weekday in a reporting clause dates the report
    "a-report-weekday-then-window": (
        "أعلنت المفوضية، اليوم الخميس، فرار أكثر من 8 آلاف شخص من البلدة، "
        "خلال الأيام الثلاثة الماضية.",
        [("displaced", 8000, "window", "3d")],
    ),
    # (b) a lead's period carries into a continuation and a restatement
    "kama-continuation": (
        "أسفرت المداهمات خلال 48 ساعة عن ضبط أسلحة. كما أسفرت عن توقيف 40 مطلوباً.",
        [("detained", 40, "window", "48h")],
    ),
    "line-ending-in-a-comma": (
        "ارتفع عدد القتلى خلال الساعات الـ24 الماضية إلى 30 مدنيا،\nبعد أن قتل 5 أشخاص في المدينة.",
        [("killed", 5, "window", "24h")],
    ),
    "restated-number": (
        "نزوح 6 آلاف شخص خلال أسبوع\nوقالت المنظمة إن 6 آلاف شخص نزحوا من القرى.",
        [("displaced", 6000, "window", "1w")],
    ),
    "list-under-a-day": (
        "أعلنت وزارة الصحة حصيلة غارات يوم أمس:\n- المدينة: 12 شهيدا و30 جريحا.\n- الريف: 4 شهداء.",
        [
            ("killed", 12, "window", "1d"),
            ("injured", 30, "window", "1d"),
            ("killed", 4, "window", "1d"),
        ],
    ),
    "a-breakdown-takes-the-period-before": (
        "قال المكتب إن 60 مدنيا سقطوا بين قتيل وجريح خلال شهر مارس الماضي.\n"
        "وأوضح التقرير أن الضحايا بينهم 20 قتيلا و40 جريحا.",
        [("killed", 20, "window", "1m"), ("injured", 40, "window", "1m")],
    ),
    # (c) one day
    "today-only": (
        "قتل 14 مدنيا اليوم فقط في المدينة.",
        [("killed", 14, "window", "1d")],
    ),
    "yesterday-alone": (
        "أصيب 60 شخصا يوم أمس وحده جراء القصف.",
        [("injured", 60, "window", "1d")],
    ),
    "a-days-tally": (
        "قتل 9 مدنيين وأصيب 20 آخرون في قصف على أحياء المدينة، أمس الثلاثاء، بحسب مصادر طبية.",
        [("killed", 9, "window", "1d"), ("injured", 20, "window", "1d")],
    ),
    "the-sentences-day-far-from-the-number": (
        "قتل 11 شخصا وأصيب 30 آخرون جراء قصف ومعارك في أحياء المدينة الشرقية والغربية "
        "وريفها الجنوبي وأطرافها، وسط البلاد، اليوم السبت، وفق مصادر محلية.",
        [("killed", 11, "window", "1d"), ("injured", 30, "window", "1d")],
    ),
    # (d) a period written once after a coordinated list
    "period-after-a-list": (
        "ونقلت المستشفيات 35 قتيلاً، و120 مصاباً خلال الساعات الـ24 الماضية.",
        [("killed", 35, "window", "24h"), ("injured", 120, "window", "24h")],
    ),
    # (e) not windows: a day of a month, the age of a war
    "since-an-anchor-dated-by-day-of-month": (
        "منذ بدء الهجوم في الـ5 من الشهر الماضي، فرّ من المدينة 20 ألف شخص.",
        [("displaced", 20000, "total", None)],
    ),
    "age-of-a-conflict": (
        "أدى الصراع المستمر منذ سبع سنوات إلى نزوح مليوني شخص.",
        [("displaced", 2000000, "total", None)],
    ),
    "age-of-a-war-before-its-toll": (
        "وتشهد البلاد حربا منذ أربع سنوات تسببت في مقتل 15 ألف شخص وتشريد مليون.",
        [("killed", 15000, "total", None), ("displaced", 1000000, "total", None)],
    ),
    # numbers and periods in parentheses are read through them
    "received-in-parentheses": (
        "وقال رئيس المعسكر إنهم استقبلوا ( 120 ) أسرة نازحة جديدة.",
        [("displaced", 120, "batch", None)],
    ),
    "a-period-in-parentheses": (
        "كشفت إحصائية عن مقتل (40) شخصا خلال الـ(6) أشهر الماضية.",
        [("killed", 40, "window", "6m")],
    ),
    # windows of the annotators' conventions
    "a-year-as-the-subject-is-the-period": (
        "وسجل عام 2019 مقتل 320 مدنيا في المحافظة.",
        [("killed", 320, "window", "1y")],
    ),
    "lately-is-a-window-of-unstated-length": (
        "واستولت السلطات في الآونة الأخيرة على أكثر من 3 آلاف دونم.",
        [("area_controlled", 3, "window", None)],
    ),
    "monthly-rate": (
        "ينزح نحو 2000 شخص شهريا من المنطقة.",
        [("displaced", 2000, "window", "1m")],
    ),
    "hedged-period": (
        "استولت القوات على 40 كيلومترا مربعا خلال أقل من أسبوع.",
        [("area_controlled", 40, "window", "1w")],
    ),
}

GUARDS: dict[str, Case] = {
    "last-month-is-a-window": (
        "نزح 500 شخص خلال الشهر الماضي.",
        [("displaced", 500, "window", "1m")],
    ),
    "displaced-since-days-is-a-window": (
        "نزح 5000 منذ ثلاثة أيام.",
        [("displaced", 5000, "window", "3d")],
    ),
    "a-strike-dated-in-a-relative-clause": (
        "قتل 5 أشخاص في الغارة التي استهدفت المنزل أمس.",
        [("killed", 5, "batch", None)],
    ),
    "corridors-since-they-opened": (
        "خرج عبر الممرات الإنسانية منذ فتحها 5000 شخص.",
        [("displaced", 5000, "total", None)],
    ),
    "among-them-is-no-reporting-verb": (
        "دخل عشرات الآلاف من النازحين، بينهم ثلاثة آلاف امرأة، منذ 17 يونيو.",
        [("displaced", 3000, "total", None)],
    ),
    "drowned-in-one-capsizing": (
        "غرق 14 شخصا في انقلاب قارب قبالة السواحل.",
        [("killed", 14, "batch", None)],
    ),
    "same-period-as-a-window": (
        "نزح 300 شخص خلال أسبوع، وقتل 20 خلال الفترة نفسها.",
        [("displaced", 300, "window", "1w"), ("killed", 20, "window", "1w")],
    ),
    "ordinal-day-is-no-today": (
        "ولليوم التاسع على التوالي يواصل الجيش غاراته، ما أدى إلى استشهاد 2670 فلسطينيا، بحسب وزارة الصحة.",
        [("killed", 2670, "total", None)],
    ),
    "today-dating-the-disaster": (
        "أعلنت الوزارة مقتل 296 شخصا إثر الزلزال الذي ضرب البلاد اليوم.",
        [("killed", 296, "total", None)],
    ),
    "a-moment-of-today-is-one-event": (
        "وأضافت المصادر أن نحو 400 مدني خرجوا من الحي عبر ممر آمن صباح اليوم.",
        [("displaced", 400, "batch", None)],
    ),
    "part-takes-the-parents-period": (
        "قتل 500 شخص منذ بدء الحرب، بينهم 20 طفلا.",
        [("killed", 500, "total", None), ("killed", 20, "total", None)],
    ),
    # what must not move (these held before and must keep holding)
    "a-strike-on-a-day-is-one-event": (
        "قتل 6 أشخاص في غارة على منزل في البلدة أمس الجمعة.",
        [("killed", 6, "batch", None)],
    ),
    "a-toll-up-to-yesterday": (
        "ارتفع عدد القتلى منذ بدء الحرب حتى يوم أمس إلى 3200.",
        [("killed", 3200, "total", None)],
    ),
    "a-stated-window": (
        "قتل أكثر من 600 مدني في المحافظة خلال السنوات الثلاث الأخيرة.",
        [("killed", 600, "window", "3y")],
    ),
    "the-day-of-one-rainfall": (
        "أدت الأمطار التي هطلت صباح أمس على المخيم إلى فقدان 12 شخصا.",
        [("missing", 12, "batch", None)],
    ),
    "a-group-that-arrived-yesterday": (
        "ونقلت المصادر أن 60 من المعتقلين، من الجنود والشرطة، وصلوا أمس الأربعاء إلى السجن.",
        [("detained", 60, "batch", None)],
    ),
    "an-agency-spoke-yesterday-of-one-attack": (
        "وتحدثت الوكالة، أمس الخميس، عن هجوم واسع أسفر عن مقتل وإصابة 9 عناصر.",
        [("casualties", 9, "batch", None)],
    ),
    "a-report-weekday-after-a-ministry-named-for-migration": (
        "أعلنت وزارة الهجرة والمهجرين، الثلاثاء، عودة 300 عائلة نازحة من مخيم الأمل إلى مناطقها.",
        [("returned", 300, "batch", None)],
    ),
    "an-attack-at-dawn": (
        "قال مسؤول إن خمسة جنود قتلوا عندما هاجم مسلحون قاعدة عسكرية فجر الخميس.",
        [("killed", 5, "batch", None)],
    ),
    "bodies-from-one-building": (
        "الدفاع المدني: انتشال جثامين 3 شهداء من تحت أنقاض مبنى في البلدة.",
        [("killed", 3, "batch", None)],
    ),
    "during-the-attack": (
        "اختطف مسلحون 40 طالبا من مدرسة ليل الجمعة، فيما قتل حارسان خلال الهجوم.",
        [("detained", 40, "batch", None), ("killed", 2, "batch", None)],
    ),
    "a-shipwreck-on-a-day": (
        "وأكدت المنظمة أن 150 مهاجرا غرقوا قبالة السواحل الليبية الأحد.",
        [("killed", 150, "batch", None)],
    ),
    "a-battle-is-an-episode": (
        "وأسفرت المعارك عن سقوط 8 قتلى من قوات النظام و5 من الفصائل.",
        [("killed", 8, "batch", None)],
    ),
    "a-surrender-on-a-day": (
        "وسلم نحو 80 مسلحا أنفسهم للقوات مساء الأربعاء.",
        [("surrendered", 80, "batch", None)],
    ),
}


def _check(case: Case) -> None:
    text, expected = case
    found = {(f.metric.value, f.value): (f.scope.value, f.window) for f in extract(text)}
    for metric, value, want_scope, want_window in expected:
        assert (metric, float(value)) in found, (metric, value, found)
        assert found[(metric, float(value))] == (want_scope, want_window), (metric, value)


@pytest.mark.parametrize("case", EVENT_OR_TOTAL.values(), ids=EVENT_OR_TOTAL.keys())
def test_event_or_running_count(case: Case) -> None:
    _check(case)


@pytest.mark.parametrize("case", PERIODS.values(), ids=PERIODS.keys())
def test_period_of_a_count(case: Case) -> None:
    _check(case)


@pytest.mark.parametrize("case", GUARDS.values(), ids=GUARDS.keys())
def test_scope_guards(case: Case) -> None:
    _check(case)


def _toks(text: str) -> list[str]:
    return normalize(text).text.split()


@pytest.mark.parametrize(
    ("words", "frame"),
    [
        ("المرصد", "AUTHORITY"),
        ("وزارة", "AUTHORITY"),
        ("الزلزال", "TOLL"),
        ("والعدوان", "TOLL"),
        ("يقبع", "STANDING"),
        ("تؤوي", "STANDING"),
        ("استقبلت", "RECEIVED"),
        ("غارة", "SINGLE"),
        ("الخميس", "DAY"),
        ("المقبلة", "FUTURE"),
        ("المستمرة", "ONGOING"),
        ("كما", "CARRY"),
        ("وأعلنت", "REPORT"),
        ("عدد", "COUNT"),
        ("شهريا", "RATE"),
        ("مخيم", "SITE"),
        ("وشهد", "YEAR_SUBJECT"),
        ("وحده", "ONLY"),
        ("صاروخي", "SINGLE"),
        ("ممرات", "RECEIVED"),
        ("مشيرة", "REPORT"),
        ("اليوم", "DAY"),
    ],
    ids=lambda v: v,
)
def test_lexicon_frames(words: str, frame: str) -> None:
    (tok,) = _toks(words)
    assert scope.frames(tok) & getattr(scope.Frame, frame)


@pytest.mark.parametrize(
    ("metric", "words", "want"),
    [
        (Metric.KILLED, "بحسب وزارة الصحة", Scope.TOTAL),
        (Metric.KILLED, "قال شاهد", Scope.BATCH),
        (Metric.DETAINED, "يقبع في السجون", Scope.TOTAL),
        (Metric.DISPLACED, "استقبل المخيم", Scope.BATCH),
        (Metric.DISPLACED, "نزح السكان", Scope.TOTAL),
        (Metric.KILLED, "قذيفة سقطت بحسب وزارة الصحة", Scope.BATCH),
        (Metric.SURRENDERED, "بحسب المرصد", Scope.BATCH),
        (Metric.SURRENDERED, "يزيد عددهم على", Scope.BATCH),
        (Metric.DETAINED, "يزيد عددهم على", Scope.TOTAL),
    ],
    ids=[
        "authority",
        "a-witness",
        "standing",
        "received",
        "displaced-default",
        "one-shell",
        "surrender",
        "surrender-number-of",
        "detained-number-of",
    ],
)
def test_default_scope(metric: Metric, words: str, want: Scope) -> None:
    toks = _toks(words)
    frames = scope.span(toks, 0, len(toks))
    assert scope.default_scope(metric, frames, frames) is want


@pytest.mark.parametrize(
    ("words", "opener", "after", "want"),
    [
        ("الصراع المستمر منذ سبع سنوات", 2, -1, True),
        ("خلال الأيام المقبلة", 0, 2, True),
        ("في ال 5 من الشهر الماضي", 3, 5, True),
        ("نزحوا منذ ثلاثة أيام", 1, -1, False),
        ("خلال الأيام الماضية", 0, 2, False),
    ],
    ids=["age-of-a-war", "future", "day-of-month", "since-days-ago", "past-days"],
)
def test_not_a_window(words: str, opener: int, after: int, want: bool) -> None:
    assert scope.not_a_window(_toks(words), opener, after) is want
