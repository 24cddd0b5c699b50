"""The gazetteer: places and parties found in Arabic text and looked up from
what users type; the data checked for contradictions."""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from figures import gazetteer
from figures.gazetteer import (
    GazetteerError,
    Mention,
    all_parties,
    all_places,
    ancestors,
    build,
    find_parties,
    find_places,
    lookup_party,
    lookup_place,
    may_start_name,
    party,
    place,
)
from figures.text import fold, normalize

DATA: dict[str, Any] = tomllib.loads(
    resources.files("figures").joinpath("data/gazetteer.toml").read_text("utf-8")
)


def found(find: Any, sentence: str) -> list[tuple[str, str]]:
    """(text as written, id) of every mention in `sentence`."""
    norm = normalize(sentence)
    out = []
    for m in find(norm.text):
        start, end = norm.span(m.start, m.end)
        out.append((sentence[start:end], m.id))
    return out


PLACE_CASES = [
    # (id, sentence, expected [(words as written, id)])
    ("bare-governorate", "تشهد دير الزور موجات نزوح", [("دير الزور", "deir-ez-zor")]),
    (
        "muhafaza",
        "في محافظة دير الزور وبمحاذاة الحدود",
        [("محافظة دير الزور", "deir-ez-zor")],
    ),
    (
        "countryside-direction-longest",
        "حقل العمر في ريف دير الزور الشرقي قبل فرزهم",
        [("حقل العمر", "omar-field"), ("ريف دير الزور الشرقي", "deir-ez-zor")],
    ),
    (
        "countryside-two-directions",
        "في ريف حلب الشمالي الشرقي",
        [("ريف حلب الشمالي الشرقي", "aleppo")],
    ),
    (
        "rif-dimashq-is-not-damascus",
        "في ريف دمشق الغربي وفي دمشق",
        [("ريف دمشق الغربي", "rif-dimashq"), ("دمشق", "damascus")],
    ),
    ("city", "داخل مدينة دير الزور التي", [("مدينة دير الزور", "deir-ez-zor-city")]),
    ("proclitic-ba", "يتهاوى بدير الزور وخلاف", [("دير الزور", "deir-ez-zor")]),
    ("proclitic-wa", "في الرقة ودير الزور", [("الرقة", "raqqa"), ("دير الزور", "deir-ez-zor")]),
    ("proclitic-la", "في الريف الشرقي لدير الزور", [("دير الزور", "deir-ez-zor")]),
    ("lam-al", "التوجه نحو الشمال للرقة", [("لرقة", "raqqa")]),
    ("wa-lam-al", "وللحسكة نصيب", [("لحسكة", "hasakah")]),
    ("fa-ba", "فبالرقة معارك", [("الرقة", "raqqa")]),
    ("tatweel-and-harakat", "يتهاوى بـدَيْر الزُّور", [("دَيْر الزُّور", "deir-ez-zor")]),
    ("no-space", "في ديرالزور", [("ديرالزور", "deir-ez-zor")]),
    ("final-heh", "في الرقه والحسكه", [("الرقه", "raqqa"), ("الحسكه", "hasakah")]),
    ("hamza", "في ادلب وإدلب", [("ادلب", "idlib"), ("إدلب", "idlib")]),
    ("teh-and-heh-hama", "في حماة وحماه", [("حماة", "hama"), ("حماه", "hama")]),
    ("alt-name-abu-kamal", "مدينة أبو كمال على الحدود", [("أبو كمال", "bukamal")]),
    ("bukamal", "مدينة البوكمال على الحدود", [("البوكمال", "bukamal")]),
    ("kobani-kurdish", "في كوباني", [("كوباني", "kobani")]),
    ("kobani-arabic", "مدينة عين العرب", [("عين العرب", "kobani")]),
    ("not-inside-a-word", "في الرقةالجديدة", []),
    ("not-before-suffix", "الحسكاوي", []),
    ("not-after-letters", "المدمشقية", []),
    ("villages", "في قريتي الشعفة والسوسة", [("الشعفة", "shafa"), ("السوسة", "sousa")]),
    ("baghuz", "من بلدة الباغوز قرب الحدود", [("الباغوز", "baghuz")]),
    ("hajin", "بعد تحرير مدينة هجين", [("هجين", "hajin")]),
    ("camp", "نقلهم إلى مخيمات الهول", [("مخيمات الهول", "al-hol")]),
    ("camp-ain-issa", "في مخيم عين عيسى", [("مخيم عين عيسى", "ain-issa-camp")]),
    ("town-ain-issa", "منطقة عين عيسى شمال الرقة", [("عين عيسى", "ain-issa"), ("الرقة", "raqqa")]),
    ("rukban", "العالقين في الركبان", [("الركبان", "rukban")]),
    ("field", "نحو منطقة حقل العمر النفطي", [("حقل العمر النفطي", "omar-field")]),
    ("region", "آخر جيب في شرق الفرات", [("شرق الفرات", "east-euphrates")]),
    (
        "region-long",
        "عند الضفاف الشرقية لنهر الفرات",
        [("الضفاف الشرقية لنهر الفرات", "east-euphrates")],
    ),
    ("strict-needs-context", "وهو ما فتح الباب أمام المفاوضات", []),
    ("strict-with-context", "دخلت القوات مدينة الباب", [("مدينة الباب", "al-bab")]),
    ("strict-tabqa", "سيطرت على سد الطبقة وعلى الطبقة السياسية", [("سد الطبقة", "tabqa")]),
    ("strict-palmyra-verb", "الغارات تدمر المنازل", []),
    ("strict-palmyra", "في مدينة تدمر", [("مدينة تدمر", "palmyra")]),
    ("ignored-phrase", "نقلت قناة الميادين عن مصادر", []),
    ("mayadin", "جنوب مدينة الميادين", [("الميادين", "mayadin")]),
    ("party-name-hides-place", "قوات سوريا الديمقراطية تتقدم", []),
    ("hashtag-party", "بدء #قوات_سوريا_الديمقراطية هجومها في #سوريا", [("سوريا", "syria")]),
    ("turkish-backed-hides-turkey", "الفصائل الموالية لتركيا", []),
    ("country", "في شرق سوريا وتركيا", [("سوريا", "syria"), ("تركيا", "turkey")]),
    ("person-surname", "قال عدنان عفرين ثم أضاف عفرين", []),
    ("afrin", "نزحوا من عفرين", [("عفرين", "afrin")]),
    (
        "iraq",
        "في الموصل وتلعفر وتل عفر",
        [("الموصل", "mosul"), ("تلعفر", "tal-afar"), ("تل عفر", "tal-afar")],
    ),
    (
        "iraq-governorate",
        "في محافظة نينوى والأنبار",
        [("محافظة نينوى", "nineveh"), ("الأنبار", "anbar")],
    ),
    ("gaza-strip", "في قطاع غزة وفي غزة", [("قطاع غزة", "gaza-strip"), ("غزة", "gaza-strip")]),
    ("gaza-city", "شمال مدينة غزة", [("مدينة غزة", "gaza-city")]),
    ("sudan", "في الفاشر بشمال دارفور", [("الفاشر", "el-fasher"), ("شمال دارفور", "north-darfur")]),
    ("yemen", "في الحديدة وتعز", [("الحديدة", "hodeidah"), ("تعز", "taiz")]),
    ("tripoli-default-libya", "اشتباكات في طرابلس", [("طرابلس", "tripoli")]),
    (
        "lebanon-south-governorates",
        "غارات على النبطية وقضاء صور في جنوب لبنان",
        [("النبطية", "nabatieh"), ("قضاء صور", "tyre"), ("جنوب لبنان", "south-lebanon")],
    ),
    (
        "lebanon-bekaa",
        "في بعلبك والبقاع الغربي",
        [("بعلبك", "baalbek"), ("البقاع الغربي", "bekaa")],
    ),
    ("lebanon-tyre-strict", "نشر صور الضحايا", []),
    ("yemen-ibb-strict", "في محافظة إب منذ آب الماضي", [("محافظة إب", "ibb")]),
    (
        "yemen-city-and-governorate",
        "من مدينة مأرب إلى ريف مأرب الغربي",
        [("مدينة مأرب", "marib-city"), ("ريف مأرب الغربي", "marib")],
    ),
    (
        "sudan-states",
        "نزوح من ولاية الجزيرة إلى كسلا والقضارف وجنوب دارفور",
        [
            ("ولاية الجزيرة", "al-jazirah"),
            ("كسلا", "kassala"),
            ("القضارف", "gedaref"),
            ("جنوب دارفور", "south-darfur"),
        ],
    ),
    (
        "sudan-red-sea-state-not-the-sea",
        "هجمات في البحر الأحمر ونزوح إلى ولاية البحر الأحمر",
        [("ولاية البحر الأحمر", "red-sea-state")],
    ),
    (
        "tripoli-lebanon-from-context",
        "نزح لاجئون إلى طرابلس في شمال لبنان",
        [("طرابلس", "tripoli-lebanon"), ("شمال لبنان", "north-lebanon")],
    ),
    (
        "tripoli-libya-named",
        "من طرابلس الغرب إلى بنغازي",
        [("طرابلس الغرب", "tripoli"), ("بنغازي", "benghazi")],
    ),
    (
        "khor-abeche-in-darfur-is-not-abeche-in-chad",
        "هاجموا نازحين في خور ابشي بجنوب دارفور",
        [("جنوب دارفور", "south-darfur")],
    ),
    ("adre-only-as-a-place", "لا أدري كم عددهم عند معبر أدري", [("معبر أدري", "ouaddai")]),
    ("kabul-not-a-cable", "انقطع كابل الكهرباء في كابول", [("كابول", "kabul")]),
    (
        "border-crossings",
        "عادوا عبر معبر باب الهوى ومعبر تورخم ومعبر إسلام قلعة",
        [("باب الهوى", "bab-al-hawa"), ("تورخم", "torkham"), ("إسلام قلعة", "islam-qala")],
    ),
    ("sousse-not-a-whisper", "سمع وسوسة في مدينة سوسة", [("مدينة سوسة", "sousse")]),
    ("nasib-only-as-a-crossing", "حصل كل منهم على نصيب عند معبر نصيب", [("معبر نصيب", "nasib")]),
    ("lviv-not-a-crowd", "لفيف من المسؤولين زاروا مدينة لفيف", [("مدينة لفيف", "lviv")]),
    (
        "drc-and-its-provinces",
        "نزحوا من شمال كيفو وإيتوري في الكونغو الديمقراطية",
        [("شمال كيفو", "north-kivu"), ("إيتوري", "ituri"), ("الكونغو الديمقراطية", "dr-congo")],
    ),
    ("tigray", "فروا من إقليم تيغراي", [("تيغراي", "tigray")]),
    (
        "salah-al-din-in-tripoli-is-a-district",
        "اشتباكات في طرابلس ونزوح من عين زارة وصلاح الدين",
        [("طرابلس", "tripoli"), ("عين زارة", "ain-zara"), ("صلاح الدين", "salah-al-din-tripoli")],
    ),
    ("salah-al-din-alone-is-iraq", "قتل 5 في صلاح الدين", [("صلاح الدين", "salahuddin")]),
    (
        "salah-al-din-with-an-iraqi-town",
        "عادت عائلات إلى بيجي في صلاح الدين",
        [("بيجي", "baiji"), ("صلاح الدين", "salahuddin")],
    ),
]


