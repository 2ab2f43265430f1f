"""Running the notebook sequence of one study into a run folder (:func:`run_study`)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import platform
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._atomic import atomic_write_text
from ..errors import CvmkitError, PipelineError, StudySpecError
from .engine import _register_engine
from .environment import THREAD_VARIABLES
from .export import export_html
from .folders import _reserve_run, clean_stale, finish, out_folder, unwritable
from .kernels import KERNEL_ENV, _KernelPool
from .manifest import (
    _other_inputs,
    _sha256,
    _table_hashes,
    _versions,
    hashing_once,
    package_source,
)
from .notebooks import (
    _declared_parameters,
    default_notebooks_dir,
    default_study_path,
    discover_notebooks,
    notebook_imports,
)
from .result import RunInterrupted, RunResult
from .reuse import (
    STORE,
    copy_outputs,
    expected_runs,
    input_digest,
    keep_outputs,
    latest_complete_run,
    notebook_reads,
    output_digest,
    written_files,
)
from .steps import step_hooks

if TYPE_CHECKING:
    from ..study import Study

__all__ = ["REPORT_PARAMETERS", "run_study"]

#: The errors of a folder that cannot be written (full disk, quota, read-only, permissions).
_CANNOT_WRITE = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)

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
    # (the report's modules are imported only when there is something to check: the report
    # package imports pandas, which the run needs only once the notebooks run)
    out: dict[str, Any] = {}
    if params.get("accent_color") is not None:
        from ..report._common import _accent

        _accent(params["accent_color"])
    logo = params.get("logo_path")
    if logo:
        from ..errors import DataError
        from ..report.html import check_logo

        p = Path(str(logo)).expanduser()
        if not p.is_absolute():
            p = next((c for c in (study_file.parent / p, Path.cwd() / p) if c.is_file()), p)
        if not p.is_file():
            raise DataError(f"logo_path: image file '{logo}' does not exist (looked in "
                            f"{study_file.parent} and {Path.cwd()})")
        check_logo(p)
        out["logo_path"] = str(p.resolve())
    return out


class _ReportImports:
    """What building the report and exporting the notebooks need (the plotting modules,
    python-pptx, openpyxl, nbconvert), imported while the run waits for something else.

    A run whose first kernel is a new process importing the notebooks' libraries imports them
    in its own thread while it waits for that kernel (:meth:`here`).  A run whose kernels come
    from a kernel server has no such wait: it imports them in a background thread while its
    first notebook runs, its own thread mostly waiting for the kernel meanwhile.
    :meth:`start` is the ``on_notebook_start`` hook of each executed notebook (only the first
    call counts): by then papermill has done its own first imports (injecting the parameters),
    so no two threads of the run import at once (two threads importing one package at once
    may find it half initialised).  :meth:`wait` comes before any export or the report; an
    import that failed fails again there, and is reported.
    """

    EXPORT = ("nbconvert", "cvmkit.escaping", "cvmkit.io.artifacts",
              "cvmkit.report.notebook_html")
    REPORT = ("cvmkit.report.build", "cvmkit.report.client", "cvmkit.report.deck",
              "cvmkit.report.xlsx", "cvmkit.plots.maps", "pptx", "openpyxl")

    def __init__(self, report: bool = True) -> None:
        self.modules = self.EXPORT + (self.REPORT if report else ())
        self.thread: threading.Thread | None = None
        self.done = False

    def here(self) -> None:
        if not self.done:
            self.done = True
            self._run()

    def start(self, **_: Any) -> None:
        if not self.done:
            self.done = True
            self.thread = threading.Thread(target=self._run, name="cvmkit-imports",
                                           daemon=True)
            self.thread.start()

    def _run(self) -> None:
        import importlib

        for name in self.modules:
            try:
                importlib.import_module(name)
            except Exception:
                return

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()


def _export_after(imports: _ReportImports, notebook: Path, target: Path) -> Path:
    """Export ``notebook`` to HTML once the run's background imports are done."""
    imports.wait()
    return export_html(notebook, target)


