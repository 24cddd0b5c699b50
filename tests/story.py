"""The seed articles with their figures written out by hand (as FIGURES.md's
gold gives them, plus the place, party and since-date the extractor adds), so
the story of the Deir ez-Zor pocket can be replayed before and apart from the
extractor."""

from __future__ import annotations

from pathlib import Path

from bot.config.schema import SourceConfig
from bot.ingest.pipeline import document_text
from figures.model import Figure, Metric, Qualifier, Scope, Unit
from scrapers.files import FilesSource
from scrapers.model import Article

DZ = "deir-ez-zor"
M, Q, S = Metric, Qualifier, Scope

# file prefix → (metric, value, qualifier, vague, scope, window, since, party, quote)
Row = tuple[Metric, float, Qualifier, bool, Scope, str | None, str | None, str | None, str]
HAND: dict[str, list[Row]] = {
    "003": [
        (
            M.SHARE_CONTROLLED,
            95,
            Q.MORE_THAN,
            False,
            S.TOTAL,
            None,
            None,
            "syrian-government",
            "أكثر من 95% من مساحة المدينة",
        ),
        (M.DISPLACED, 1000, Q.EXACT, True, S.TOTAL, None, None, None, "الآلاف من المدنيين فروا"),
        (M.RETURNED, 1000, Q.EXACT, True, S.TOTAL, None, None, None, "الآلاف من السوريين"),
    ],
    "000": [
        (M.DISPLACED, 10, Q.EXACT, True, S.BATCH, None, None, None, "لعشرات المدنيين"),
        (M.BESIEGED, 1000, Q.EXACT, True, S.TOTAL, None, None, None, "آلاف الرهائن المدنيين"),
        (M.DISPLACED, 11500, Q.MORE_THAN, False, S.WINDOW, "2w", None, None, "أكثر من 11500 شخص"),
        (M.DISPLACED, 15000, Q.MORE_THAN, False, S.TOTAL, None, None, None, "أكثر من 15 ألف شخص"),
        (
            M.DISPLACED,
            700,
            Q.MORE_THAN,
            False,
            S.TOTAL,
            None,
            None,
            None,
            "أكثر من 700 عنصر من التنظيم",
        ),
    ],
    "002": [
        (M.DISPLACED, 11500, Q.MORE_THAN, False, S.WINDOW, "2w", None, None, "أكثر من 11500 شخص"),
        (M.DISPLACED, 15000, Q.MORE_THAN, False, S.TOTAL, None, None, None, "أكثر من 15 ألف شخص"),
        (
            M.DISPLACED,
            700,
            Q.MORE_THAN,
            False,
            S.TOTAL,
            None,
            None,
            None,
            "أكثر من 700 عنصر من التنظيم",
        ),
    ],
    "001": [
        (M.DISPLACED, 1500, Q.APPROX, False, S.WINDOW, "48h", None, None, "نحو 1500"),
        (M.AREA_CONTROLLED, 2, Q.LESS_THAN, False, S.TOTAL, None, None, "is", "أقل من 2 كلم مربع"),
        (M.DISPLACED, 350, Q.MORE_THAN, False, S.BATCH, None, None, None, "أكثر من 350 شخصاً"),
        (
            M.DISPLACED,
            30,
            Q.AT_LEAST,
            False,
            S.BATCH,
            None,
            None,
            None,
            "30 على الأقل من عناصر التنظيم",
        ),
        (M.DISPLACED, 38550, Q.EXACT, False, S.TOTAL, None, "--12-01", None, "38550 عدد الخارجين"),
        (
            M.DISPLACED,
            36500,
            Q.MORE_THAN,
            False,
            S.TOTAL,
            None,
            "--12-19",
            None,
            "أكثر من 36500 خرجوا",
        ),
        (M.DETAINED, 3480, Q.APPROX, False, S.TOTAL, None, None, None, "نحو 3480 عنصر"),
        (M.DISPLACED, 500, Q.AT_LEAST, False, S.BATCH, None, None, None, "500 شخص على الأقل"),
        (M.DISPLACED, 600, Q.APPROX, False, S.BATCH, None, None, None, "نحو 600 شخص"),
        (M.BESIEGED, 100, Q.EXACT, True, S.TOTAL, None, None, None, "مئات العوائل"),
        (M.AREA_CONTROLLED, 4, Q.EXACT, False, S.TOTAL, None, None, "is", "آخر 4 كلم"),
    ],
    "004": [
        (M.BESIEGED, 100, Q.EXACT, True, S.TOTAL, None, None, None, "مئات الجهاديين"),
        (
            M.AREA_CONTROLLED,
            1,
            Q.APPROX,
            False,
            S.TOTAL,
            None,
            None,
            "is",
            "حوالي كيلومتر واحد مربع",
        ),
        (M.AREA_CONTROLLED, 0.0007, Q.EXACT, False, S.TOTAL, None, None, "is", "700 متر مربع"),
        (M.BESIEGED, 1000, Q.AT_LEAST, False, S.TOTAL, None, None, None, "ألف وما فوق"),
        (M.SURRENDERED, 240, Q.APPROX, False, S.BATCH, None, None, None, "نحو 240 من مسلحي داعش"),
        (M.DISPLACED, 100, Q.EXACT, True, S.WINDOW, None, None, None, "بالمئات"),
        (
            M.DISPLACED,
            1500,
            Q.AT_LEAST,
            False,
            S.WINDOW,
            "48h",
            None,
            None,
            "نحو 1500 شخص على الأقل",
        ),
        (
            M.DISPLACED,
            38000,
            Q.MORE_THAN,
            False,
            S.TOTAL,
            None,
            "--12-01",
            None,
            "أكثر من 38 ألف شخص",
        ),
        (M.DETAINED, 3400, Q.MORE_THAN, False, S.TOTAL, None, None, None, "أكثر من 3400 مشتبه"),
    ],
}

UNITS = {M.AREA_CONTROLLED: Unit.KM2, M.SHARE_CONTROLLED: Unit.PERCENT}


def seed_articles(seeds: Path) -> list[Article]:
    """The seed articles as the files source reads them, oldest first."""
    config = SourceConfig.of(name="seeds", kind="files", path=str(seeds))
    return FilesSource(config).read_all()


def hand_figures(article: Article) -> list[Figure]:
    """The hand-written figures of a seed article, with offsets in its text."""
    text = document_text(article)
    prefix = article.url.rsplit("/", 1)[-1][:3]
    out = []
    for metric, value, qual, vague, scope, window, since, party, quote in HAND[prefix]:
        start = text.find(quote)
        assert start >= 0, f"{prefix}: quote not in the text: {quote}"
        out.append(
            Figure(
                metric=metric,
                value=value,
                unit=UNITS.get(metric, Unit.PERSON),
                qualifier=qual,
                vague=vague,
                scope=scope,
                window=window,
                quote=quote,
                start=start,
                end=start + len(quote),
                place=DZ,
                party=party,
                since=since,
            )
        )
    return out
