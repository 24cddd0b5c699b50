"""The figure engine: Arabic numerals, the metric lexicon, extraction and the
diff rules.  Pure: no I/O of any kind."""

from figures.extract import extract
from figures.model import Figure, Metric, Qualifier, Scope, Unit
from figures.numbers import NumberMatch, parse_number, scan_numbers

__all__ = [
    "Figure",
    "Metric",
    "NumberMatch",
    "Qualifier",
    "Scope",
    "Unit",
    "extract",
    "parse_number",
    "scan_numbers",
]
