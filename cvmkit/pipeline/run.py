"""Running the notebook sequence of one study into a run folder (:func:`run_study`)."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PipelineError, StudySpecError
from .engine import _register_engine
from .environment import THREAD_VARIABLES
from .export import export_html
from .folders import _free_name, _reserve_run
from .kernels import KERNEL_ENV, _KernelPool
from .manifest import _other_inputs, _sha256, _table_hashes, _versions
from .notebooks import (
    _declared_parameters,
    default_notebooks_dir,
    default_study_path,
    discover_notebooks,
    notebook_imports,
)
from .result import RunResult

if TYPE_CHECKING:
    from ..study import Study

__all__ = ["REPORT_PARAMETERS", "run_study"]

#: Parameters of the report (``-p name=value``): passed to notebook 06 and used by the pipeline
#: when it builds ``report.html``.
REPORT_PARAMETERS = ("client_name", "report_title", "report_date", "logo_path", "accent_color")


def _failure_message(nb: Path, exc: Exception, executed: Path | None = None) -> str:
    """Which notebook and cell failed, and why.

    The cell is numbered from 1 as in the notebook the user edits (found by its cell id, so
    neither papermill's injected parameters cell nor the sections left out for the study shift
    it), and its first line is quoted.  The error message is kept whole: a message of several
    lines (every problem of a study file, say) is indented under the first.
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
            cell_id = cells[index].get("id")
            source_ids = [c.get("id") for c in nbformat.read(str(nb), as_version=4).cells]
            if cell_id in source_ids:
                number = source_ids.index(cell_id) + 1
            first_line = next((ln.strip() for ln in cells[index].source.splitlines()
                               if ln.strip()), "")
        except (OSError, IndexError, ValueError, TypeError):
            pass
        where = f"cell {number}" + (f" ({first_line[:80]})" if first_line else "")
    reason = "\n    ".join(ln.rstrip() for ln in evalue.splitlines())
    return f"notebook {nb.name} failed at {where}: {ename}: {reason}"


def _check_report_options(params: Mapping[str, Any], study_file: Path) -> dict[str, Any]:
    """Check the report parameters before any notebook runs; make the logo path absolute.

    A relative ``logo_path`` is looked up in the study's folder, then in the current folder.
    """
    from ..errors import DataError
    from ..report.html import _accent

    out: dict[str, Any] = {}
    if params.get("accent_color") is not None:
        _accent(params["accent_color"])
    logo = params.get("logo_path")
    if logo:
        p = Path(str(logo)).expanduser()
        if not p.is_absolute():
            p = next((c for c in (study_file.parent / p, Path.cwd() / p) if c.is_file()), p)
        if not p.is_file():
            raise DataError(f"logo_path: image file '{logo}' does not exist (looked in "
                            f"{study_file.parent} and {Path.cwd()})")
        out["logo_path"] = str(p.resolve())
    return out


