"""Running the notebook sequence of a study end to end with papermill.

``run_study`` executes every numbered notebook (``01_*.ipynb``, ``02_*.ipynb`` …) found in the
notebooks folder, in order, into ``<out>/<study-slug>/<run-id>/``:

* each notebook gets the study's paths, the run directory, the seed and any extra parameters
  (only those its ``parameters`` cell declares);
* each executed notebook is kept, and exported to HTML without code cells;
* after the last notebook, the client report is built from the run: ``report.html`` (one
  self-contained page) and ``tables.xlsx`` (one sheet per table), see :mod:`cvmkit.report`;
* ``manifest.json`` records the parameters, seeds, package versions, input file hashes (study,
  data and each notebook), the hash of every table written and the time each notebook took.

A run is written whole or not at all: it is built in a hidden temporary folder and renamed into
place when every notebook has succeeded.  When a notebook fails, the folder is renamed to
``<run-id>-FAILED`` instead, keeping the executed notebooks for inspection, and a
:class:`~cvmkit.errors.PipelineError` names the notebook, the cell and the error.

``run_batch`` runs several studies, in parallel worker processes when ``jobs > 1``
(``run_on_cluster``: as tasks on a Dask cluster); one failing study never stops or touches the
others.  A run stopped by Ctrl-C leaves a ``-FAILED`` folder naming the notebook that was
running; one killed outright leaves only its hidden folder, removed by the next run.

The modules, one concern each:

* :mod:`~cvmkit.pipeline.notebooks` — which notebooks, what they import and declare;
* :mod:`~cvmkit.pipeline.run` — running one study (:func:`run_study`);
* :mod:`~cvmkit.pipeline.kernels` and :mod:`~cvmkit.pipeline.engine` — starting kernels ahead
  of time (forked from :mod:`cvmkit._zygote`) and executing a notebook in one;
* :mod:`~cvmkit.pipeline.folders` — the run folder: hidden while built, renamed at the end;
* :mod:`~cvmkit.pipeline.manifest` — hashes and versions recorded in ``manifest.json``;
* :mod:`~cvmkit.pipeline.export` — the HTML export of an executed notebook;
* :mod:`~cvmkit.pipeline.result` — what a run produced (:class:`RunResult`), or how it was
  stopped (:class:`RunInterrupted`);
* :mod:`~cvmkit.pipeline.reuse` — what each notebook read, and re-using an earlier run's
  outputs (``cvmkit run --reuse``);
* :mod:`~cvmkit.pipeline.batch` — several studies in worker processes (:func:`run_batch`);
* :mod:`~cvmkit.pipeline.cluster` — several studies as tasks on a Dask cluster
  (:func:`run_on_cluster`);
* :mod:`~cvmkit.pipeline.environment` — thread limits and start-up trimming of processes.
"""

from __future__ import annotations

from .batch import format_batch_summary, run_batch
from .cluster import run_on_cluster
from .engine import _register_engine
from .environment import THREAD_VARIABLES, _skip_iri_checks
from .export import export_html
from .folders import _free_name, _reserve_run
from .kernels import KERNEL_ENV, _KernelPool, _sharing_zygotes
from .notebooks import (
    default_notebooks_dir,
    default_study_path,
    discover_notebooks,
    notebook_imports,
)
from .result import RunInterrupted, RunResult
from .run import REPORT_PARAMETERS, run_study

__all__ = [
    "KERNEL_ENV",
    "REPORT_PARAMETERS",
    "THREAD_VARIABLES",
    "RunInterrupted",
    "RunResult",
    "default_notebooks_dir",
    "default_study_path",
    "discover_notebooks",
    "export_html",
    "format_batch_summary",
    "notebook_imports",
    "run_batch",
    "run_on_cluster",
    "run_study",
]

# names used by the command line and the tests
_ = (_free_name, _reserve_run, _KernelPool, _register_engine, _sharing_zygotes,
     _skip_iri_checks)
