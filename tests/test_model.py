"""The figure record crosses process boundaries (the worker pool sends the
figures of an article back to the service): it must survive pickling in
the build that runs, compiled or not."""

from __future__ import annotations

import pickle

import figures
from figures.model import Figure, Metric, Qualifier, Scope, Unit


def test_a_figure_survives_pickling_in_the_build_that_runs() -> None:
    figure = Figure(
        Metric.DISPLACED,
        38550.0,
        Unit.PERSON,
        Qualifier.EXACT,
        False,
        Scope.TOTAL,
        None,
        "38550",
        10,
        15,
        place="deir-ez-zor",
        since="--12-01",
        country="SY",
        admin1="SY-DY",
    )
    again = pickle.loads(pickle.dumps(figure))
    assert again == figure and again.to_json() == figure.to_json()
    # the compiled build restored field by field raised FrozenInstanceError
    assert isinstance(figures.COMPILED, bool)
