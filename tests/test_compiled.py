"""The figure engine compiled with mypyc (setup.py) and as pure Python.

The build lives in figures/_mypyc/; figures/__init__.py runs it when every
module of it is there and imports, else the sources, and never a mix.
`make test` runs the suite on the compiled build when the machine can make
it; these tests hold the two builds to the same outputs, and check the
choice: a partial or broken build, or RAQIB_PURE, runs the sources, without a
word on stderr (the user did not ask for a build).  The choice is checked on
a copy of the package with a stand-in build: modules in figures/_mypyc/ that
are the sources themselves (so that they load, and it shows which copy ran),
or bytes that are no extension at all (so that they fail to load).  Each check
imports the package in a fresh interpreter.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import figures
from figures import extract

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "figures" / "_mypyc"
SNAPSHOT = ROOT / "tests" / "data" / "extract_snapshot.jsonl"
MODULES = sorted(p.stem for p in (ROOT / "figures").glob("*.py") if p.name != "__init__.py")
SHARED = "_native__mypyc"
SENTENCE = "نزح أكثر من 11500 شخص خلال أسبوعين"

PROBE = """
import json, sys, figures
found = [f.to_json() for f in figures.extract(sys.argv[1])]  # the engine's modules load
print(json.dumps({
    "compiled": figures.COMPILED,
    "error": figures.BUILD_ERROR,
    "files": {n: m.__file__ for n, m in sys.modules.items() if n.startswith("figures.")},
    "figures": found,
}))
"""


def _built(folder: Path, name: str) -> Path | None:
    return next((p for s in EXTENSION_SUFFIXES if (p := folder / (name + s)).is_file()), None)


REAL_BUILD = all(_built(BUILD, n) for n in [*MODULES, SHARED])
"""This checkout holds a complete compiled build (`make compile`)."""


def _probe(path: Path, pure: bool = False) -> tuple[dict, str]:
    env = {k: v for k, v in os.environ.items() if k != "RAQIB_PURE"}
    if pure:
        env["RAQIB_PURE"] = "1"
    env["PYTHONPATH"] = str(path)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, SENTENCE],
        capture_output=True,
        text=True,
        env=env,
        cwd=path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def _copy_sources(tmp_path: Path) -> Path:
    """figures/ sources and data, without any build."""
    dst = tmp_path / "figures"
    shutil.copytree(
        ROOT / "figures", dst, ignore=shutil.ignore_patterns("_mypyc", "*.so", "__pycache__")
    )
    return dst


def _stand_in_build(package: Path, names: list[str], broken: tuple[str, ...] = ()) -> Path:
    """figures/_mypyc/ holding `names`: each a copy of its source (the shared
    library an empty module), or, for those in `broken`, a file named like
    an extension module that is none."""
    build = package / "_mypyc"
    build.mkdir()
    for name in names:
        if name in broken:
            (build / (name + EXTENSION_SUFFIXES[0])).write_bytes(b"not a shared object")
        elif name == SHARED:
            (build / f"{name}.py").write_text("", encoding="utf-8")
        else:
            shutil.copy(package / f"{name}.py", build / f"{name}.py")
    return build


def _all_from(out: dict, folder: Path) -> bool:
    """Every figures module the probe imported came from `folder`."""
    files = [Path(f).parent for n, f in out["files"].items() if n != f"figures.{SHARED}"]
    return len(files) >= 3 and all(f == folder for f in files)


def test_the_build_in_use_is_the_one_reported() -> None:
    """figures.COMPILED says which modules run: the compiled ones (native
    functions, files in figures/_mypyc) exactly when it says so."""
    module_file = sys.modules["figures.extract"].__file__
    assert module_file is not None
    assert (Path(module_file).parent == BUILD) == figures.COMPILED
    assert (not inspect.isfunction(extract)) == figures.COMPILED
    if REAL_BUILD and not os.environ.get("RAQIB_PURE"):
        assert figures.COMPILED, figures.BUILD_ERROR  # a complete build here is what runs


def test_no_build_beside_the_sources() -> None:
    """A compiled module beside its source would shadow it whatever the
    package decides (figures/*.so of the layout before figures/_mypyc)."""
    assert not [n for n in [*MODULES, SHARED] if _built(ROOT / "figures", n)]


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


def test_a_complete_build_is_what_runs(tmp_path: Path) -> None:
    package = _copy_sources(tmp_path)
    build = _stand_in_build(package, [SHARED, *MODULES])
    out, err = _probe(tmp_path)
    assert out["compiled"] is True and out["error"] is None
    assert _all_from(out, build)
    assert len(out["files"]) == len(MODULES) + 1  # all of it, the shared library too
    assert out["figures"][0]["value"] == 11500
    assert err == ""


@pytest.mark.parametrize(
    ("built", "broken", "error"),
    [
        pytest.param(
            [SHARED, *MODULES[1:]], (), f"not built: figures.{MODULES[0]}", id="a-module-missing"
        ),
        pytest.param(MODULES, (), f"not built: figures.{SHARED}", id="no-shared-library"),
        pytest.param([SHARED, *MODULES], (SHARED,), "ImportError", id="shared-library-broken"),
        pytest.param(
            [SHARED, *MODULES], (MODULES[-1],), "ImportError", id="last-module-broken"
        ),  # the others imported from the build first: all of them are dropped
    ],
)
def test_a_partial_or_broken_build_runs_the_sources_quietly(
    tmp_path: Path, built: list[str], broken: tuple[str, ...], error: str
) -> None:
    package = _copy_sources(tmp_path)
    _stand_in_build(package, built, broken)
    out, err = _probe(tmp_path)
    assert out["compiled"] is False
    assert error in out["error"]
    assert _all_from(out, package)  # no module of the build stayed, none is mixed in
    assert f"figures.{SHARED}" not in out["files"]
    assert out["figures"][0]["value"] == 11500 and out["figures"][0]["metric"] == "displaced"
    assert err == ""


def test_raqib_pure_runs_the_sources_without_a_word(tmp_path: Path) -> None:
    package = _copy_sources(tmp_path)
    _stand_in_build(package, [SHARED, *MODULES])  # complete: it would run
    out, err = _probe(tmp_path, pure=True)
    assert out["compiled"] is False and out["error"] is None
    assert _all_from(out, package)
    assert out["figures"][0]["metric"] == "displaced"
    assert err == ""


def test_no_build_runs_the_sources(tmp_path: Path) -> None:
    package = _copy_sources(tmp_path)
    out, err = _probe(tmp_path)
    assert out["compiled"] is False and out["error"] is None
    assert _all_from(out, package)
    assert err == ""


@pytest.mark.skipif(not REAL_BUILD, reason="no compiled build in this checkout (make compile)")
def test_the_real_build_runs_from_a_copy_and_falls_back_without_a_module(tmp_path: Path) -> None:
    """The real extension modules: a copy of the package with its build runs
    compiled (the build moves with the package, as in a wheel); without one
    module's extension it runs the sources, with the same figures."""
    package = _copy_sources(tmp_path)
    shutil.copytree(BUILD, package / "_mypyc", ignore=shutil.ignore_patterns("__pycache__"))
    out, err = _probe(tmp_path)
    assert out["compiled"] is True and err == ""
    assert Path(out["files"]["figures.extract"]).parent == package / "_mypyc"
    shim = _built(package / "_mypyc", MODULES[0])
    assert shim is not None
    shim.unlink()
    partial, err = _probe(tmp_path)
    assert partial["compiled"] is False and err == ""
    assert _all_from(partial, package)
    assert partial["figures"] == out["figures"]
