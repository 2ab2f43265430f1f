"""The kit installed from a wheel runs from any folder.

A wheel is built from a copy of the working tree and installed into a fresh virtual environment
outside the repository; from an unrelated folder, with that environment's ``cvmkit`` first on
``PATH``, two users' first steps are run:

* ``cvmkit run`` — the bundled demo study with the notebooks the kit ships;
* ``cvmkit new mystudy --demo-data``, ``cvmkit notebooks nbs`` and
  ``cvmkit run mystudy/study.yaml --notebooks nbs`` — a study of one's own on copies of the
  notebooks;
* ``cvmkit simulate --out sim -n 200``, and ``cvmkit notebooks nbs`` again (which must refuse).

Both runs must write ``report.html`` under their ``--out`` folder.  They go at the same time,
each with half the cores for its numerical libraries (as a batch of two does), to keep the test
short.

Time, on two cores.  Building the wheel takes 3–8 s.  Installing it with its ~130 dependencies
into the fresh environment comes from pip's cache (or the package index) like any user's
install; ``--no-compile`` leaves the byte-compiling to the imports that need it, and the
environment is made without a pip of its own (the running pip installs into it with
``--python``): 12–35 s instead of about 45 s.  The two runs take one and a half to two and a
half minutes together (their first imports compile, and numba compiles its functions once), so
the module takes two to three minutes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cvmkit.pipeline import THREAD_VARIABLES

REPO = Path(__file__).resolve().parents[1]
#: Small notebook parameters: the runs check installation, not the statistics.
QUICK = ["-p", "n_boot=20", "-p", "n_repeats=2"]
#: What a copy of the working tree leaves out (outputs, caches, environments).
IGNORE = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "reports",
                                "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache",
                                ".hypothesis", ".ipynb_checkpoints", "tmp")
TIMEOUT = 900  # seconds for any one step


@dataclass
class Installed:
    """The built wheel, the fresh environment, and what the commands run in it printed."""

    wheel: Path
    venv: Path
    work: Path
    env: dict[str, str]
    seconds: dict[str, float] = field(default_factory=dict)
    results: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)


def _check(proc: subprocess.CompletedProcess[str], what: str) -> None:
    assert proc.returncode == 0, (f"{what} failed ({proc.returncode}):\n"
                                  f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """Build, install into a fresh environment, and run both users' steps (once)."""
    root = tmp_path_factory.mktemp("wheel")
    seconds: dict[str, float] = {}

    t0 = time.perf_counter()
    src = root / "src"
    shutil.copytree(REPO, src, ignore=IGNORE)  # so the build leaves nothing in the repository
    dist = root / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps",
                            "--quiet", "-w", str(dist)],
                           capture_output=True, text=True, timeout=TIMEOUT)
    _check(build, "pip wheel")
    (wheel,) = dist.glob("cvmkit-*.whl")
    seconds["build"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=TIMEOUT)
    python = _bin(venv, "python")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                              "--quiet", "--no-compile", str(wheel)],
                             capture_output=True, text=True, timeout=TIMEOUT)
    _check(install, "pip install of the wheel")
    seconds["install"] = time.perf_counter() - t0

    work = root / "elsewhere"  # an unrelated folder: no notebooks/, no data/demo/
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", *THREAD_VARIABLES)}
    env["PATH"] = os.pathsep.join([str(_bin(venv, "")), env.get("PATH", "")])
    threads = str(max(1, (os.cpu_count() or 2) // 2))
    env.update({name: threads for name in THREAD_VARIABLES})
    inst = Installed(wheel=wheel, venv=venv, work=work, env=env, seconds=seconds)

    def cvmkit(*args: str) -> list[str]:
        return [str(_bin(venv, "cvmkit")), *args]

    def quick(*args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(cvmkit(*args), cwd=work, env=env, capture_output=True,
                              text=True, timeout=TIMEOUT)
        inst.results[" ".join(args)] = proc
        return proc

    where = subprocess.run([str(python), "-c", "import cvmkit; print(cvmkit.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    inst.results["where"] = where

    def start(name: str, *args: str) -> tuple[str, subprocess.Popen[str], Path]:
        log = root / f"{name.replace(' ', '_')}.log"  # files, not pipes: neither run waits
        with open(log, "w") as out:
            return name, subprocess.Popen(cvmkit(*args, *QUICK), cwd=work, env=env, stdout=out,
                                          stderr=subprocess.STDOUT, text=True), log

    t0 = time.perf_counter()
    runs = [start("run demo", "run", "--out", "out_demo")]
    if quick("new", "mystudy", "--demo-data").returncode == 0 and \
            quick("notebooks", "nbs").returncode == 0:
        runs.append(start("run own", "run", "mystudy/study.yaml", "--notebooks", "nbs",
                          "--out", "out_own"))
    quick("simulate", "--out", "sim", "-n", "200")
    for name, proc, log in runs:
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        inst.results[name] = subprocess.CompletedProcess(proc.args, proc.returncode,
                                                         log.read_text(), "")
    seconds["runs"] = time.perf_counter() - t0
    print("wheel test timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
    return inst


def test_wheel_carries_the_notebooks_and_the_demo_study(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    notebooks = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
    demo = sorted(p.name for p in (REPO / "data" / "demo").iterdir() if p.is_file())
    assert notebooks and "study.yaml" in demo
    assert {f"cvmkit/notebooks/{n}" for n in notebooks} <= names
    exercises = sorted(p.name for p in (REPO / "exercises").glob("*.ipynb"))
    assert exercises and {f"cvmkit/exercises/{n}" for n in exercises} <= names
    assert {f"cvmkit/data/demo/{n}" for n in demo} <= names
    assert not any(n.startswith(("notebooks/", "data/")) for n in names)  # only inside cvmkit/


def test_the_installed_package_is_the_one_used(installed: Installed) -> None:
    where = installed.results["where"]
    _check(where, "import cvmkit")
    assert Path(where.stdout.strip()).resolve().is_relative_to(installed.venv.resolve())


def _notebook_names() -> list[str]:
    return sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))


def _run_notebooks(report: Path) -> list[str]:
    manifest = json.loads((report.parent / "manifest.json").read_text(encoding="utf-8"))
    return [Path(nb["notebook"]).name for nb in manifest["notebooks"]]


def test_installed_kit_runs_the_demo_from_any_folder(installed: Installed) -> None:
    run = installed.results["run demo"]
    _check(run, "cvmkit run (the demo)")
    reports = list((installed.work / "out_demo" / "demo").glob("*/report.html"))
    assert len(reports) == 1, run.stdout
    assert "report: " in run.stdout and "note:" not in run.stdout
    assert _run_notebooks(reports[0]) == _notebook_names()


def _default_study_path(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    (params,) = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    line = next(ln for ln in "".join(params["source"]).splitlines()
                if ln.startswith("study_path"))
    return json.loads(line.split("=", 1)[1].split("#", 1)[0].strip())


def test_installed_kit_runs_a_new_study_on_copied_notebooks(installed: Installed) -> None:
    _check(installed.results["new mystudy --demo-data"], "cvmkit new mystudy --demo-data")
    _check(installed.results["notebooks nbs"], "cvmkit notebooks nbs")
    copies = sorted((installed.work / "nbs").glob("*.ipynb"))
    assert [p.name for p in copies] == _notebook_names()
    # each copy's default study is the demo study inside the installed package
    demo = installed.venv.resolve()
    for copy in copies:
        path = Path(_default_study_path(copy))
        assert path.is_absolute() and path.is_file() and path.is_relative_to(demo), copy.name
        assert path.parent.name == "demo" and path.name == "study.yaml"
    run = installed.results["run own"]
    _check(run, "cvmkit run mystudy/study.yaml --notebooks nbs")
    reports = list((installed.work / "out_own" / "mystudy").glob("*/report.html"))
    assert len(reports) == 1, run.stdout
    assert _run_notebooks(reports[0]) == _notebook_names()


def test_installed_kit_simulates_the_demo(installed: Installed) -> None:
    _check(installed.results["simulate --out sim -n 200"], "cvmkit simulate")
    assert (installed.work / "sim" / "study.yaml").is_file()
    assert (installed.work / "sim" / "responses.csv").is_file()


def test_installed_kit_refuses_to_overwrite_copied_notebooks(installed: Installed) -> None:
    again = subprocess.run([str(_bin(installed.venv, "cvmkit")), "notebooks", "nbs"],
                           cwd=installed.work, env=installed.env, capture_output=True, text=True,
                           timeout=TIMEOUT)
    assert again.returncode == 2
    assert "already holds" in again.stderr and "--force" in again.stderr
    assert "Traceback" not in again.stderr


def test_runs_write_only_under_their_out_folders(installed: Installed) -> None:
    """Nothing lands beside the bundled notebooks or the copies, or in the working folder."""
    assert installed.results["run demo"].returncode == 0
    assert sorted(p.name for p in installed.work.iterdir()) == \
        ["mystudy", "nbs", "out_demo", "out_own", "sim"]
    package = Path(installed.results["where"].stdout.strip()).parent
    assert sorted(p.name for p in (package / "notebooks").iterdir()) == _notebook_names()
    assert sorted(p.name for p in (installed.work / "nbs").iterdir()) == _notebook_names()
