"""Running the notebook sequence of a study end to end with papermill.

``run_study`` executes every numbered notebook (``01_*.ipynb``, ``02_*.ipynb`` …) found in the
notebooks folder, in order, into ``<out>/<study-slug>/<run-id>/``:

* each notebook gets the study's paths, the run directory, the seed and any extra parameters
  (only those its ``parameters`` cell declares);
* each executed notebook is kept, and exported to HTML without code cells;
* ``manifest.json`` records the parameters, package versions, input file hashes and the time each
  notebook took.

A run is written whole or not at all: it is built in a hidden temporary folder and renamed into
place when every notebook has succeeded.  When a notebook fails, the folder is renamed to
``<run-id>-FAILED`` instead, keeping the executed notebooks for inspection, and a
:class:`~cvmkit.errors.PipelineError` names the notebook, the cell and the error.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import PipelineError
from .io.artifacts import atomic_write_text
from .study import Study, load_study

__all__ = [
    "RunResult",
    "default_notebooks_dir",
    "default_study_path",
    "discover_notebooks",
    "export_html",
    "run_study",
]

_NOTEBOOK_RE = re.compile(r"^\d{2}_[\w\-]+\.ipynb$")
_PACKAGES = ("cvmkit", "numpy", "scipy", "pandas", "statsmodels", "matplotlib", "seaborn",
             "numba", "scikit-learn", "papermill", "nbconvert", "ipykernel", "pyarrow")


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


def default_notebooks_dir() -> Path:
    """``notebooks/`` of the current folder if it has one, else the one beside the package."""
    here = Path.cwd() / "notebooks"
    return here if here.is_dir() else _repo_root() / "notebooks"


def default_study_path() -> Path:
    """The bundled demo study."""
    here = Path.cwd() / "data" / "demo" / "study.yaml"
    return here if here.is_file() else _repo_root() / "data" / "demo" / "study.yaml"


def discover_notebooks(notebooks_dir: str | Path) -> list[Path]:
    """The numbered notebooks (``NN_name.ipynb``) of a folder, in order."""
    d = Path(notebooks_dir)
    if not d.is_dir():
        raise PipelineError(f"notebooks folder '{d}' does not exist")
    found = sorted(p for p in d.iterdir() if _NOTEBOOK_RE.match(p.name))
    if not found:
        raise PipelineError(f"no numbered notebooks (NN_name.ipynb) in '{d}'")
    return found


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in _PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def export_html(notebook: str | Path, target: str | Path) -> Path:
    """Export an executed notebook to HTML without its code cells."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook), as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return atomic_write_text(target, body)


