"""Metric names: labels in both languages, and metrics from what users type."""

from __future__ import annotations

import pytest

from figures.model import Metric
from figures.names import LANGS, METRIC_NAMES, lookup_metric, metric_name


def test_every_metric_has_a_name() -> None:
    assert list(METRIC_NAMES) == list(Metric)


@pytest.mark.parametrize("lang", LANGS)
def test_labels_are_distinct_and_in_their_script(lang: str) -> None:
    labels = [metric_name(m, lang) for m in Metric]
    assert len(set(labels)) == len(labels)
    for label in labels:
        arabic = any("\u0600" <= c <= "\u06ff" for c in label)
        assert arabic == (lang == "ar"), label


@pytest.mark.parametrize("metric", list(Metric), ids=[m.value for m in Metric])
@pytest.mark.parametrize("lang", LANGS)
def test_label_looks_up_its_metric(metric: Metric, lang: str) -> None:
    assert lookup_metric(metric_name(metric, lang)) is metric


@pytest.mark.parametrize("metric", list(Metric), ids=[m.value for m in Metric])
def test_value_and_every_typed_word_look_up_the_metric(metric: Metric) -> None:
    for word in (metric.value, metric.value.upper(), *METRIC_NAMES[metric].typed):
        assert lookup_metric(word) is metric, word


LOOKUPS = [
    ("value", "displaced", Metric.DISPLACED),
    ("label", "Displaced", Metric.DISPLACED),
    ("caps", "KILLED", Metric.KILLED),
    ("masdar", "نزوح", Metric.DISPLACED),
    ("plural-genitive", "نازحين", Metric.DISPLACED),
    ("with-al", "النازحين", Metric.DISPLACED),
    ("with-al-nominative", "النازحون", Metric.DISPLACED),
    ("killed-ar", "قتلى", Metric.KILLED),
    ("killed-ar-al", "القتلى", Metric.KILLED),
    ("killed-alef-maqsura-as-yeh", "قتلي", Metric.KILLED),
    ("hyphen", "area-controlled", Metric.AREA_CONTROLLED),
    ("space", "share controlled", Metric.SHARE_CONTROLLED),
    ("underscore-caps", "PLACES_CONTROLLED", Metric.PLACES_CONTROLLED),
    ("spaces-around", "  detained ", Metric.DETAINED),
    ("wounded", "wounded", Metric.INJURED),
    ("injured-ar", "الجرحى", Metric.INJURED),
    ("hamza", "اسري", Metric.DETAINED),
    ("teh-as-heh", "اصابه", Metric.INJURED),
    ("casualties-ar", "قتلى وجرحى", Metric.CASUALTIES),
    ("unknown", "weather", None),
    ("unknown-ar", "طقس", None),
    ("empty", "", None),
    ("blank", "   ", None),
]


@pytest.mark.parametrize(
    ("query", "expected"), [c[1:] for c in LOOKUPS], ids=[c[0] for c in LOOKUPS]
)
def test_lookup_metric(query: str, expected: Metric | None) -> None:
    assert lookup_metric(query) is expected


def test_unknown_language_falls_back_to_english() -> None:
    assert metric_name(Metric.KILLED, "fr") == metric_name(Metric.KILLED, "en") == "Killed"
    assert metric_name(Metric.DISPLACED, "ar") == "نازحون"