@pytest.mark.parametrize(
    ("sentence", "expected"), [c[1:] for c in PLACE_CASES], ids=[c[0] for c in PLACE_CASES]
)
def test_find_places(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert found(find_places, sentence) == expected


PARTY_CASES = [
    ("daesh", "مناطق سيطرة تنظيم داعش في دير الزور", [("تنظيم داعش", "is")]),
    ("daesh-quoted", 'مسلحي تنظيم "داعش" الإرهابي', [("داعش", "is")]),
    ("la-daesh", "آخر جيب لداعش", [("داعش", "is")]),
    (
        "is-longest",
        "تنظيم الدولة الإسلامية في العراق والشام",
        [("تنظيم الدولة الإسلامية في العراق والشام", "is")],
    ),
    ("is-in-quotes", "عناصر تنظيم “الدولة الإسلامية” خرجوا", [("الدولة الإسلامية", "is")]),
    ("tanzim-alone-is-nothing", "خرجوا من جيب التنظيم", []),
    (
        "tanzim-after-is",
        "مناطق داعش ثم خرجوا من جيب التنظيم",
        [("داعش", "is"), ("التنظيم", "is")],
    ),
    (
        "tanzim-two-candidates",
        "تنظيم داعش وتنظيم القاعدة والتنظيم",
        [("تنظيم داعش", "is"), ("تنظيم القاعدة", "al-qaeda")],
    ),
    ("sdf", "قوات سوريا الديمقراطية", [("قوات سوريا الديمقراطية", "sdf")]),
    ("sdf-democratic-spelling", "قوات سوريا الديموقراطية", [("قوات سوريا الديموقراطية", "sdf")]),
    ("sdf-suriya", "قوات سورية الديمقراطية", [("قوات سورية الديمقراطية", "sdf")]),
    ("sdf-short", "قصف من قبل سوريا الديمقراطية", [("سوريا الديمقراطية", "sdf")]),
    ("qasad", "سيطرة قسد في الريف", [("قسد", "sdf")]),
    ("sdf-hashtag", "بدء #قوات_سوريا_الديمقراطية هجومها", [("قوات_سوريا_الديمقراطية", "sdf")]),
    ("ypg", "التي تشكل الوحدات الكردية ثقلها", [("الوحدات الكردية", "ypg")]),
    ("regime", "النظام ينفذ عمليات انتقام", [("النظام", "syrian-government")]),
    ("regime-forces", "بدأت قوات النظام ومليشيات", [("قوات النظام", "syrian-government")]),
    ("assad", "تقدم قوات الأسد", [("قوات الأسد", "syrian-government")]),
    ("syrian-army", "الجيش السوري يتقدم", [("الجيش السوري", "syrian-government")]),
    ("fsa-is-not-the-army", "الجيش السوري الحر يتقدم", [("الجيش السوري الحر", "fsa")]),
    ("world-order", "النظام العالمي الجديد", []),
    (
        "government-forces-syria",
        "القوات الحكومية في دير الزور",
        [("القوات الحكومية", "syrian-government")],
    ),
    ("government-forces-iraq", "القوات الحكومية في الموصل", [("القوات الحكومية", "iraqi-forces")]),
    ("government-forces-unknown", "القوات الحكومية تتقدم", []),
    ("coalition", "قوات التحالف الدولي", [("قوات التحالف الدولي", "coalition")]),
    ("coalition-lam", "لمناطق التحالف الدولي", [("التحالف الدولي", "coalition")]),
    (
        "coalition-bare-after-named",
        "التحالف الدولي ثم التحالف",
        [("التحالف الدولي", "coalition"), ("التحالف", "coalition")],
    ),
    ("saudi-coalition-from-place", "غارات التحالف على صنعاء", [("التحالف", "saudi-coalition")]),
    ("russia", "خلاف بين الروس والأميركيين", [("الروس", "russia")]),
    ("iran-backed", "الميليشيات الموالية لإيران", [("الميليشيات الموالية لإيران", "iran-backed")]),
    ("hezbollah", "مقاتلو حزب الله", [("حزب الله", "hezbollah")]),
    ("sna", "الجيش الوطني السوري", [("الجيش الوطني السوري", "turkish-backed")]),
    (
        "turkish-factions",
        "الفصائل الموالية لتركيا",
        [("الفصائل الموالية لتركيا", "turkish-backed")],
    ),
    ("turkish-army", "القوات التركية", [("القوات التركية", "turkish-army")]),
    ("hts", "هيئة تحرير الشام وجبهة النصرة", [("هيئة تحرير الشام", "hts"), ("جبهة النصرة", "hts")]),
    ("iraqi-forces", "الجيش العراقي", [("الجيش العراقي", "iraqi-forces")]),
    ("pmf", "فصائل الحشد الشعبي", [("الحشد الشعبي", "pmf")]),
    ("peshmerga", "قوات البيشمركة", [("قوات البيشمركة", "peshmerga")]),
    (
        "houthis",
        "جماعة الحوثي وأنصار الله والحوثيين",
        [("جماعة الحوثي", "houthis"), ("أنصار الله", "houthis"), ("الحوثيين", "houthis")],
    ),
    ("israeli-army", "جيش الاحتلال الإسرائيلي", [("جيش الاحتلال الإسرائيلي", "israeli-army")]),
    ("hamas", "حركة حماس", [("حركة حماس", "hamas")]),
    ("rsf", "قوات الدعم السريع", [("قوات الدعم السريع", "rsf")]),
    ("sudanese-army", "الجيش السوداني", [("الجيش السوداني", "sudanese-army")]),
]


@pytest.mark.parametrize(
    ("sentence", "expected"), [c[1:] for c in PARTY_CASES], ids=[c[0] for c in PARTY_CASES]
)
def test_find_parties(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert found(find_parties, sentence) == expected


def test_offsets_map_back_through_normalize() -> None:
    sentence = "هروب مدنيين من مناطق تنظيم داعش في مُحافظة دير الزّور وريف الحسكـة"
    norm = normalize(sentence)
    spans = [norm.span(m.start, m.end) for m in find_places(norm.text)]
    assert [sentence[a:b] for a, b in spans] == ["مُحافظة دير الزّور", "ريف الحسكـة"]
    mentions = find_parties(norm.text)
    assert mentions == [Mention(norm.text.index("تنظيم"), norm.text.index(" في "), "is")]


def test_mentions_are_ordered_and_disjoint_on_the_seeds(seeds_dir: Any) -> None:
    for path in sorted(seeds_dir.glob("*.txt")):
        text = fold(path.read_text("utf-8"))
        for find in (find_places, find_parties):
            mentions = find(text)
            assert mentions, f"{path.name}: nothing found by {find.__name__}"
            for a, b in itertools.pairwise(mentions):
                assert a.end <= b.start, (path.name, a, b)


LOOKUP_PLACE_CASES = [
    ("id", "deir-ez-zor", "deir-ez-zor"),
    ("id-odd-case", "Deir-Ez-Zor", "deir-ez-zor"),
    ("english", "Deir ez-Zor", "deir-ez-zor"),
    ("english-al", "Deir al-Zour", "deir-ez-zor"),
    ("english-spaces", "  deir ez zor ", "deir-ez-zor"),
    ("city-id", "deir-ez-zor-city", "deir-ez-zor-city"),
    ("city-english", "Deir ez-Zor city", "deir-ez-zor-city"),
    ("arabic", "دير الزور", "deir-ez-zor"),
    ("arabic-no-space", "ديرالزور", "deir-ez-zor"),
    ("arabic-city", "مدينة دير الزور", "deir-ez-zor-city"),
    ("arabic-countryside", "ريف دير الزور الشرقي", "deir-ez-zor"),
    ("abu-kamal", "Abu Kamal", "bukamal"),
    ("al-bukamal", "al-Bukamal", "bukamal"),
    ("arabic-alt", "أبو كمال", "bukamal"),
    ("kobani", "Ain al-Arab", "kobani"),
    ("kobani-arabic", "كوباني", "kobani"),
    ("strict-arabic-alone", "الباب", "al-bab"),
    ("strict-english", "al-Bab", "al-bab"),
    ("heh", "الرقه", "raqqa"),
    ("raqqa-caps", "RAQQA", "raqqa"),
    ("hamza", "ادلب", "idlib"),
    ("apostrophe", "Ma'arat an-Nu'man", "maarat-al-numan"),
    ("accent", "Türkiye", "turkey"),
    ("tripoli", "Tripoli", "tripoli"),
    ("tripoli-lebanon", "Tripoli, Lebanon", "tripoli-lebanon"),
    ("tripoli-arabic", "طرابلس", "tripoli"),
    ("unknown", "Atlantis", None),
    ("unknown-arabic", "الأطلنطس", None),
    ("empty", "  ", None),
    ("party-is-not-a-place", "SDF", None),
    ("blocker-is-not-a-place", "قوات سوريا الديمقراطية", None),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [c[1:] for c in LOOKUP_PLACE_CASES],
    ids=[c[0] for c in LOOKUP_PLACE_CASES],
)
def test_lookup_place(query: str, expected: str | None) -> None:
    assert lookup_place(query) == expected


LOOKUP_PARTY_CASES = [
    ("id", "is", "is"),
    ("isis", "ISIS", "is"),
    ("daesh", "Daesh", "is"),
    ("arabic", "داعش", "is"),
    ("arabic-long", "تنظيم الدولة الإسلامية", "is"),
    ("sdf", "sdf", "sdf"),
    ("sdf-arabic", "قسد", "sdf"),
    ("regime", "Regime", "syrian-government"),
    ("regime-arabic", "النظام", "syrian-government"),
    ("coalition", "US-led coalition", "coalition"),
    ("hyphen-id", "Turkish-Backed", "turkish-backed"),
    ("houthis", "أنصار الله", "houthis"),
    ("ambiguous-without-default", "التنظيم", None),
    ("unknown", "Martians", None),
    ("place-is-not-a-party", "Raqqa", None),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [c[1:] for c in LOOKUP_PARTY_CASES],
    ids=[c[0] for c in LOOKUP_PARTY_CASES],
)
def test_lookup_party(query: str, expected: str | None) -> None:
    assert lookup_party(query) == expected


@pytest.mark.parametrize("category", ["places", "parties"])
def test_every_name_in_the_data_finds_and_looks_up_its_entry(category: str) -> None:
    """Each entry's Arabic name and variants, in a sentence with a proclitic,
    are found as that entry; its id, English name and aliases look it up."""
    find = find_places if category == "places" else find_parties
    lookup = lookup_place if category == "places" else lookup_party
    for row in DATA[category]:
        strict = set(row.get("strict", []))
        for name in [row["ar"], *row.get("variants", [])]:
            spelled = f"مدينة {name}" if name in strict else name
            text = fold(f"قالت المصادر إن و{spelled} شهدت اليوم")
            assert [m.id for m in find(text)] == [row["id"]], name
            assert lookup(name) == row["id"], name
        for name in (row["id"], row["en"], *row.get("aliases", [])):
            assert lookup(name) == row["id"], name


def test_entries_and_ancestors() -> None:
    assert len(all_places()) == len(DATA["places"])
    assert [e.id for e in all_parties()] == [row["id"] for row in DATA["parties"]]
    baghuz = place("baghuz")
    assert baghuz is not None and baghuz.name_en == "Baghuz" and baghuz.kind == "town"
    assert place("is") is None and party("is") is not None and party("raqqa") is None
    assert ancestors("baghuz") == ("baghuz", "deir-ez-zor", "syria")
    assert ancestors("douma") == ("douma", "eastern-ghouta", "rif-dimashq", "syria")
    assert ancestors("nowhere") == ()
    governorates = [e for e in all_places() if e.kind == "governorate" and e.parent == "syria"]
    assert len(governorates) == 14
    assert ancestors("nyala") == ("nyala", "south-darfur", "darfur", "sudan")
    assert ancestors("arsal") == ("arsal", "baalbek-hermel", "lebanon")
    assert ancestors("marib-city") == ("marib-city", "marib", "yemen")
    for country, count in [("lebanon", 8), ("yemen", 22)]:
        assert (
            len([e for e in all_places() if e.kind == "governorate" and e.parent == country])
            == count
        )
    sudan_states = [
        e for e in all_places() if e.kind == "governorate" and "sudan" in ancestors(e.id)
    ]
    assert len(sudan_states) == 18


def test_data_integrity() -> None:
    places = {row["id"]: row for row in DATA["places"]}
    parties = {row["id"]: row for row in DATA["parties"]}
    assert len(places) == len(DATA["places"]) and len(parties) == len(DATA["parties"])
    assert not places.keys() & parties.keys()
    for row in [*DATA["places"], *DATA["parties"]]:
        assert row.get("parent") in (None, *places), row["id"]
        assert set(row) <= {
            *("id", "en", "ar", "kind", "parent", "variants", "strict", "aliases"),
            *("iso", "demonyms", "demonym_variants"),
        }
    # no spelling (folded as the matcher folds it) names two entries
    # (a country may share its name with the party that fights for it, as
    # إسرائيل: each matcher reads its own category)
    owner: dict[str, str] = {}
    for row in [*DATA["places"], *DATA["parties"]]:
        shared = row.get("kind") == "country"
        for name in [row["ar"], *row.get("variants", []), *row.get("strict", [])]:
            key = gazetteer._key(name) + ("@country" if shared else "")
            assert owner.setdefault(key, row["id"]) == row["id"], (name, owner[key], row["id"])
    for amb in DATA["ambiguous"]:
        pool = places if amb["category"] == "place" else parties
        assert set(amb["ids"]) <= pool.keys() and amb.get("default") in (None, *amb["ids"])
        assert gazetteer._key(amb["variant"]) not in owner, amb["variant"]


def _minimal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "places": [
            {"id": "syria", "en": "Syria", "ar": "سوريا", "kind": "country"},
            {"id": "raqqa", "en": "Raqqa", "ar": "الرقة", "kind": "governorate", "parent": "syria"},
        ],
        "parties": [{"id": "is", "en": "Islamic State", "ar": "داعش"}],
    }
    data.update(changes)
    return data


BAD_DATA = [
    (
        "duplicate-id",
        {
            "parties": [
                {"id": "is", "en": "a", "ar": "داعش"},
                {"id": "is", "en": "b", "ar": "تنظيم الدولة"},
            ]
        },
        "twice",
    ),
    (
        "place-and-party",
        {"parties": [{"id": "raqqa", "en": "x", "ar": "داعش"}]},
        "both a place and a party",
    ),
    ("bad-id", {"parties": [{"id": "Is", "en": "x", "ar": "داعش"}]}, "lowercase"),
    (
        "unknown-parent",
        {"parties": [{"id": "is", "en": "x", "ar": "داعش", "parent": "iraq"}]},
        "unknown parent",
    ),
    (
        "unknown-kind",
        {"places": [{"id": "x", "en": "X", "ar": "س", "kind": "planet"}]},
        "unknown kind",
    ),
    (
        "parent-loop",
        {
            "places": [
                {"id": "a", "en": "A", "ar": "ا", "kind": "region", "parent": "b"},
                {"id": "b", "en": "B", "ar": "ب", "kind": "region", "parent": "a"},
            ]
        },
        "loop",
    ),
    (
        "variant-names-two",
        {
            "parties": [
                {"id": "is", "en": "IS", "ar": "داعش"},
                {"id": "isis", "en": "ISIS", "ar": "دَاعِش"},
            ]
        },
        "names both",
    ),
    (
        "english-names-two",
        {
            "parties": [
                {"id": "is", "en": "IS", "ar": "داعش"},
                {"id": "x", "en": "is", "ar": "تنظيم"},
            ]
        },
        "names both",
    ),
    (
        "ambiguous-unknown-id",
        {"ambiguous": [{"category": "party", "variant": "التنظيم", "ids": ["is", "nobody"]}]},
        "unknown party",
    ),
]


@pytest.mark.parametrize(
    ("changes", "message"), [c[1:] for c in BAD_DATA], ids=[c[0] for c in BAD_DATA]
)
def test_build_refuses_contradictory_data(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(GazetteerError, match=message):
        build(_minimal(**changes))


def test_build_minimal_data_finds_its_names() -> None:
    g = build(_minimal())
    assert gazetteer._scan(g.place_matcher, fold("في الرقة")) != []
    assert gazetteer._scan(g.party_matcher, fold("في الرقة")) == []


# ---------------------------------------------------------------- the Scanner


def _snapshot_texts() -> list[str]:
    path = Path(__file__).parent / "data" / "extract_snapshot.jsonl"
    with path.open(encoding="utf-8") as f:
        return [normalize(json.loads(line)["text"]).text for line in f if line.strip()]


def _word_starts(text: str, *, filtered: bool) -> list[int]:
    """Every letter run's start, or only those that may start a name."""
    runs = re.finditer(r"[^\W_]+", text)
    return [m.start() for m in runs if not filtered or may_start_name(m.group())]


def _slices(text: str) -> list[tuple[int, int]]:
    """Each line, each pair of adjacent lines, and a few slices that cut words."""
    bounds = [0, *(m.end() for m in re.finditer("\n", text)), len(text)]
    lines = [(a, b) for a, b in itertools.pairwise(bounds) if a < b]
    pairs = [(a, d) for (a, _), (_, d) in itertools.pairwise(lines)]
    cuts = [(a + 3, b - 2) for a, b in lines if b - a > 10]
    return lines + pairs + cuts


def _tuples(mentions: list[Mention], by: int = 0) -> list[tuple[int, int, str]]:
    return [(m.start + by, m.end + by, m.id) for m in mentions]


SCANNER_STARTS = [
    ("no-starts", None),
    ("every-letter-run", False),
    ("name-starts-only", True),
]


@pytest.mark.parametrize(
    ("filtered"), [f for _, f in SCANNER_STARTS], ids=[i for i, _ in SCANNER_STARTS]
)
def test_scanner_reads_every_slice_as_find_does(seeds_dir: Any, filtered: bool | None) -> None:
    """`Scanner(text, regions, starts).places(lo, hi)` is `find_places(text[lo:hi])`
    shifted by lo, whatever the regions and starts; the same for parties."""
    seeds = [normalize(p.read_text("utf-8")).text for p in sorted(seeds_dir.glob("*.txt"))]
    checked = 0
    for text in seeds + _snapshot_texts():
        slices = _slices(text)
        starts = None if filtered is None else _word_starts(text, filtered=filtered)
        scanner = gazetteer.Scanner(text, slices[: len(slices) // 2], starts)
        for lo, hi in [(0, len(text)), *slices]:
            piece = text[lo:hi]
            assert _tuples(scanner.places(lo, hi)) == _tuples(find_places(piece), lo)
            assert _tuples(scanner.parties(lo, hi)) == _tuples(find_parties(piece), lo)
            checked += 1
    assert checked > 3000


def test_mention_is_an_immutable_hashable_value() -> None:
    text = fold("نزحوا من الرقة إلى الرقة")
    first, second = find_places(text)
    assert (first.id, second.id) == ("raqqa", "raqqa")
    assert first != second
    assert first == Mention(first.start, first.end, "raqqa")
    assert len({first, second, Mention(first.start, first.end, "raqqa")}) == 2
    with pytest.raises(AttributeError):
        first.start = 0  # type: ignore[misc]


# ---------------------------------------------------------------- the one walk up the hierarchy

_PARENTS = {
    "town": "district",
    "district": "governorate",
    "governorate": "country",
    "a": "b",
    "b": "a",
    **{f"level{n}": f"level{n + 1}" for n in range(40)},
}


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("town", ("town", "district", "governorate", "country")),
        ("country", ("country",)),
        ("nowhere", ("nowhere",)),
        ("a", ("a", "b")),
        ("level0", tuple(f"level{n}" for n in range(gazetteer.MAX_DEPTH))),
    ],
    ids=["to-the-top", "already-the-top", "unknown", "stops-before-a-loop", "depth-capped"],
)
def test_walk_up(start: str, expected: tuple[str, ...]) -> None:
    assert gazetteer.walk_up(start, _PARENTS.get) == expected


def test_ancestors_and_subscriptions_walk_alike() -> None:
    from bot.ingest.subscriptions import lineage

    for entry in gazetteer.all_places():
        assert tuple(lineage(entry.id)) == gazetteer.ancestors(entry.id)
