"""The figure engine compiled with mypyc (setup.py) and as pure Python.

`make test` runs the suite on the compiled modules when the machine can build
them; these tests hold the two builds to the same outputs, and check that the
package only loads compiled modules that match their sources: a stale, partly
built or unwanted (RAQIB_PURE) build runs from the sources instead.  Each
check imports the package in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import figures
from figures import extract

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "data" / "extract_snapshot.jsonl"
MODULES = sorted(p.stem for p in (ROOT / "figures").glob("*.py") if p.name != "__init__.py")
SHARED = "_native__mypyc"
SENTENCE = "نزح أكثر من 11500 شخص خلال أسبوعين"

PROBE = """
import json, sys, figures
print(json.dumps({
    "compiled": figures.COMPILED,
    "extract_file": sys.modules["figures.extract"].__file__,
    "figures": [f.to_json() for f in figures.extract(sys.argv[1])],
}))
"""


def _python(code: str, *args: str, path: Path | None = None, pure: bool = False):
    env = {k: v for k, v in os.environ.items() if k != "RAQIB_PURE"}
    if pure:
        env["RAQIB_PURE"] = "1"
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=path or ROOT,
        timeout=120,
    )


def _copy_sources(tmp_path: Path) -> Path:
    """figures/ sources and data, without any compiled module."""
    dst = tmp_path / "figures"
    shutil.copytree(ROOT / "figures", dst, ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    return dst


def _fake_builds(package: Path, names: list[str], age: float) -> None:
    """Files named like compiled modules that are not loadable at all (so a run
    that loads one fails), `age` seconds older than now (negative: newer)."""
    stamp = time.time() - age
    for name in names:
        fake = package / (name + EXTENSION_SUFFIXES[0])
        fake.write_bytes(b"not a shared object")
        os.utime(fake, (stamp, stamp))
    for source in package.glob("*.py"):
        os.utime(source, (time.time(), time.time()))


def _probe(path: Path | None = None, pure: bool = False) -> tuple[dict, str]:
    done = _python(PROBE, SENTENCE, path=path, pure=pure)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_the_build_in_use_is_the_one_reported() -> None:
    """figures.COMPILED says which modules run: the compiled ones exactly when
    every one is built and fresh."""
    module_file = sys.modules["figures.extract"].__file__
    assert module_file is not None
    built = [
        n
        for n in [*MODULES, SHARED]
        if any((ROOT / "figures" / (n + s)).exists() for s in EXTENSION_SUFFIXES)
    ]
    assert module_file.endswith(tuple(EXTENSION_SUFFIXES)) == figures.COMPILED
    if figures.COMPILED:
        assert sorted(built) == sorted([*MODULES, SHARED])


def test_pure_python_gives_the_same_figures_as_this_build() -> None:
    """Every snapshot text extracted in a pure-Python interpreter and here (the
    compiled build under `make test`) gives the same figures."""
    with SNAPSHOT.open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    code = (
        "import json, sys, figures\n"
        "assert not figures.COMPILED\n"
        "texts = json.load(sys.stdin)\n"
        "print(json.dumps([[f.to_json() for f in figures.extract(t)] for t in texts]))\n"
    )
    env = {**os.environ, "RAQIB_PURE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    pure = json.loads(done.stdout)
    here = [[f.to_json() for f in extract(t)] for t in texts]
    assert len(pure) == len(here) == len(texts) > 1000
    assert pure == here


def test_stale_compiled_modules_are_not_loaded(tmp_path: Path) -> None:
    package = _copy_sources(tmp_path)
    _fake_builds(package, [*MODULES, SHARED], age=3600)
    out, err = _probe(tmp_path)
    assert out["compiled"] is False
    assert out["extract_file"] == str(package / "extract.py")
    assert out["figures"][0]["value"] == 11500
    assert "stale" in err and "make compile" in err


def test_a_partial_build_is_not_loaded(tmp_path: Path) -> None:
    package = _copy_sources(tmp_path)
    _fake_builds(package, MODULES[:2], age=-3600)  # newer than the sources, but two of many
    out, err = _probe(tmp_path)
    assert out["compiled"] is False
    assert out["extract_file"] == str(package / "extract.py")
    assert "partial" in err


def test_raqib_pure_runs_the_sources_without_a_warning(tmp_path: Path) -> None:
    package = _copy_sources(tmp_path)
    _fake_builds(package, [*MODULES, SHARED], age=-3600)  # complete and fresh, as built
    out, err = _probe(tmp_path, pure=True)
    assert out["compiled"] is False
    assert out["extract_file"] == str(package / "extract.py")
    assert out["figures"][0]["metric"] == "displaced"
    assert "RuntimeWarning" not in err


def test_a_fresh_complete_build_is_what_loads(tmp_path: Path) -> None:
    """The other side of the checks above: the same fake build, complete and
    fresh and not refused, is loaded (and fails, being fake)."""
    package = _copy_sources(tmp_path)
    _fake_builds(package, [*MODULES, SHARED], age=-3600)
    done = _python(PROBE, SENTENCE, path=tmp_path)
    assert done.returncode != 0
    assert "ImportError" in done.stderr
