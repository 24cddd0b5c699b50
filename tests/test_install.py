"""A plain `pip install` of a clone, used from another directory, as a new user would.

The clone (this working tree, without its venv, builds and caches) is
installed with `pip install --no-deps` into a fresh venv, without compiling
(RAQIB_COMPILE=0: the test stays quick; the compiled wheel is the same but for
figures/_mypyc/, which tests/test_compiled.py covers).  The venv borrows the
dependencies from this one through a path file, so nothing is downloaded, but
raqib itself (bot, figures, scrapers, seeds and the script) comes only from
the install: this checkout is not on its path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEV_RAQIB = Path(sys.executable).with_name("raqib")
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "build",
    "*.egg-info",
    "__pycache__",
    "_mypyc",
    "*.so",
    ".*_cache",
    ".hypothesis",
    "raqib.db*",
    "config.toml",
)

PROBE = """
import json, figures, bot, scrapers, seeds
print(json.dumps({
    "files": [m.__file__ for m in (figures, bot, scrapers, seeds)],
    "compiled": figures.COMPILED,
    "error": figures.BUILD_ERROR,
}))
"""


def _run(args: list[str | Path], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "RAQIB_PURE"}}
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, **env},
        timeout=600,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the clone installed by pip; its bin/ folder."""
    tmp = tmp_path_factory.mktemp("install")
    clone = tmp / "clone"
    shutil.copytree(ROOT, clone, ignore=NOT_IN_A_CLONE)
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    purelib = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp)
    site = Path(purelib.stdout.strip())
    assert site.is_relative_to(venv), purelib.stderr
    # after the venv's own site-packages: the dependencies (and pip, setuptools)
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = _run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", clone],
        tmp,
        RAQIB_COMPILE="0",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    assert done.returncode == 0, done.stderr
    shutil.rmtree(clone)  # nothing may still point at it
    return venv / "bin"


@pytest.mark.slow
def test_the_installed_package_is_the_one_that_runs(installed: Path, tmp_path: Path) -> None:
    done = _run([installed / "python", "-c", PROBE], tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    venv = installed.parent
    assert all(Path(f).is_relative_to(venv) for f in out["files"]), out["files"]
    assert out["compiled"] is False and out["error"] is None  # no build, and none half there
    seeds = Path(out["files"][3]).parent
    assert (seeds / "index.toml").is_file() and len(list(seeds.glob("*.txt"))) == 5
    assert done.stderr == ""


@pytest.mark.slow
def test_once_in_another_directory_reads_the_shipped_seeds(installed: Path, tmp_path: Path) -> None:
    """The embedded default (no config.toml here): ./raqib.db and the seeds."""
    done = _run([installed / "raqib", "once"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "displaced total since --12-01 @deir-ez-zor: 38,550 (SOHR)" in done.stdout
    assert done.stderr == ""  # no warning of any kind
    assert (tmp_path / "raqib.db").is_file()
    again = _run([installed / "raqib", "totals"], tmp_path)
    assert again.returncode == 0 and "38,550" in again.stdout and again.stderr == ""


@pytest.mark.slow
def test_extract_gives_the_figures_of_the_development_build(
    installed: Path, tmp_path: Path, seeds_dir: Path
) -> None:
    """The seeds and the development passages, each a file: the same JSON lines."""
    files = sorted(str(p) for p in seeds_dir.glob("*.txt"))
    with (ROOT / "tests" / "data" / "gold" / "dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            passage = json.loads(line)
            path = tmp_path / f"{passage['id']}.txt"
            path.write_text(passage["text"], encoding="utf-8")
            files.append(str(path))
    installed_run = _run([installed / "raqib", "extract", "--json", *files], tmp_path)
    dev_run = _run([DEV_RAQIB, "extract", "--json", *files], tmp_path)
    assert installed_run.returncode == dev_run.returncode == 0, installed_run.stderr
    assert installed_run.stderr == ""
    lines = installed_run.stdout.splitlines()
    assert len(lines) == len(files) > 60
    assert sum(len(json.loads(line)["figures"]) for line in lines) > 100
    assert installed_run.stdout == dev_run.stdout