def _report_options(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: params.get(k) for k in REPORT_PARAMETERS if params.get(k) is not None}


@hashing_once
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
    reuse: bool = False,
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
    reuse : bool
        Start from the latest complete run of the study under ``out``: a notebook whose inputs
        are those it had there (:mod:`cvmkit.pipeline.reuse`) is not executed again, its files
        are copied and the manifest marks it ``"reused"``.  The kernels are forked from a
        kernel server kept for the next run (``CVMKIT_KERNEL_SERVER_MINUTES``, default 10;
        ``0``: none; :func:`cvmkit.pipeline.kernels.server_minutes`); the manifest's
        ``kernels`` says where they came from.

    Returns
    -------
    RunResult

    Raises
    ------
    StudySpecError
        When the study file is missing or invalid (nothing is run).
    CvmkitError
        When a parameter is declared by no notebook (the message lists the known ones).
    PipelineError
        When a notebook fails; the message names the notebook and cell, and the executed
        notebooks are kept in ``<run-id>-FAILED`` (the exception's ``run_dir`` attribute).
        Also when the run cannot be written (``out`` is a file, not writable, the disk is
        full): the message names the folder.
    RunInterrupted
        On Ctrl-C: the run folder becomes ``<run-id>-FAILED``, its manifest naming the notebook
        that was running, and no kernel is left behind.

    Examples
    --------
    >>> from cvmkit.pipeline import run_study
    >>> result = run_study("data/demo/study.yaml", out="reports")  # doctest: +SKIP
    >>> result.report.name  # doctest: +SKIP
    'report.html'
    """
    from ..study import load_study

    say = progress or (lambda _msg: None)
    params_in = dict(parameters or {})
    # the files a run reads may be given as parameters too: they are then the ones the run
    # reads, and the ones the manifest names and hashes
    for key, given in (("study_path", study_path), ("data_path", data_path)):
        if params_in.get(key) is not None:
            value = params_in.pop(key)
            if given is not None and Path(str(value)).resolve() != Path(given).resolve():
                raise CvmkitError(f"-p {key}={value}: the run already reads '{given}'")
            if key == "study_path":
                study_path = value
            else:
                data_path = value
        params_in.pop(key, None)
    study_file = Path(study_path) if study_path else default_study_path()
    if not study_file.is_file():  # as load_study says, before any kernel is started
        raise StudySpecError([f"(file): study file '{study_file}' does not exist"],
                             str(study_file))
    nb_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    notebooks = discover_notebooks(nb_dir)
    t_run = time.perf_counter()
    # The kernels' zygote starts now, and so does the first kernel, while the study is read
    # and the run set up (the libraries for that, papermill among them, take a while to
    # import).  A run that may re-use earlier outputs knows which notebook executes first once
    # the inputs are hashed, and starts its kernel then, unless its kernels come from a kernel
    # server: a fork from it serves whichever notebook comes first.
    pool = _KernelPool(kernel_name, nb_dir, [notebook_imports(nb) for nb in notebooks],
                       warm=warm_kernels, fork=fork_kernels, first=None if reuse else 0,
                       server=reuse)
    pool.start()
    if not reuse or pool.server:  # (a kernel forked from a server serves any notebook)
        pool.ahead(0)
    try:
        from ..parameters import check_parameters, declared_parameters

        known = declared_parameters(notebooks)
        if build_report:  # the pipeline styles report.html with these, declared or not
            known = {**dict.fromkeys(REPORT_PARAMETERS), **known}
        params_in = check_parameters(params_in, known)
        study: Study = load_study(study_file)
        data_file = Path(data_path) if data_path else study.data_path
        if data_file is None or not Path(data_file).is_file():
            from ..errors import DataError

            raise DataError(f"survey data file '{data_file}' does not exist")
        data_file = Path(data_file).resolve()
        common = {"study_path": str(study_file.resolve()), "data_path": str(data_file),
                  "seed": seed, **params_in}
        if build_report:
            common.update(_check_report_options(common, study_file))
        # absolute: papermill changes the working directory while a notebook runs, and the
        # HTML exports run beside it
        base = out_folder(out, study.slug)
        clean_stale(base)
        previous = latest_complete_run(base) if reuse else None
        try:
            run_id, tmp = _reserve_run(base, run_id)
        except OSError as exc:
            raise unwritable(base, exc) from None
    except BaseException:
        pool.close()
        raise
    final = base / run_id
    exports = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvmkit-export")
    pending: list[tuple[dict[str, Any], Future]] = []
    error: str | None = None
    running: str | None = None
    manifest: dict[str, Any] = {}
    try:
        import nbformat
        import papermill
        from papermill.exceptions import PapermillExecutionError

        from ..sections import prune_notebook, read_capabilities

        inputs = {
            "study": {"path": str(study_file.resolve()), "sha256": _sha256(study_file)},
            "data": {"path": str(data_file), "sha256": _sha256(data_file)},
            "notebooks": {nb.name: _sha256(nb) for nb in notebooks},
            **_other_inputs(study),
            "cvmkit_source": package_source(),
        }
        versions = _versions()
        manifest = {
            "study": study.title,
            "client": study.client,
            "slug": study.slug,
            "run_id": run_id,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seed": seed,
            "seeds": {"seed": seed, "kernel_env": dict(KERNEL_ENV), "notebooks": {}},
            "parameters": dict(common),
            "inputs": inputs,
            "versions": versions,
            "platform": {"python": sys.version.split()[0], "machine": platform.machine(),
                         "system": platform.system(),
                         "thread_limits": {k: os.environ[k] for k in THREAD_VARIABLES
                                           if k in os.environ}},
            "notebooks": [],
        }
        if previous is not None:
            manifest["reuse"] = {"from": previous[0].name}
        earlier_entries = {e.get("notebook"): e for e in
                           (previous[1].get("notebooks", []) if previous else [])}
        # what every notebook reads, besides its parameters, its source and earlier outputs
        shared_inputs = {"study": inputs["study"]["sha256"], "data": inputs["data"]["sha256"],
                         **{k: v["sha256"] for k, v in inputs.items()
                            if k not in ("study", "data", "notebooks")},
                         "cvmkit": versions.get("cvmkit"), "kernel": kernel_name,
                         "kernel_env": KERNEL_ENV, "build_report": build_report}
        outputs: dict[str, list[str]] = {}
        digests: dict[str, str] = {}  # of each notebook's outputs, as it wrote them

        def done(stem: str, files: list[str]) -> None:
            """Record what notebook ``stem`` wrote: kept as written, hashed for later ones."""
            outputs[stem] = files
            keep_outputs(tmp, stem, files)
            digests[stem] = output_digest(tmp / STORE / stem, files)

        stems = [nb.stem for nb in notebooks]
        plans = []  # per notebook: its parameters, the earlier notebooks it reads
        for i, nb in enumerate(notebooks):
            declared = _declared_parameters(nb)
            params = {k: v for k, v in common.items() if k in declared}
            if "run_dir" in declared:
                params["run_dir"] = str(tmp.resolve())
            if "write_report" in declared and build_report:
                params["write_report"] = False  # the pipeline builds it once, at the end
            plans.append((params, notebook_reads(nb, stems[:i])))

        def inputs_digest(i: int, output_digests: Mapping[str, str]) -> str:
            params, reads = plans[i]
            return input_digest({
                **shared_inputs, "notebook": inputs["notebooks"][notebooks[i].name],
                "parameters": {k: v for k, v in params.items()
                               if k not in ("study_path", "data_path", "run_dir")},
                "reads": {s: output_digests.get(s) for s in reads}})

        def reusable(i: int, digest: str) -> dict[str, Any] | None:
            """The earlier run's entry of notebook ``i`` if its outputs can be copied."""
            earlier = earlier_entries.get(notebooks[i].name)
            if (previous is not None and earlier is not None
                    and earlier.get("inputs_sha256") == digest
                    and earlier.get("status") == "ok" and "outputs" in earlier
                    and all((previous[0] / f).is_file() for f in earlier["outputs"])):
                return earlier
            return None

        # the notebooks expected to execute, whose kernels are prepared ahead
        to_run = (expected_runs(len(notebooks), [r for _, r in plans], stems, inputs_digest,
                                reusable, previous[0]) if previous is not None
                  else list(range(len(notebooks))))
        if reuse:
            pool.ahead(to_run[0] if to_run else None)
        say(f"cvmkit run: {study.title} -> {final}")
        engine = _register_engine()
        imports = _ReportImports(report=build_report)
        if to_run and not pool.server:
            imports.here()
        for i, nb in enumerate(notebooks, 1):
            params, reads = plans[i - 1]
            if "seed" in params:
                manifest["seeds"]["notebooks"][nb.name] = seed
            target = tmp / nb.name
            entry: dict[str, Any] = {"notebook": nb.name, "parameters": {
                k: v for k, v in params.items() if k != "run_dir"}, "reads": reads}
            entry["inputs_sha256"] = inputs_digest(i - 1, digests)
            t0 = time.perf_counter()
            earlier = reusable(i - 1, entry["inputs_sha256"])
            if earlier is not None:
                assert previous is not None
                copy_outputs(previous[0], nb.stem, earlier["outputs"], tmp)
                done(nb.stem, list(earlier["outputs"]))
                entry.update(status="ok", reused=True, outputs=outputs[nb.stem],
                             seconds=round(time.perf_counter() - t0, 3),
                             executed_seconds=earlier.get("executed_seconds",
                                                          earlier.get("seconds")))
                manifest["notebooks"].append(entry)
                say(f"[{i}/{len(notebooks)}] {nb.stem} reused from {previous[0].name}")
                continue
            say(f"[{i}/{len(notebooks)}] {nb.stem} ...")
            before = written_files(tmp)
            running = nb.name
            km = None
            try:
                node = prune_notebook(nbformat.read(nb, as_version=4),
                                      read_capabilities(tmp) or study.capabilities(), nb.name)
                t_kernel = time.perf_counter()
                km = pool.take(i - 1, after=next((j for j in to_run if j >= i), None))
                # (of its seconds, how long it waited for its kernel: the first to execute
                # waits for the libraries to be imported; the others find theirs ready)
                entry["kernel_seconds"] = round(time.perf_counter() - t_kernel, 3)
                papermill.execute_notebook(
                    node, str(target), parameters=params, cwd=str(nb_dir),
                    kernel_name=kernel_name, progress_bar=False, log_output=False, km=km,
                    engine_name=engine, execution_timeout=cell_timeout,
                    request_save_on_cell_execute=False, **step_hooks(node, say, nb.stem),
                    on_notebook_start=imports.start,
                )
            except PapermillExecutionError as exc:
                error = _failure_message(nb, exc, target)
            except Exception as exc:  # kernel died, notebook unreadable, disk full …
                if isinstance(exc, OSError) and exc.errno in _CANNOT_WRITE:
                    error = f"notebook {nb.name} could not be saved: {unwritable(base, exc)}"
                else:
                    tail = pool.stderr_tail()
                    error = f"notebook {nb.name} could not run: {type(exc).__name__}: {exc}"
                    if tail:
                        error += f"\n  kernel said: {tail}"
            finally:
                if km is not None:
                    pool.release(km)
            running = None
            entry["seconds"] = round(time.perf_counter() - t0, 3)
            if error:
                entry["status"] = "failed"
                entry["error"] = error
                manifest["notebooks"].append(entry)
                break
            after = written_files(tmp)
            done(nb.stem, sorted({*(k for k, v in after.items() if before.get(k) != v),
                                  f"{nb.stem}.html"}))
            entry.update(status="ok", outputs=outputs[nb.stem])
            manifest["notebooks"].append(entry)
            pending.append((entry, exports.submit(_export_after, imports, target,
                                                  tmp / f"{nb.stem}.html")))
            say(f"[{i}/{len(notebooks)}] {nb.stem} done in {entry['seconds']:.1f} s")
        if not error and build_report:
            t0 = time.perf_counter()
            try:
                imports.wait()
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
                error = (f"the report could not be written: {unwritable(base, exc)}"
                         if isinstance(exc, OSError) and exc.errno in _CANNOT_WRITE else
                         f"the report could not be built: {type(exc).__name__}: {exc}")
        # the report reads the executed notebooks, not their HTML exports: the last exports
        # go on while it is built
        for entry, fut in pending:
            try:
                fut.result()
            except Exception as exc:  # a run is whole or it failed
                entry["html_error"] = f"{type(exc).__name__}: {exc}"
                error = error or (f"the HTML export of {entry['notebook']} failed: "
                                  f"{entry['html_error']}")
    except BaseException as exc:
        # Ctrl-C, a signal or an error of the pipeline itself: no kernel is left behind, and
        # the folder is marked failed, its manifest saying where the run stopped
        with _uninterrupted():
            pool.close()
            exports.shutdown(wait=True)
            stopped = (f"interrupted while notebook {running} was running" if running
                       else "interrupted between notebooks")
            if not isinstance(exc, KeyboardInterrupt):
                stopped = f"{type(exc).__name__}: {exc}" + (
                    f" (while notebook {running} was running)" if running else "")
            manifest.update(status="interrupted" if isinstance(exc, KeyboardInterrupt)
                            else "failed", error=stopped, running=running,
                            seconds=round(time.perf_counter() - t_run, 3))
            with contextlib.suppress(OSError):
                atomic_write_text(tmp / "manifest.json",
                                  json.dumps(manifest, indent=2, default=str) + "\n")
            failed = finish(tmp, base / f"{run_id}-FAILED") if tmp.exists() else None
        if isinstance(exc, KeyboardInterrupt):
            raise RunInterrupted(f"{study.slug}: {stopped}; the unfinished run is in {failed}",
                                 failed, running) from None
        if isinstance(exc, OSError) and exc.errno in _CANNOT_WRITE:
            err = unwritable(base, exc)
            err.run_dir = failed  # type: ignore[attr-defined]
            raise err from None
        raise
    pool.close()
    exports.shutdown(wait=True)

    seconds = round(time.perf_counter() - t_run, 3)
    manifest["kernels"] = pool.source
    manifest["seconds"] = seconds
    manifest["status"] = "failed" if error else "ok"
    try:
        manifest["tables"] = _table_hashes(tmp)
        if error:
            manifest["error"] = error
        atomic_write_text(tmp / "manifest.json",
                          json.dumps(manifest, indent=2, default=str) + "\n")
    except OSError as exc:  # a full disk, say: the folder is still renamed, as failed
        failed = finish(tmp, base / f"{run_id}-FAILED")
        say(f"FAILED: {unwritable(base, exc)}\n  executed notebooks kept in {failed}")
        err = unwritable(base, exc)
        err.run_dir = failed  # type: ignore[attr-defined]
        err.seconds = seconds  # type: ignore[attr-defined]
        raise err from None
    if error:
        failed = finish(tmp, base / f"{run_id}-FAILED")
        say(f"FAILED: {error}\n  executed notebooks kept in {failed}")
        exc = PipelineError(f"{study.slug}: {error} (executed notebooks kept in {failed})")
        exc.run_dir = failed  # type: ignore[attr-defined]
        exc.seconds = seconds  # type: ignore[attr-defined]
        raise exc
    finish(tmp, final)
    say(f"done in {seconds:.1f} s: {final}")
    report = final / "report.html"
    return RunResult(study.slug, final, "ok", seconds, manifest["notebooks"],
                     report=report if report.is_file() else None, source=str(study_file))


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold off Ctrl-C while a stopped run is cleaned up (in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
