"""Several studies, one after another or in worker processes (:func:`run_batch`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import CvmkitError
from .environment import THREAD_VARIABLES, _skip_iri_checks
from .interrupts import in_import_machinery
from .kernels import _batch_zygote, _sharing_zygotes, share_in_worker
from .notebooks import default_notebooks_dir, default_study_path, discover_notebooks
from .result import RunResult
from .run import run_study

__all__ = ["format_batch_summary", "plan_jobs", "progress_lines", "run_batch"]

_DONE_RE = re.compile(r"^\[(\d+)/(\d+)\] (\S+) done in")
_REUSED_RE = re.compile(r"^\[(\d+)/(\d+)\] (\S+) reused from")


_EVENTS: Any = None


def _label(study: str | Path | None) -> str:
    return str(study) if study is not None else str(default_study_path())


def _run_one(job: dict[str, Any], events: Any = None, in_worker: bool = False) -> RunResult:
    """Run one study of a batch; every failure becomes a failed :class:`RunResult` (also
    Ctrl-C in a worker process, whose batch then stops; elsewhere it stops the caller)."""
    label = job["label"]

    def progress(msg: str) -> None:
        if events is not None:
            events.put((label, msg))

    t0 = time.perf_counter()
    run_dir = None
    try:
        return run_study(job["study"], progress=progress, **job["kwargs"])
    except CvmkitError as exc:
        error = str(exc)
        run_dir = getattr(exc, "run_dir", None)
    except KeyboardInterrupt as exc:  # stopped: the run says where (RunInterrupted)
        error = str(exc) or "interrupted"
        run_dir = getattr(exc, "run_dir", None)
        if not in_worker:
            raise
    except Exception as exc:  # an unexpected error still fails this study only
        error = f"{type(exc).__name__}: {exc}"
    notebooks: list[dict[str, Any]] = []
    if run_dir is not None and (Path(run_dir) / "manifest.json").is_file():
        notebooks = json.loads((Path(run_dir) / "manifest.json").read_text())["notebooks"]
    return RunResult(study=job.get("slug") or label, run_dir=run_dir, status="failed",
                     seconds=round(time.perf_counter() - t0, 3), notebooks=notebooks,
                     error=error, source=label)


#: Whether this worker process is running a study (Ctrl-C stops a study, not an idle worker).
_BUSY = False


def _on_interrupt(signum: int, frame: Any) -> None:
    """In a worker: Ctrl-C (or SIGTERM) stops the study it runs, once; an idle worker waits to
    be shut down by the batch."""
    global _BUSY
    if in_import_machinery(signum, frame):  # sent again in a moment
        return
    if _BUSY:
        _BUSY = False
        raise KeyboardInterrupt


def _init_worker(events: Any, threads: int, zygote: str | None = None) -> None:
    """Set up a batch worker: its progress queue, and its share of the cores.

    Each of ``jobs`` workers gets ``cores // jobs`` threads for the numerical libraries of its
    kernels (as joblib gives its workers), unless the user's environment sets a limit: more
    would only have the studies' threads spinning against each other.  The worker ends with
    the batch's process, however that ends.
    """
    import signal

    from .._zygote import die_with_parent

    global _EVENTS
    _EVENTS = events
    die_with_parent()
    signal.signal(signal.SIGINT, _on_interrupt)
    signal.signal(signal.SIGTERM, _on_interrupt)
    _skip_iri_checks()
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, str(threads))
    # the worker's studies fork their kernels from the batch's zygote (or, without one, from a
    # zygote of the worker's own, which exits with the worker)
    share_in_worker(zygote)


def _worker(job: dict[str, Any]) -> RunResult:
    global _BUSY
    _BUSY = True
    try:
        return _run_one(job, _EVENTS, in_worker=True)
    finally:
        _BUSY = False


def _slug_of(study: str | Path | None) -> str | None:
    try:
        from ..study import load_study

        return load_study(study or default_study_path()).slug
    except Exception:  # the study's own run reports what is wrong with it
        return None


def plan_jobs(studies: Sequence[str | Path | None], data_path: str | Path | None = None,
              notebooks_dir: str | Path | None = None,
              **kwargs: Any) -> tuple[list[dict[str, Any]], Path, int]:
    """The jobs of a batch (one per study: its label, slug and :func:`run_study` arguments),
    the notebooks folder and how many notebooks each job runs."""
    if data_path is not None and len(studies) > 1:
        raise CvmkitError("--data names one data file, so it goes with one study only")
    nb_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    n_nb = len(discover_notebooks(nb_dir))
    kwargs = {**kwargs, "data_path": data_path, "notebooks_dir": nb_dir,
              "parameters": dict(kwargs.get("parameters") or {})}
    job_list = [{"label": _label(s), "study": s, "slug": _slug_of(s), "kwargs": kwargs}
                for s in studies]
    return job_list, nb_dir, n_nb


def progress_lines(job_list: list[dict[str, Any]], n_nb: int, say: Callable[[str], None]
                   ) -> tuple[Callable[[str, str], None], Callable[..., None]]:
    """The overall progress of a batch: ``show(label, message)`` for a study's own progress
    line, ``finished(job, result)`` when a study ends; each says one line through ``say``."""
    total_nb = n_nb * len(job_list)
    state = {"notebooks": 0, "studies": 0}

    def head() -> str:
        return (f"[{state['studies']}/{len(job_list)} studies, {state['notebooks']}/{total_nb} "
                f"notebooks]")

    def show(label: str, msg: str) -> None:
        if _DONE_RE.match(msg) or _REUSED_RE.match(msg):
            state["notebooks"] += 1
        elif not (msg.startswith("FAILED") or msg.startswith("done in")
                  or msg.startswith("cvmkit run:")):
            return
        say(f"{head()} {label}: {msg.splitlines()[0]}")

    def finished(job: dict[str, Any], result: RunResult, streamed: bool = True) -> None:
        state["studies"] += 1
        # the notebooks a failed study never reached still count as finished work (and all
        # of a study's notebooks, when its progress was not streamed through ``show``)
        state["notebooks"] = min(total_nb, state["notebooks"] + n_nb - (sum(
            1 for nb in result.notebooks if nb.get("status") == "ok") if streamed else 0))
        outcome = "ok" if result.status == "ok" else "FAILED"
        say(f"{head()} {job['label']}: {outcome} in {result.seconds:.1f} s")

    return show, finished


def run_batch(
    studies: Sequence[str | Path | None],
    jobs: int = 1,
    data_path: str | Path | None = None,
    out: str | Path = "reports",
    parameters: Mapping[str, Any] | None = None,
    notebooks_dir: str | Path | None = None,
    seed: int = 2026,
    progress: Callable[[str], None] | None = print,
    kernel_name: str = "python3",
    build_report: bool = True,
    warm_kernels: bool = True,
    cell_timeout: float | None = None,
    fork_kernels: bool = True,
    reuse: bool = False,
) -> list[RunResult]:
    """Run several studies, ``jobs`` at a time in worker processes.

    Each study is run by :func:`run_study` in its own worker process (``jobs > 1``, each with
    its share of the cores for the numerical libraries: see :func:`_init_worker`) or one after
    another in this process (``jobs == 1``).  The studies run by one process fork their
    kernels from the same zygote (:mod:`cvmkit._zygote`), which imports the libraries once.
    A study that fails — a bad study file, a notebook that raises, a worker that dies — is
    reported as a failed :class:`RunResult` and the others carry on; every run folder is built
    apart, so no study can touch another's.

    Parameters
    ----------
    studies : sequence of str or Path
        The study files (``None`` stands for the bundled demo).
    jobs : int
        How many studies run at the same time.
    data_path, out, parameters, notebooks_dir, seed, kernel_name, build_report, warm_kernels, \
