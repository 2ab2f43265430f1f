"""One batch of full pipeline runs, shared by the report, privacy, reproducibility and batch tests.

A full run is expensive (each notebook starts a kernel), so these tests share a single batch,
run once per test session the way a consultant would run it::

    cvmkit run a/study.yaml b/study.yaml broken/study.yaml -j 2 --out OUT -p client_name=… …

* ``a`` and ``b`` are two copies of the demo study — the same inputs and seed in two worker
  processes, so their tables must be byte-identical (tests/test_reproducible.py);
* ``broken`` is the demo study whose data breaks notebook 03 (two attributes' ratings of the
  focal brand are made identical, so the driver regression has linearly dependent drivers):
  its run must fail at notebook 03 with a message naming the notebook and cell, while ``a``
  and ``b`` finish (tests/test_batch.py);
* the kernels use Jupyter's inline plotting backend, as in a user's run, so every figure a
  notebook writes is also shown in the executed notebook (tests/test_batch.py);
* the successful runs' ``report.html`` is opened in headless Chromium
  (tests/test_report_browser.py) and every file of every run directory is searched for
  personal data (tests/test_privacy_run.py).

Each test module wraps :func:`demo_batch` in a session-scoped fixture; the cache here makes
the batch run once however many modules ask for it.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
CLIENT = "Acme Coffee Holdings"
ACCENT = "#8a1538"
#: Notebook parameters that keep the shared runs quick (only notebooks declaring them get them).
FAST = {"n_boot": 50, "n_repeats": 3, "n_sub": 300, "n_stability": 3, "k_max": 4}
#: The two focal-brand attributes made identical in the broken study.
BROKEN_PAIR = ("taste", "freshness")


@dataclass
class Batch:
    """What the shared batch produced."""

    out: Path
    studies: dict[str, Path]
    exit_code: int
    stdout: str
    stderr: str
    ok_runs: list[Path] = field(default_factory=list)
    failed_runs: list[Path] = field(default_factory=list)
    logo: Path | None = None


_CACHE: dict[str, Batch] = {}


def _copy_demo(dest: Path, slug: str | None = None) -> Path:
    dest.mkdir(parents=True)
    for f in DEMO.iterdir():
        if f.is_file() and f.name != "truth.json":
            shutil.copyfile(f, dest / f.name)
    if (DEMO / "truth.json").is_file():
        shutil.copyfile(DEMO / "truth.json", dest / "truth.json")
    study = dest / "study.yaml"
    if slug:
        text = study.read_text(encoding="utf-8")
        text = text.replace("slug: demo", f"slug: {slug}", 1)
        study.write_text(text, encoding="utf-8")
    return study


def _break_for_notebook_03(study_file: Path) -> None:
    data_file = study_file.parent / "responses.csv"
    data = pd.read_csv(data_file)
    a, b = BROKEN_PAIR
    data[f"perf_acme_{b}"] = data[f"perf_acme_{a}"]
    data.to_csv(data_file, index=False)


def _logo(path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.6, 0.8), dpi=100)
    ax.text(0.5, 0.5, "ACME", ha="center", va="center", fontsize=20, color=ACCENT)
    ax.set_axis_off()
    fig.savefig(path)
    plt.close(fig)
    return path


def demo_batch(tmp_path_factory) -> Batch:
    """Run (once per session) the shared batch and return what it produced."""
    if "batch" in _CACHE:
        return _CACHE["batch"]
    from cvmkit.cli import main

    root = tmp_path_factory.mktemp("shared_batch")
    studies = {
        "a": _copy_demo(root / "a"),
        "b": _copy_demo(root / "b"),
        "broken": _copy_demo(root / "broken", slug="broken_demo"),
    }
    _break_for_notebook_03(studies["broken"])
    logo = _logo(root / "logo.png")
    out = root / "reports"
    argv = ["run", *(str(p) for p in studies.values()), "-j", "2", "--out", str(out),
            "-p", f"client_name={CLIENT}", "-p", f"accent_color='{ACCENT}'",
            "-p", f"logo_path={logo}", "-p", "report_date=March 2026"]
    for k, v in FAST.items():
        argv += ["-p", f"{k}={v}"]
    stdout, stderr = io.StringIO(), io.StringIO()
    # The kernels choose their plotting backend as in a user's run (Jupyter's inline backend),
    # not the test session's non-interactive one, so the executed notebooks show their figures.
    backend = os.environ.pop("MPLBACKEND", None)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(argv)
    finally:
        if backend is not None:
            os.environ["MPLBACKEND"] = backend
    runs = sorted(p for p in out.glob("*/*") if p.is_dir())
    batch = Batch(
        out=out, studies=studies, exit_code=code, stdout=stdout.getvalue(),
        stderr=stderr.getvalue(),
        ok_runs=[p for p in runs if not p.name.endswith("-FAILED")],
        failed_runs=[p for p in runs if p.name.endswith("-FAILED")],
        logo=logo,
    )
    _CACHE["batch"] = batch
    return batch
