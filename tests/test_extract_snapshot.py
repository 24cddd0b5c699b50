"""Regression snapshot of the extractor: `extract(text)` on a fixed corpus must
give exactly the figures recorded in tests/data/extract_snapshot.jsonl.

The corpus (stored with the figures, so this test reads nothing else): the
seed articles, every Arabic string in the figures tests' tables, the held-out
articles, small hostile inputs, and synthetic news sentences recombined from
the lexicon, the gazetteer and numerals of every script (a fixed random seed).

The snapshot guards speed work: an optimisation must not change any output.
A deliberate change of behaviour regenerates it, and its commit says which
outputs changed and why:

    .venv/bin/python tests/test_extract_snapshot.py           # re-extract the stored texts
    .venv/bin/python tests/test_extract_snapshot.py --add     # and add new table/held-out texts
    .venv/bin/python tests/test_extract_snapshot.py --corpus  # rebuild the corpus too
"""

from __future__ import annotations

import ast
import itertools
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from figures import extract, gazetteer  # noqa: E402
from figures.text import normalize  # noqa: E402

SNAPSHOT = Path(__file__).parent / "data" / "extract_snapshot.jsonl"


def _load() -> list[dict[str, Any]]:
    if not SNAPSHOT.exists():  # building it for the first time
        return []
    with SNAPSHOT.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


CASES = _load()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_extract_matches_snapshot(case: dict[str, Any]) -> None:
    got = [f.to_json() for f in extract(case["text"])]
    assert got == case["figures"]


def test_snapshot_covers_every_source_and_has_figures() -> None:
    kinds = {c["id"].split(":", 1)[0] for c in CASES}
    assert kinds == {"seed", "table", "heldout", "hostile", "synthetic"}
    with_figures = sum(1 for c in CASES if c["figures"])
    assert with_figures > len(CASES) // 3


def _slices(text: str, rng: random.Random) -> list[tuple[int, int]]:
    """Sentence slices as the extractor makes them, and random ones (cutting words)."""
    bounds = [i for i, ch in enumerate(text) if ch in "\n.!?؟…"]
    edges = [0, *bounds, len(text)]
    out = list(itertools.pairwise(edges))
    for _ in range(10):
        lo = rng.randrange(len(text) + 1)
        out.append((lo, rng.randrange(lo, len(text) + 1)))
    return out


@pytest.mark.parametrize("case", CASES[::7], ids=[c["id"] for c in CASES[::7]])
def test_gazetteer_scanner_slices_match_find_on_the_slice(case: dict[str, Any]) -> None:
    """`Scanner` must find in a slice exactly what `find_places`/`find_parties`
    find on the slice itself (and the whole text's matches once asked for)."""
    text = normalize(case["text"]).text[:20_000]
    slices = _slices(text, random.Random(case["id"]))
    scanner = gazetteer.Scanner(text)
    # regions as the extractor gives them (some merge), and random ones
    regioned = gazetteer.Scanner(text, slices[::2] + slices[-10:])
    for lo, hi in slices:
        for find, sliced in (
            (gazetteer.find_places, scanner.places),
            (gazetteer.find_parties, scanner.parties),
            (gazetteer.find_places, regioned.places),
            (gazetteer.find_parties, regioned.parties),
        ):
            alone = [(m.start + lo, m.end + lo, m.id) for m in find(text[lo:hi])]
            assert [(m.start, m.end, m.id) for m in sliced(lo, hi)] == alone, (lo, hi)
    assert scanner.places() == gazetteer.find_places(text)


# ---------------------------------------------------------------------------
# Building the corpus (run as a script; the test never calls this).


_TABLE_FILES = (
    "test_extract.py",
    "test_numbers.py",
    "test_gazetteer.py",
    "test_names.py",
    "test_replay.py",
    "test_pipeline.py",
    "test_diff.py",
    "test_scope.py",
    "test_hedges.py",
    "test_number_forms.py",
    "test_text.py",
)


