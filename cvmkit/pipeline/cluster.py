"""Many studies on a Dask cluster: each study is one task on the cluster's workers.

``cvmkit run a.yaml b.yaml … --cluster local`` starts a ``dask.distributed`` LocalCluster
sized to this machine; ``--scheduler ADDRESS`` sends the studies to an existing cluster (one
started with ``dask scheduler`` / ``dask worker``, dask-jobqueue on SLURM or PBS, or
dask-kubernetes).  Each task calls :func:`~cvmkit.pipeline.run.run_study` on a worker, so a
run is built exactly as on one machine: hidden while it is built, renamed when it ends, one
study's failure never touching another.  The run folders land under ``--out``, which must be
a folder every worker sees under the same path (a shared file system); the study files and
their data too.

A worker that dies in the middle of a study (killed, out of memory, its node gone) takes its
run's hidden build folder with it unfinished; the scheduler hands the study to another
worker, whose run removes that folder (its lock died with the worker, see
:mod:`cvmkit.pipeline.folders`) and starts afresh.  A study whose workers keep dying (more
often than the scheduler's ``distributed.scheduler.allowed-failures``) is reported failed
(``KilledWorker``) and the others go on.

Needs the ``distributed`` package (``pip install "cvmkit[cluster]"``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import CvmkitError
from .batch import _run_one, plan_jobs, progress_lines
from .environment import THREAD_VARIABLES, _skip_iri_checks
from .kernels import share_in_worker
from .result import RunResult

__all__ = ["run_on_cluster"]


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise CvmkitError("--cluster and --scheduler need Dask's distributed package: "
                          "pip install 'cvmkit[cluster]'") from None
    return distributed


def _study_task(job: dict[str, Any], threads: int | None) -> RunResult:
    """Run one study on a worker (every failure a failed :class:`RunResult`)."""
    _skip_iri_checks()
    if threads is not None:
        for name in THREAD_VARIABLES:
            os.environ.setdefault(name, str(threads))
    share_in_worker(None)  # the worker's studies share its kernel zygote
    return _run_one(job, in_worker=True)


def local_cluster(n_workers: int | None = None, **kwargs: Any) -> Any:
    """A LocalCluster sized to this machine: one single-threaded worker process per core
    (each study's notebooks run in kernels of their own, which do the numerical work)."""
    distributed = _distributed()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return distributed.LocalCluster(n_workers=n_workers or max(1, cores or 1),
                                    threads_per_worker=1, processes=True,
                                    dashboard_address=kwargs.pop("dashboard_address", ":0"),
                                    **kwargs)


def run_on_cluster(
    studies: Sequence[str | Path | None],
    cluster: str | None = "local",
    scheduler: str | None = None,
    client: Any = None,
    data_path: str | Path | None = None,
    out: str | Path = "reports",
    parameters: Mapping[str, Any] | None = None,
    notebooks_dir: str | Path | None = None,
    seed: int = 2026,
    progress: Callable[[str], None] | None = print,
    **kwargs: Any,
) -> list[RunResult]:
    """Run several studies as tasks on a Dask cluster, one task per study.

    Parameters
    ----------
    studies : sequence of str or Path
        The study files (``None`` stands for the bundled demo); paths every worker can read.
    cluster : {"local"}, optional
        Start a LocalCluster on this machine (:func:`local_cluster`) for the batch.
    scheduler : str, optional
        The address of an existing cluster's scheduler (``tcp://host:8786``).
    client : distributed.Client, optional
        An existing client (``cluster`` and ``scheduler`` are then ignored).
    data_path, out, parameters, notebooks_dir, seed
        As for :func:`~cvmkit.pipeline.run_study`; ``out`` must be seen by every worker.
    progress : callable, optional
        Called with one line per study finished (``None`` for silence).
    **kwargs
        Other arguments of :func:`~cvmkit.pipeline.run_study` (``build_report``, ``reuse`` …).

    Returns
    -------
    list of RunResult
        In the order of ``studies``, as :func:`~cvmkit.pipeline.run_batch` returns them.

    Examples
    --------
    >>> results = run_on_cluster(["a/study.yaml", "b/study.yaml"])  # doctest: +SKIP
    >>> results = run_on_cluster(paths, scheduler="tcp://10.0.0.5:8786")  # doctest: +SKIP
    """
    say = progress or (lambda _msg: None)
    job_list, _, n_nb = plan_jobs(studies, data_path=data_path, out=Path(out).resolve(),
                                  parameters=parameters, notebooks_dir=notebooks_dir,
                                  seed=seed, **kwargs)
    _, finished = progress_lines(job_list, n_nb, say)
    distributed = _distributed()
    with contextlib.ExitStack() as stack:
        if client is None:
            if scheduler:
                try:
                    client = distributed.Client(scheduler, timeout="20s")
                except (OSError, TimeoutError) as exc:
                    raise CvmkitError(f"--scheduler {scheduler}: no Dask scheduler answers "
                                      f"there ({type(exc).__name__}: {exc})") from None
            elif cluster == "local":
                stack.enter_context(_workers_exit_promptly())
                # closed last: the client first, then the cluster (the workers, the scheduler)
                own_cluster = stack.enter_context(contextlib.closing(local_cluster()))
                client = distributed.Client(own_cluster)
            else:
                raise CvmkitError(f"--cluster {cluster!r}: expected 'local' (or give "
                                  "--scheduler)")
            stack.enter_context(contextlib.closing(client))
        return _submit_all(client, distributed, job_list, finished, say)


@contextlib.contextmanager
def _workers_exit_promptly() -> Iterator[None]:
    """Start the worker processes of a LocalCluster from a fork server while inside.

    A worker that has run studies holds the libraries a run imports (papermill, nbconvert,
    pandas, the report's …).  Started the default way (``spawn``) it ends, when the cluster
    closes, with the interpreter's teardown of all of them: a second of processor time or
    more, which on a busy machine outlasts the four seconds the nanny waits before it kills
    the worker (with a warning).  A process forked by multiprocessing's fork server ends as
    soon as its work is done, its exit code kept, without that teardown.  A method other than
    the default one, set in Dask's configuration, is left as it is.
    """
    import multiprocessing

    import dask

    key = "distributed.worker.multiprocessing-method"
    if (dask.config.get(key, "spawn") != "spawn"
            or "forkserver" not in multiprocessing.get_all_start_methods()):
        yield
        return
    # for the cluster's whole life: a worker that dies is started again the same way
    with dask.config.set({key: "forkserver"}):
        yield


def _submit_all(client: Any, distributed: Any, job_list: list[dict[str, Any]],
                finished: Callable[..., None],
                say: Callable[[str], None]) -> list[RunResult]:
    workers = client.scheduler_info().get("workers", {})
    threads = max(1, (os.cpu_count() or 1) // max(1, len(workers))) if workers else None
    say(f"cvmkit run: {len(job_list)} studies on a Dask cluster "
        f"({len(workers)} workers, scheduler {client.scheduler.address})")
    stamp = f"{os.getpid()}-{time.time_ns()}"
    futures = {}
    for i, job in enumerate(job_list):
        key = f"cvmkit-study-{job['slug'] or 'study'}-{i}-{stamp}"
        futures[client.submit(_study_task, job, threads, key=key, pure=False)] = i
    results: list[RunResult | None] = [None] * len(job_list)
    try:
        for fut in distributed.as_completed(list(futures)):
            i = futures.pop(fut)
            job = job_list[i]
            try:
                result = fut.result()
            except Exception as exc:  # the task's workers died (KilledWorker) or it was lost
                result = RunResult(study=job["slug"] or job["label"], run_dir=None,
                                   status="failed", seconds=0.0, source=job["label"],
                                   error=f"the study's worker failed: {type(exc).__name__}: "
                                         f"{exc}")
            # let the cluster forget the task: a worker lost later must not run it again
            fut.release()
            results[i] = result
            finished(job, result, streamed=False)
    except KeyboardInterrupt:
        client.cancel(list(futures), force=True)
        raise KeyboardInterrupt(f"batch of {len(job_list)} studies on the cluster "
                                "interrupted") from None
    return [r for r in results if r is not None]