cell_timeout, fork_kernels, reuse
        As for :func:`run_study`; the same for every study.
    progress : callable, optional
        Called with each line of overall progress (``None`` for silence).

    Returns
    -------
    list of RunResult
        In the order of ``studies``; ``status`` is ``"ok"`` or ``"failed"`` (with ``error``).

    Examples
    --------
    >>> results = run_batch(["a/study.yaml", "b/study.yaml"], jobs=2)  # doctest: +SKIP
    >>> print(format_batch_summary(results))  # doctest: +SKIP
    """
    import multiprocessing

    if jobs < 1:
        raise CvmkitError(f"jobs: expected a positive number of worker processes, got {jobs}")
    say = progress or (lambda _msg: None)
    job_list, nb_dir, n_nb = plan_jobs(
        studies, data_path=data_path, out=out, parameters=parameters,
        notebooks_dir=notebooks_dir, seed=seed, kernel_name=kernel_name,
        build_report=build_report, warm_kernels=warm_kernels, cell_timeout=cell_timeout,
        fork_kernels=fork_kernels, reuse=reuse)
    show, finished = progress_lines(job_list, n_nb, say)

    results: list[RunResult | None] = [None] * len(job_list)
    say(f"cvmkit run: {len(job_list)} studies, {jobs} at a time, {n_nb} notebooks each")
    if jobs == 1 or len(job_list) == 1:
        class _Direct:
            def __init__(self, label: str) -> None:
                self.label = label

            def put(self, item: tuple[str, str]) -> None:
                show(*item)

        with _sharing_zygotes():
            for i, job in enumerate(job_list):
                results[i] = _run_one(job, _Direct(job["label"]))
                finished(job, results[i])
        return [r for r in results if r is not None]

    ctx = multiprocessing.get_context("spawn")
    events = ctx.Queue()
    workers = min(jobs, len(job_list))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    threads = max(1, (cores or 1) // workers)
    from .._zygote import fork_supported

    shared = fork_kernels and kernel_name == "python3" and fork_supported()
    folder = tempfile.mkdtemp(prefix="cvmkit-zygote-") if shared else None  # private (0700)
    address = os.path.join(folder, "socket") if folder else None
    # The batch's zygote starts beside the workers (they wait for it when they first need it).
    starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvmkit-zygote")
    zygote = starter.submit(_batch_zygote, nb_dir, threads, address) if shared else None
    try:
        _run_workers(ctx, workers, events, threads, address, job_list, results, show,
                     finished)
    finally:
        starter.shutdown(wait=True)
        if zygote is not None and zygote.result() is not None:
            zygote.result().close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return [r for r in results if r is not None]


def _run_workers(ctx: Any, workers: int, events: Any, threads: int, address: str | None,
                 job_list: list[dict[str, Any]], results: list[RunResult | None],
                 show: Callable[[str, str], None],
                 finished: Callable[[dict[str, Any], RunResult], None]) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(events, threads, address)) as ex:
        futures = {ex.submit(_worker, job): i for i, job in enumerate(job_list)}
        pending = set(futures)
        while pending:
            try:
                done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                _stop_workers(ex)
                raise KeyboardInterrupt(_interrupted(job_list, futures)) from None
            _drain(events, show)
            for fut in done:
                i = futures[fut]
                job = job_list[i]
                try:
                    result = fut.result()
                except BaseException as exc:  # the worker process died
                    result = RunResult(study=job["slug"] or job["label"], run_dir=None,
                                       status="failed", seconds=0.0,
                                       error=f"worker process failed: {type(exc).__name__}: "
                                             f"{exc}", source=job["label"])
                results[i] = result
                finished(job, result)
        _drain(events, show)


def _stop_workers(ex: Any) -> None:
    """Stop a batch's workers after Ctrl-C: each stops its study (marking its folder failed)
    and the batch waits for them; the studies not started are dropped."""
    import signal

    for proc in list(getattr(ex, "_processes", {}).values()):
        try:
            os.kill(proc.pid, signal.SIGINT)
        except OSError:
            pass
    ex.shutdown(wait=True, cancel_futures=True)


def _interrupted(job_list: list[dict[str, Any]], futures: dict[Any, int]) -> str:
    stopped = []
    for fut in futures:
        if fut.done() and not fut.cancelled():
            try:
                result = fut.result()
            except BaseException:
                continue
            if result.status != "ok" and result.run_dir is not None:
                stopped.append(str(result.run_dir))
    where = f"; unfinished runs in {', '.join(stopped)}" if stopped else ""
    return f"batch of {len(job_list)} studies interrupted{where}"


def _drain(events: Any, show: Callable[[str, str], None]) -> None:
    import queue

    while True:
        try:
            label, msg = events.get_nowait()
        except queue.Empty:
            return
        except (EOFError, OSError):
            return
        show(label, msg)


def format_batch_summary(results: Sequence[RunResult]) -> str:
    """The summary table of a batch: study, outcome, time and report (or failed folder).

    Examples
    --------
    >>> r = RunResult("demo", Path("reports/demo/x"), "ok", 12.5, report=Path("r.html"),
    ...               source="demo.yaml")
    >>> print(format_batch_summary([r]))  # doctest: +NORMALIZE_WHITESPACE
    study  file       outcome  time    report
    demo   demo.yaml  ok       12.5 s  r.html
    """
    rows = [("study", "file", "outcome", "time", "report")]
    notes: dict[int, str] = {}
    for k, r in enumerate(results):
        where = r.report if r.status == "ok" and r.report else r.run_dir
        rows.append((str(r.study), str(r.source or ""), "ok" if r.status == "ok" else "FAILED",
                     f"{r.seconds:.1f} s", str(where) if where else "-"))
        if r.status != "ok" and r.error:  # every line: a study file's problems, say
            notes[k + 1] = r.error.strip().removeprefix(f"{r.study}: ")
    widths = [max(len(row[c]) for row in rows) for c in range(5)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
        if k in notes:
            first, *rest = notes[k].splitlines()
            lines.append(f"  -> {first}")
            lines.extend(f"     {line.strip()}" for line in rest if line.strip())
    return "\n".join(lines)