def _arabic(s: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


def _table_strings() -> list[str]:
    """Every Arabic string literal in the figures tests (up to 20 KB each)."""
    out: dict[str, None] = {}
    for name in _TABLE_FILES:
        path = Path(__file__).parent / name
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                s = node.value
                if _arabic(s) and len(s) <= 20_000:
                    out.setdefault(s, None)
    return list(out)


_HOSTILE = [
    "7" * 5000,
    "1,234," * 500,
    "أكثر من " * 300 + "نزح",
    "نـــــزح " * 300 + "ـ" * 100,
    "\u064b\u0651\u0670" * 100,
    "نزح ١٢٣ people 456 ۷۸۹ شخص 𝟏𝟐 ١٢٫٥ " * 30,
    "،.؟!:؛" * 100,
    "نزح " + "9" * 39 + " شخص و" + "9" * 41 + " قتيلا",
    "قتل 1.2.3.4.5 شخصا و12,34,5 جريحا و1٬234٫5 مفقودا",
    (
        "1234567890" * 30
        + " أكثر من نحو على الأقل ما لا يقل عن " * 3
        + "نـــــــزح ـــ قـــتــل ١٢٣٬٤٥٦ ۷۸۹ people 42 km2 "
        + "نزح 1500 شخص، بينهم 30 و20 و10 خلال 48 ساعة منذ الأول من ديسمبر. "
        + "\u064b\u0651 ، ، ، "
    )
    * 4,
]


def _synthetic(count: int, seed: int = 2) -> list[str]:
    """News-like sentences and short articles recombined from the lexicon."""
    from figures import gazetteer
    from figures import lexicon as lx

    rng = random.Random(seed)
    data = lx._DATA
    triggers: list[str] = []
    for table in data["metric"].values():
        for key in ("verbs", "nouns", "weak"):
            triggers.extend(table.get(key, []))
        triggers.extend(" ".join(p) for p in table.get("phrases", []))
    control = list(data["territory"]["control"])
    before = [w for table in data["qualifier"]["before"].values() for w in table]
    after = [w for table in data["qualifier"]["after"].values() for w in table]
    persons = list(data["counted"]["person"]) + list(data["counted"]["household"])
    squares = list(data["area"]["square"]) + list(data["area"]["linear"])
    percent = [*data["percent"]["words"], "%"]
    blocks = [w for words in data["not_figure"].values() for w in words]
    blocks_before = [w for words in data["not_figure_before"].values() for w in words]
    scope = list(data["scope"]["batch"]) + list(data["scope"]["total"])
    durations = list(data["duration"]["units"])
    dur_words = list(data["duration"]["words"])
    opens = list(data["duration"]["context"]["open"])
    closes = list(data["duration"]["context"]["close"])
    subsets = list(data["subset"]["words"])
    vague = list(data["vague"])
    duals = [w for words in data["duals"].values() for w in words]
    places = [e.name_ar for e in gazetteer.all_places()[:80]]
    parties = [e.name_ar for e in gazetteer.all_parties()[:30]]
    months = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "تموز", "آب", "أكتوبر"]
    words = [
        "خمسة",
        "ثلاثة آلاف",
        "مئة وخمسين ألفا",
        "مليون و150 ألف",
        "أحد عشر ألفا وخمسمائة",
        "نصف مليون",
        "مليونين ونصف",
        "عشرات الآلاف",
        "بضعة آلاف",
        "مئات",
        "ثلاثمائة",
        "ألفين",
        "خمسة وعشرون",
    ]
    indic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

    def number() -> str:
        roll = rng.random()
        n = rng.choice([rng.randint(1, 99), rng.randint(100, 9999), rng.randint(10_000, 10**7)])
        if roll < 0.3:
            return str(n)
        if roll < 0.45:
            return f"{n:,}".translate(indic).replace(",", "٬")
        if roll < 0.55:
            return str(n).translate(persian)
        if roll < 0.65:
            return f"{n:,}".replace(",", rng.choice([",", "."]))
        if roll < 0.72:
            return f"{rng.randint(1, 9)}.{rng.randint(1, 9)} " + rng.choice(["مليون", "ألف"])
        if roll < 0.8:
            return f"{rng.randint(2, 99)} " + rng.choice(["ألف", "ألفا", "آلاف", "مليون"])
        return rng.choice(words + vague)

    def clause() -> str:
        parts: list[str] = []
        if rng.random() < 0.3:
            parts.append(rng.choice(["أعلنت", "قالت", "أكدت", "ذكرت"]) + " مصادر محلية أن")
        if rng.random() < 0.6:
            parts.append(rng.choice(triggers + control))
        if rng.random() < 0.5:
            parts.append(rng.choice(before))
        if rng.random() < 0.1:
            parts.append(rng.choice(blocks_before))
        if rng.random() < 0.08:
            parts.append(rng.choice(duals))
        else:
            parts.append(number())
        roll = rng.random()
        if roll < 0.5:
            parts.append(rng.choice(persons))
        elif roll < 0.62:
            parts.append(rng.choice(squares))
        elif roll < 0.7:
            parts.append(rng.choice(percent))
        elif roll < 0.82:
            parts.append(rng.choice(blocks))
        if rng.random() < 0.25:
            parts.append(rng.choice(after))
        if rng.random() < 0.5:
            parts.append(rng.choice(triggers + control))
        if rng.random() < 0.4:
            parts.append(rng.choice(["في", "من", "قرب"]) + " " + rng.choice(places))
        if rng.random() < 0.15:
            parts.append(rng.choice(["من عناصر", "على يد", "سيطرة"]) + " " + rng.choice(parties))
        if rng.random() < 0.2:
            parts.append(rng.choice(subsets) + " " + number() + " " + rng.choice(persons))
        roll = rng.random()
        if roll < 0.15:
            parts.append(f"{rng.choice(opens)} {rng.randint(2, 72)} {rng.choice(durations)}")
        elif roll < 0.25:
            parts.append(f"{rng.choice(opens)} {rng.choice(dur_words)} {rng.choice(closes)}")
        elif roll < 0.35:
            parts.append(f"منذ {rng.randint(1, 28)} {rng.choice(months)} {rng.randint(2011, 2025)}")
        elif roll < 0.45:
            parts.append(rng.choice(scope))
        return " ".join(parts)

    out = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.choice([1, 1, 1, 2, 3, 5])):
            text = clause()
            while rng.random() < 0.3:
                text += rng.choice(["، ", " و", "، فيما ", " بينما "]) + clause()
            sentences.append(text + rng.choice([".", ".", "\n", "؟ "]))
        headline = clause() + "\n" if rng.random() < 0.2 else ""
        out.append(headline + " ".join(sentences))
    return out