@dataclass
class RunResult:
    """What a run produced: its folder, status and timings."""

    study: str
    run_dir: Path
    status: str
    seconds: float
    notebooks: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def _failure_message(nb: Path, exc: Exception, executed: Path | None = None) -> str:
    """Which notebook and cell failed, and why.

    The cell is numbered from 1 as in the notebook the user edits (papermill's injected
    parameters cell is not counted), and its first line is quoted.
    """
    index = getattr(exc, "cell_index", None)
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", exc)).strip()
    where = "a cell"
    if index is not None:
        number, first_line = index + 1, ""
        try:
            import nbformat

            cells = [c for c in nbformat.read(str(executed), as_version=4).cells
                     if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
            injected = sum(1 for c in cells[:index]
                           if "injected-parameters" in c.metadata.get("tags", []))
            number = index + 1 - injected
            first_line = next((ln.strip() for ln in cells[index].source.splitlines()
                               if ln.strip()), "")
        except (OSError, IndexError, ValueError, TypeError):
            pass
        where = f"cell {number}" + (f" ({first_line[:80]})" if first_line else "")
    reason = evalue.splitlines()[0] if evalue else ""
    return f"notebook {nb.name} failed at {where}: {ename}: {reason}"


def _declared_parameters(nb: Path) -> set[str]:
    import papermill

    return set(papermill.inspect_notebook(str(nb)))


def _new_run_id(base: Path) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    run_id, k = stamp, 1
    while (base / run_id).exists() or (base / f"{run_id}-FAILED").exists():
        k += 1
        run_id = f"{stamp}-{k}"
    return run_id


def run_study(
    study_path: str | Path | None = None,
    data_path: str | Path | None = None,
    out: str | Path = "reports",
    parameters: Mapping[str, Any] | None = None,
    notebooks_dir: str | Path | None = None,
    run_id: str | None = None,
    seed: int = 2026,
    progress: Callable[[str], None] | None = print,
    kernel_name: str = "python3",
) -> RunResult:
    """Run every numbered notebook on a study into ``<out>/<slug>/<run-id>/``.

    Parameters
    ----------
    study_path : str or Path, optional
        The study file (default: the bundled demo).
    data_path : str or Path, optional
        The survey export (default: the file the study names).
    out : str or Path
        The reports folder.
    parameters : mapping, optional
        Extra notebook parameters; each notebook receives those its parameters cell declares.
    notebooks_dir : str or Path, optional
        Where the numbered notebooks are (default: :func:`default_notebooks_dir`).
    run_id : str, optional
        The run folder's name (default: a UTC time stamp).
    seed : int
        The seed every notebook receives.
    progress : callable, optional
        Called with one line of progress per step (``None`` for silence).

    Returns
    -------
    RunResult

    Raises
    ------
    StudySpecError
        When the study file is missing or invalid (nothing is run).
    PipelineError
        When a notebook fails; the message names the notebook and cell, and the executed
        notebooks are kept in ``<run-id>-FAILED``.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    say = progress or (lambda _msg: None)
    study_file = Path(study_path) if study_path else default_study_path()
    study: Study = load_study(study_file)
    data_file = Path(data_path) if data_path else study.data_path
    if data_file is None or not Path(data_file).is_file():
        from .errors import DataError

        raise DataError(f"survey data file '{data_file}' does not exist")
    nb_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    notebooks = discover_notebooks(nb_dir)

    base = Path(out) / study.slug
    base.mkdir(parents=True, exist_ok=True)
    run_id = run_id or _new_run_id(base)
    final = base / run_id
    if final.exists():
        raise PipelineError(f"run folder '{final}' already exists")
    tmp = base / f".{run_id}.partial"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()

    common = {
        "study_path": str(study_file.resolve()),
        "data_path": str(Path(data_file).resolve()),
        "seed": seed,
        **dict(parameters or {}),
    }
    manifest: dict[str, Any] = {
        "study": study.title,
        "client": study.client,
        "slug": study.slug,
        "run_id": run_id,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seed": seed,
        "parameters": {k: v for k, v in common.items()},
        "inputs": {
            "study": {"path": str(study_file.resolve()), "sha256": _sha256(study_file)},
            "data": {"path": str(Path(data_file).resolve()), "sha256": _sha256(Path(data_file))},
        },
        "versions": _versions(),
        "platform": {"python": sys.version.split()[0], "machine": platform.machine()},
        "notebooks": [],
    }
    t_run = time.perf_counter()
    say(f"cvmkit run: {study.title} -> {final}")
    error: str | None = None
    for i, nb in enumerate(notebooks, 1):
        declared = _declared_parameters(nb)
        params = {k: v for k, v in common.items() if k in declared}
        if "run_dir" in declared:
            params["run_dir"] = str(tmp.resolve())
        target = tmp / nb.name
        say(f"[{i}/{len(notebooks)}] {nb.stem} ...")
        t0 = time.perf_counter()
        entry: dict[str, Any] = {"notebook": nb.name, "parameters": {
            k: v for k, v in params.items() if k != "run_dir"}}
        try:
            papermill.execute_notebook(
                str(nb), str(target), parameters=params, cwd=str(nb_dir),
                kernel_name=kernel_name, progress_bar=False, log_output=False,
            )
        except PapermillExecutionError as exc:
            error = _failure_message(nb, exc, target)
        except Exception as exc:  # kernel died, notebook unreadable …
            error = f"notebook {nb.name} could not run: {type(exc).__name__}: {exc}"
        entry["seconds"] = round(time.perf_counter() - t0, 3)
        if error:
            entry["status"] = "failed"
            entry["error"] = error
            manifest["notebooks"].append(entry)
            break
        export_html(target, tmp / f"{nb.stem}.html")
        entry["status"] = "ok"
        manifest["notebooks"].append(entry)
        say(f"[{i}/{len(notebooks)}] {nb.stem} done in {entry['seconds']:.1f} s")

    seconds = round(time.perf_counter() - t_run, 3)
    manifest["seconds"] = seconds
    manifest["status"] = "failed" if error else "ok"
    if error:
        manifest["error"] = error
    atomic_write_text(tmp / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
    if error:
        failed = base / f"{run_id}-FAILED"
        tmp.rename(failed)
        say(f"FAILED: {error}\n  executed notebooks kept in {failed}")
        raise PipelineError(f"{study.slug}: {error} (executed notebooks kept in {failed})")
    tmp.rename(final)
    say(f"done in {seconds:.1f} s: {final}")
    return RunResult(study.slug, final, "ok", seconds, manifest["notebooks"])