def _report_options(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: params.get(k) for k in REPORT_PARAMETERS if params.get(k) is not None}


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
    build_report: bool = True,
    warm_kernels: bool = True,
    cell_timeout: float | None = None,
    fork_kernels: bool = True,
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
        The report parameters (:data:`REPORT_PARAMETERS`: ``client_name``, ``report_title``,
        ``report_date``, ``logo_path``, ``accent_color``) also style ``report.html``.
    notebooks_dir : str or Path, optional
        Where the numbered notebooks are (default: :func:`default_notebooks_dir`).
    run_id : str, optional
        The run folder's name (default: a UTC time stamp).
    seed : int
        The seed every notebook receives.
    progress : callable, optional
        Called with one line of progress per step (``None`` for silence).
    kernel_name : str
        The Jupyter kernel the notebooks run in.
    build_report : bool
        Build ``report.html`` and ``tables.xlsx`` after the last notebook.
    warm_kernels : bool
        Start each notebook's kernel while the previous notebook runs (and, for a kernel not
        forked from the zygote, import the notebook's libraries in it).
    cell_timeout : float, optional
        Seconds a cell may run before the run fails (default: no limit).
    fork_kernels : bool
        On Linux, fork each kernel from a process that has imported the notebooks' libraries
        once (:mod:`cvmkit._zygote`) instead of starting a fresh Python each time.

    Returns
    -------
    RunResult

    Raises
    ------
    StudySpecError
        When the study file is missing or invalid (nothing is run).
    PipelineError
        When a notebook fails; the message names the notebook and cell, and the executed
        notebooks are kept in ``<run-id>-FAILED`` (the exception's ``run_dir`` attribute).

    Examples
    --------
    >>> from cvmkit.pipeline import run_study
    >>> result = run_study("data/demo/study.yaml", out="reports")  # doctest: +SKIP
    >>> result.report.name  # doctest: +SKIP
    'report.html'
    """
    from ..study import load_study

    say = progress or (lambda _msg: None)
    study_file = Path(study_path) if study_path else default_study_path()
    if not study_file.is_file():  # as load_study says, before any kernel is started
        raise StudySpecError([f"(file): study file '{study_file}' does not exist"],
                             str(study_file))
    nb_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    notebooks = discover_notebooks(nb_dir)
    t_run = time.perf_counter()
    # The first kernel starts now, while the study is read and the run set up (the libraries
    # for that, papermill among them, take a while to import).
    pool = _KernelPool(kernel_name, nb_dir, [notebook_imports(nb) for nb in notebooks],
                       warm=warm_kernels, fork=fork_kernels)
    pool.take_ahead()
    try:
        study: Study = load_study(study_file)
        data_file = Path(data_path) if data_path else study.data_path
        if data_file is None or not Path(data_file).is_file():
            from ..errors import DataError

            raise DataError(f"survey data file '{data_file}' does not exist")
        common = {
            "study_path": str(study_file.resolve()),
            "data_path": str(Path(data_file).resolve()),
            "seed": seed,
            **dict(parameters or {}),
        }
        if build_report:
            common.update(_check_report_options(common, study_file))
        # absolute: papermill changes the working directory while a notebook runs, and the
        # HTML exports run beside it
        base = Path(out).resolve() / study.slug
        base.mkdir(parents=True, exist_ok=True)
        run_id, tmp = _reserve_run(base, run_id)
    except BaseException:
        pool.close()
        raise
    final = base / run_id
    exports = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvmkit-export")
    pending: list[tuple[dict[str, Any], Future]] = []
    error: str | None = None
    try:
        import nbformat
        import papermill
        from papermill.exceptions import PapermillExecutionError

        from ..sections import prune_notebook, read_capabilities

        manifest: dict[str, Any] = {
            "study": study.title,
            "client": study.client,
            "slug": study.slug,
            "run_id": run_id,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seed": seed,
            "seeds": {"seed": seed, "kernel_env": dict(KERNEL_ENV), "notebooks": {}},
            "parameters": {k: v for k, v in common.items()},
            "inputs": {
                "study": {"path": str(study_file.resolve()), "sha256": _sha256(study_file)},
                "data": {"path": str(Path(data_file).resolve()),
                         "sha256": _sha256(Path(data_file))},
                "notebooks": {nb.name: _sha256(nb) for nb in notebooks},
                **_other_inputs(study),
            },
            "versions": _versions(),
            "platform": {"python": sys.version.split()[0], "machine": platform.machine(),
                         "system": platform.system(),
                         "thread_limits": {k: os.environ[k] for k in THREAD_VARIABLES
                                           if k in os.environ}},
            "notebooks": [],
        }
        say(f"cvmkit run: {study.title} -> {final}")
        engine = _register_engine()
        for i, nb in enumerate(notebooks, 1):
            declared = _declared_parameters(nb)
            params = {k: v for k, v in common.items() if k in declared}
            if "run_dir" in declared:
                params["run_dir"] = str(tmp.resolve())
            if "write_report" in declared and build_report:
                params["write_report"] = False  # the pipeline builds it once, at the end
            if "seed" in declared:
                manifest["seeds"]["notebooks"][nb.name] = seed
            target = tmp / nb.name
            say(f"[{i}/{len(notebooks)}] {nb.stem} ...")
            t0 = time.perf_counter()
            entry: dict[str, Any] = {"notebook": nb.name, "parameters": {
                k: v for k, v in params.items() if k != "run_dir"}}
            km = None
            try:
                node = prune_notebook(nbformat.read(nb, as_version=4),
                                      read_capabilities(tmp) or study.capabilities(), nb.name)
                km = pool.take()
                papermill.execute_notebook(
                    node, str(target), parameters=params, cwd=str(nb_dir),
                    kernel_name=kernel_name, progress_bar=False, log_output=False, km=km,
                    engine_name=engine, execution_timeout=cell_timeout,
                    request_save_on_cell_execute=False,
                )
            except PapermillExecutionError as exc:
                error = _failure_message(nb, exc, target)
            except Exception as exc:  # kernel died, notebook unreadable …
                tail = pool.stderr_tail()
                error = f"notebook {nb.name} could not run: {type(exc).__name__}: {exc}"
                if tail:
                    error += f"\n  kernel said: {tail}"
            finally:
                if km is not None:
                    pool.release(km)
            entry["seconds"] = round(time.perf_counter() - t0, 3)
            if error:
                entry["status"] = "failed"
                entry["error"] = error
                manifest["notebooks"].append(entry)
                break
            entry["status"] = "ok"
            manifest["notebooks"].append(entry)
            pending.append((entry, exports.submit(export_html, target, tmp / f"{nb.stem}.html")))
            say(f"[{i}/{len(notebooks)}] {nb.stem} done in {entry['seconds']:.1f} s")
        for entry, fut in pending:
            try:
                fut.result()
            except Exception as exc:  # a run is whole or it failed
                entry["html_error"] = f"{type(exc).__name__}: {exc}"
                error = error or (f"the HTML export of {entry['notebook']} failed: "
                                  f"{entry['html_error']}")
        if not error and build_report:
            t0 = time.perf_counter()
            try:
                from ..report import build_report as _build_report
                from ..report import write_tables_xlsx

                options = _report_options(common)
                write_tables_xlsx(tmp)
                _build_report(tmp, manifest=manifest, **options)
                manifest["report"] = {"html": "report.html", "xlsx": "tables.xlsx",
                                      "options": options,
                                      "seconds": round(time.perf_counter() - t0, 3)}
                say(f"report built in {time.perf_counter() - t0:.1f} s")
            except Exception as exc:
                error = f"the report could not be built: {type(exc).__name__}: {exc}"
    except BaseException:
        pool.close()
        exports.shutdown(wait=True)
        failed = _free_name(base / f"{run_id}-FAILED")
        if tmp.exists():
            tmp.rename(failed)
        raise
    pool.close()
    exports.shutdown(wait=True)

    seconds = round(time.perf_counter() - t_run, 3)
    manifest["seconds"] = seconds
    manifest["status"] = "failed" if error else "ok"
    manifest["tables"] = _table_hashes(tmp)
    if error:
        manifest["error"] = error
    from ..io.artifacts import atomic_write_text

    atomic_write_text(tmp / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
    if error:
        failed = _free_name(base / f"{run_id}-FAILED")
        tmp.rename(failed)
        say(f"FAILED: {error}\n  executed notebooks kept in {failed}")
        exc = PipelineError(f"{study.slug}: {error} (executed notebooks kept in {failed})")
        exc.run_dir = failed  # type: ignore[attr-defined]
        exc.seconds = seconds  # type: ignore[attr-defined]
        raise exc
    tmp.rename(final)
    say(f"done in {seconds:.1f} s: {final}")
    report = final / "report.html"
    return RunResult(study.slug, final, "ok", seconds, manifest["notebooks"],
                     report=report if report.is_file() else None, source=str(study_file))