def _corpus() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        texts.append((f"seed:{path.stem}", path.read_text(encoding="utf-8")))
    for i, s in enumerate(_table_strings()):
        texts.append((f"table:{i:04d}", s))
    with (Path(__file__).parent / "data" / "extract_heldout.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                article = json.loads(line)
                texts.append((f"heldout:{article['id']}", article["text"]))
    for i, s in enumerate(_HOSTILE):
        texts.append((f"hostile:{i:02d}", s))
    for i, s in enumerate(_synthetic(400)):
        texts.append((f"synthetic:{i:04d}", s))
    return texts


def _write(texts: list[tuple[str, str]]) -> None:
    with SNAPSHOT.open("w", encoding="utf-8") as f:
        for id_, text in texts:
            figures = [fig.to_json() for fig in extract(text)]
            row = {"id": id_, "text": text, "figures": figures}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _added(stored: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The stored texts, then the table strings and held-out articles not yet
    stored (the synthetic sentences stay as they are)."""
    have = {text for _, text in stored}
    ids = {id_ for id_, _ in stored}
    tables = sum(1 for id_ in ids if id_.startswith("table:"))
    out = list(stored)
    for id_, text in _corpus():
        if id_.startswith(("table:", "heldout:")) and text not in have:
            if id_.startswith("table:"):
                id_ = f"table:{tables:04d}"
                tables += 1
            if id_ not in ids:
                out.append((id_, text))
                ids.add(id_)
                have.add(text)
    return out


if __name__ == "__main__":
    stored = [(c["id"], c["text"]) for c in CASES]
    if "--corpus" in sys.argv[1:]:
        corpus = _corpus()
    elif "--add" in sys.argv[1:]:
        corpus = _added(stored)
    else:
        corpus = stored
    _write(corpus)
    rows = _load()
    print(f"{SNAPSHOT}: {len(rows)} texts, {sum(len(r['figures']) for r in rows)} figures")
