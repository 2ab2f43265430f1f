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

Speed.  Most of a short notebook's time is spent starting its kernel and importing pandas,
statsmodels and seaborn.  On Linux each kernel is forked from a process that has imported the
notebooks' libraries once (:mod:`cvmkit._zygote`); while one notebook runs, the kernel of the
next one is started and its remaining imports are done in it (silently, binding no names), so
the next notebook starts warm; and the HTML export of each notebook runs in a background
thread.  Kernels run with
``PYTHONHASHSEED=0`` so that anything ordered by a string hash comes out the same every run,
and ``CVMKIT_PROGRESS=off`` so that no progress bar is left in an executed notebook.

``run_batch`` runs several studies, in parallel worker processes when ``jobs > 1``; one
failing study never stops or touches the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CvmkitError, PipelineError, StudySpecError

if TYPE_CHECKING:
    from .study import Study

__all__ = [
    "REPORT_PARAMETERS",
    "notebook_imports",
    "RunResult",
    "default_notebooks_dir",
    "default_study_path",
    "discover_notebooks",
    "export_html",
    "format_batch_summary",
    "run_batch",
    "run_study",
]

_NOTEBOOK_RE = re.compile(r"^\d{2}_[\w\-]+\.ipynb$")
_PACKAGES = ("cvmkit", "numpy", "scipy", "pandas", "statsmodels", "matplotlib", "seaborn",
             "numba", "scikit-learn", "adjustText", "papermill", "nbclient", "nbconvert",
             "nbformat", "jupyter_client", "ipykernel", "pyarrow", "openpyxl", "pyyaml",
             "pyreadstat", "mistune")
#: Parameters of the report (``-p name=value``): passed to notebook 06 and used by the pipeline
#: when it builds ``report.html``.
REPORT_PARAMETERS = ("client_name", "report_title", "report_date", "logo_path", "accent_color")
#: The environment every kernel gets on top of the caller's.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "CVMKIT_PROGRESS": "off"}


def default_notebooks_dir() -> Path:
    """The notebooks the kit ships (see :func:`cvmkit.resources.notebooks_dir`).

    The current folder plays no part: other notebooks are run with ``notebooks_dir``
    (``cvmkit run --notebooks DIR``).
    """
    from .resources import notebooks_dir

    return notebooks_dir()


def default_study_path() -> Path:
    """The bundled demo study (see :func:`cvmkit.resources.demo_study_path`)."""
    from .resources import demo_study_path

    return demo_study_path()


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


_EXPORTER: Any = None


def export_html(notebook: str | Path, target: str | Path) -> Path:
    """Export an executed notebook to HTML without its code cells (its computed Markdown made
    inert: :mod:`cvmkit.escaping`), opening offline (:mod:`cvmkit.report.notebook_html`)."""
    global _EXPORTER
    import nbformat

    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                                 exclude_output_prompt=True)
    from .escaping import inert_outputs

    nb = inert_outputs(nbformat.read(str(notebook), as_version=4))
    body, _ = _EXPORTER.from_notebook_node(nb)
    from .io.artifacts import atomic_write_text
    from .report.notebook_html import offline_notebook_html

    return atomic_write_text(target, offline_notebook_html(body, Path(notebook).parent))


@dataclass
class RunResult:
    """What a run produced: its folder, status and timings."""

    study: str
    run_dir: Path
    status: str
    seconds: float
    notebooks: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    report: Path | None = None
    source: str | None = None


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


def _declared_parameters(nb: Path) -> set[str]:
    import papermill

    return set(papermill.inspect_notebook(str(nb)))


def _reserve_run(base: Path, run_id: str | None) -> tuple[str, Path]:
    """Pick the run id and create its hidden build folder atomically.

    Two runs of studies with the same slug started in the same second (a batch) get different
    ids: the build folder is created with ``mkdir``, which only one of them can win.
    """
    if run_id is not None:
        if (base / run_id).exists():
            raise PipelineError(f"run folder '{base / run_id}' already exists")
        tmp = base / f".{run_id}.partial"
        if tmp.exists():  # left over by a run that was killed
            shutil.rmtree(tmp)
        tmp.mkdir()
        return run_id, tmp
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    k = 1
    while True:
        candidate = stamp if k == 1 else f"{stamp}-{k}"
        k += 1
        if (base / candidate).exists() or (base / f"{candidate}-FAILED").exists():
            continue
        tmp = base / f".{candidate}.partial"
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        return candidate, tmp


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    k = 2
    while path.with_name(f"{path.name}-{k}").exists():
        k += 1
    return path.with_name(f"{path.name}-{k}")


# ---------------------------------------------------------------------- kernels
def _ipython_to_python(source: str) -> str:
    """A cell's code as IPython runs it (magics and shell escapes become Python calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def notebook_imports(notebook: str | Path) -> list[str]:
    r"""The modules a notebook's code cells import, in order (for warming its kernel).

    ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a.b`` (which may be a module)
    and ``a``.  IPython magics are read as IPython reads them; a cell that still does not
    parse is skipped.

    Examples
    --------
    >>> import nbformat, tempfile, os
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "import pandas as pd\nfrom cvmkit import drivers\n%matplotlib inline")])
    >>> path = os.path.join(tempfile.mkdtemp(), "x.ipynb")
    >>> nbformat.write(nb, path)
    >>> notebook_imports(path)
    ['pandas', 'cvmkit.drivers', 'cvmkit']
    """
    import ast

    # Read as plain JSON: this runs before the kernels start, and nbformat's schema machinery
    # is slow to import.
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    found: list[str] = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        try:
            tree = ast.parse(source)
        except SyntaxError:
            try:
                tree = ast.parse(_ipython_to_python(source))
            except SyntaxError:
                continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.extend(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
                found.append(node.module)
    return list(dict.fromkeys(found))


#: In a batch worker: the address of the zygote the batch started, shared by its workers.
_BATCH_ZYGOTE: str | None = None


def _zygote_modules(imports: Sequence[Sequence[str]]) -> tuple[list[str], int]:
    """The modules a zygote imports for notebooks importing ``imports`` (one list each), and
    how many of them the first notebook needs (imported before its kernel is forked)."""
    first = list(dict.fromkeys(imports[0])) if imports else []
    return list(dict.fromkeys([*first, *(m for ms in imports for m in ms)])), len(first)


#: Zygotes kept for the next run in this process, by modules and environment (only while
#: :func:`_sharing_zygotes` is in force: in a batch, not between runs started by hand, which
#: must see the libraries as they are at the time).
_SHARED_ZYGOTES: dict[tuple, Any] | None = None


@contextmanager
def _sharing_zygotes() -> Iterator[None]:
    """Let the runs inside share their kernel zygote; close the zygotes at the end."""
    global _SHARED_ZYGOTES
    if _SHARED_ZYGOTES is not None:  # already shared further out
        yield
        return
    _SHARED_ZYGOTES = {}
    try:
        yield
    finally:
        zygotes, _SHARED_ZYGOTES = _SHARED_ZYGOTES, None
        for zygote in zygotes.values():
            zygote.close()


class _KernelPool:
    """Kernels started ahead of the notebooks that need them.

    ``take()`` hands over the ready kernel manager of the next notebook and starts preparing
    the one after in a background thread, so that a kernel's start-up overlaps with the
    previous notebook's work.  On Linux the kernels are forked from a zygote that has imported
    the notebooks' libraries already.  The notebook's imports that its kernel does not hold yet
    — all of them for an ordinary kernel, those the zygote leaves to each kernel (the plotting
    libraries) for a forked one — are run in the kernel ahead of time, silently (no execution
    count, no names bound in the notebook's namespace; an import that fails is left for the
    notebook to report).
    """

    def __init__(self, kernel_name: str, cwd: Path, imports: Sequence[Sequence[str]],
                 warm: bool = True, fork: bool = True) -> None:
        from ._zygote import fork_supported

        self.kernel_name = kernel_name
        self.cwd = str(cwd)
        self.queue = [list(m) for m in imports]
        self.warm = warm
        self.fork = fork and fork_supported() and kernel_name == "python3"
        self.modules, self.first = _zygote_modules(self.queue)
        self.zygote: Any = None
        self.own_zygote = True
        self.env = {**os.environ, **KERNEL_ENV}
        self.log = tempfile.NamedTemporaryFile(prefix="cvmkit-kernels-", suffix=".log")
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvmkit-kernel")
        self.next: Future | None = None
        self.started: list[Any] = []
        self.reaper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvmkit-kernel-stop")

    def _manager(self) -> Any:
        """A kernel manager: forked from the zygote when possible, else the ordinary kind."""
        from jupyter_client.manager import AsyncKernelManager

        if self.fork and self.zygote is None:
            from ._zygote import Zygote

            key = (tuple(self.modules), self.first, tuple(sorted(self.env.items())))
            shared = _SHARED_ZYGOTES.get(key) if _SHARED_ZYGOTES is not None else None
            if shared is None and _BATCH_ZYGOTE is not None:  # the batch's, in a worker
                try:
                    shared = Zygote.attach(_BATCH_ZYGOTE, self.env)
                    _SHARED_ZYGOTES[key] = shared
                except (OSError, RuntimeError) as exc:
                    self.log.write(f"batch kernel zygote unavailable: {exc}\n".encode())
                    self.log.flush()
            if shared is not None and shared.alive():
                self.zygote, self.own_zygote = shared, False
            else:
                try:
                    self.zygote = Zygote(self.modules, self.env, log=self.log,
                                         first=self.first)
                except Exception as exc:  # fall back to ordinary kernel starts
                    self.fork = False
                    self.log.write(f"kernel zygote unavailable: {exc}\n".encode())
                    self.log.flush()
                else:
                    if _SHARED_ZYGOTES is not None:
                        _SHARED_ZYGOTES[key] = self.zygote
                        self.own_zygote = False
        if self.fork and self.zygote is not None:
            from ._zygote import forked_kernel_manager

            return forked_kernel_manager(self.zygote, log=self.log.name,
                                         kernel_name=self.kernel_name)
        return AsyncKernelManager(kernel_name=self.kernel_name)

    @staticmethod
    def _code(modules: Sequence[str]) -> str:
        return "".join(f"try:\n    __import__({m!r})\nexcept Exception:\n    pass\n"
                       for m in modules)

    def _start(self, modules: Sequence[str]) -> Any:
        km = self._manager()
        self.started.append(km)
        asyncio.run(km.start_kernel(cwd=self.cwd, env=self.env, stderr=self.log))
        if self.fork and self.zygote is not None:  # a forked kernel has most of them already
            modules = [m for m in modules if m not in self.zygote.imported]
        if self.warm and modules:
            kc = km.blocking_client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=120)
                kc.execute_interactive(self._code(modules), silent=True, store_history=False,
                                       timeout=300)
            finally:
                kc.stop_channels()
        return km

    def _prepare(self) -> None:
        if self.queue:
            self.next = self.executor.submit(self._start, self.queue.pop(0))
        else:
            self.next = None

    def take_ahead(self) -> None:
        """Start preparing the first kernel now."""
        if self.next is None:
            self._prepare()

    def take(self) -> Any:
        """The next ready kernel manager (started now if none was prepared)."""
        if self.next is None:
            self._prepare()
        fut = self.next
        self._prepare()
        return fut.result()

    @staticmethod
    def stop(km: Any) -> None:
        try:
            if km.has_kernel:
                asyncio.run(km.shutdown_kernel(now=True))
        except Exception:  # the kernel died or is gone already
            pass

    def release(self, km: Any) -> None:
        """Stop a notebook's kernel in the background (the next notebook need not wait)."""
        self.reaper.submit(self.stop, km)

    def close(self) -> None:
        if self.next is not None:
            try:
                self.stop(self.next.result())
            except Exception:
                pass
            self.next = None
        self.executor.shutdown(wait=True)
        self.reaper.shutdown(wait=True)
        for km in self.started:
            self.stop(km)
        if self.zygote is not None and self.own_zygote:
            self.zygote.close()
        self.zygote = None
        self.log.close()

    def stderr_tail(self, lines: int = 5) -> str:
        """The last lines the kernels wrote to stderr (to explain a kernel that died)."""
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return "\n".join(text[-lines:])


def _check_report_options(params: Mapping[str, Any], study_file: Path) -> dict[str, Any]:
    """Check the report parameters before any notebook runs; make the logo path absolute.

    A relative ``logo_path`` is looked up in the study's folder, then in the current folder.
    """
    from .errors import DataError
    from .report.html import _accent

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


def _other_inputs(study: Study) -> dict[str, Any]:
    """Hashes of the other files a study names (transactions, customers, acquisition)."""
    out: dict[str, Any] = {}
    tx = study.transactions or {}
    for key in ("path", "customers", "acquisition"):
        name = tx.get(key)
        if isinstance(name, str):
            p = study.resolve(name)
            if p is not None and p.is_file():
                out[f"transactions.{key}"] = {"path": str(p.resolve()), "sha256": _sha256(p)}
    return out


_ENGINE = "cvmkit"


async def _kernel_ready(kc: Any, km: Any, timeout: float | None) -> None:
    """Wait until the kernel answers ``kernel_info`` and its IOPub messages reach ``kc``.

    ``jupyter_client``'s own wait ends by listening to IOPub until it has been silent for
    0.2 s, which a run pays once per notebook; here IOPub is known to be connected, and
    drained, when it brings the ``idle`` status of the ``kernel_info`` request itself.
    """
    from queue import Empty

    from nbclient.util import ensure_async

    deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
    while True:
        msg_id = kc.kernel_info()
        try:
            reply = await ensure_async(kc.shell_channel.get_msg(timeout=1))
        except Empty:
            reply = None
        if reply is not None and reply["parent_header"].get("msg_id") == msg_id:
            try:
                while True:
                    msg = await ensure_async(kc.iopub_channel.get_msg(timeout=0.5))
                    if (msg["parent_header"].get("msg_id") == msg_id
                            and msg["msg_type"] == "status"
                            and msg["content"].get("execution_state") == "idle"):
                        handle = getattr(kc, "_handle_kernel_info_reply", None)
                        if handle is not None:
                            handle(reply)  # adapts to an older protocol, if need be
                        return
            except Empty:
                pass  # IOPub connected after those messages went out: ask again
        if not await ensure_async(km.is_alive()):
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


def _register_engine() -> str:
    """Register (once) the papermill engine the pipeline runs notebooks with.

    It is papermill's nbclient engine without nbclient's stand-in for the ipywidgets *Output*
    widget.  That stand-in answers the kernel with comm messages on the shell channel while
    the client is waiting on the same channel for the cell's reply, and now and then the reply
    is never seen: the cell — typically a notebook's interactive explorer — waits forever
    (jupyter/nbclient#312).  Without it, what a cell shows inside an Output widget is kept as
    the cell's own output, which is also what a static copy of a notebook should show.
    """
    from nbclient.util import run_sync
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    if _ENGINE in papermill_engines._engines:
        return _ENGINE

    class _Client(PapermillNotebookClient):
        def __init__(self, nb_man: Any, km: Any = None, raise_on_iopub_timeout: bool = True,
                     **kw: Any) -> None:
            super().__init__(nb_man, km=km, raise_on_iopub_timeout=raise_on_iopub_timeout,
                             **kw)
            self.widget_registry = {}

        async def async_start_new_kernel_client(self) -> Any:
            from nbclient.util import ensure_async, run_hook

            assert self.km is not None
            try:
                self.kc = self.km.client()
                await ensure_async(self.kc.start_channels())
                await _kernel_ready(self.kc, self.km, timeout=self.startup_timeout)
            except Exception:
                await self._async_cleanup_kernel()
                raise
            self.kc.allow_stdin = False
            await run_hook(self.on_notebook_start, notebook=self.nb)
            return self.kc

        # nbclient's synchronous wrapper is bound to its own coroutine: bind it to this one
        start_new_kernel_client = run_sync(async_start_new_kernel_client)

        def execute(self, **kwargs: Any) -> Any:
            try:
                return super().execute(**kwargs)
            finally:  # the kernel manager is the pipeline's; the client is ours to close
                if self.kc is not None:
                    self.kc.stop_channels()
                    self.kc = None

    class _Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str,
                                     log_output: bool = False, stdout_file: Any = None,
                                     stderr_file: Any = None, start_timeout: int = 60,
                                     execution_timeout: int | None = None,
                                     **kwargs: Any) -> Any:
            import logging

            kw = {k: v for k, v in kwargs.items()
                  if k not in ("input_path", "timeout", "startup_timeout")}
            kw.update(timeout=execution_timeout or kwargs.get("timeout"),
                      startup_timeout=start_timeout, kernel_name=kernel_name,
                      log=logging.getLogger("papermill"), log_output=log_output,
                      stdout_file=stdout_file, stderr_file=stderr_file)
            return _Client(nb_man, **kw).execute()

    papermill_engines.register(_ENGINE, _Engine)
    return _ENGINE


def _report_options(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: params.get(k) for k in REPORT_PARAMETERS if params.get(k) is not None}


def _table_hashes(run: Path) -> dict[str, str]:
    tables = run / "tables"
    if not tables.is_dir():
        return {}
    return {p.name: _sha256(p) for p in sorted(tables.glob("*.csv"))}


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
    from .study import load_study

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
            from .errors import DataError

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

        from .sections import prune_notebook, read_capabilities

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
                from .report import build_report as _build_report
                from .report import write_tables_xlsx

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
    from .io.artifacts import atomic_write_text

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


# ---------------------------------------------------------------------- batch
_DONE_RE = re.compile(r"^\[(\d+)/(\d+)\] (\S+) done in")
_EVENTS: Any = None


def _label(study: str | Path | None) -> str:
    return str(study) if study is not None else str(default_study_path())


def _run_one(job: dict[str, Any], events: Any = None) -> RunResult:
    """Run one study of a batch; every failure becomes a failed :class:`RunResult`."""
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
    except Exception as exc:  # an unexpected error still fails this study only
        error = f"{type(exc).__name__}: {exc}"
    notebooks: list[dict[str, Any]] = []
    if run_dir is not None and (Path(run_dir) / "manifest.json").is_file():
        notebooks = json.loads((Path(run_dir) / "manifest.json").read_text())["notebooks"]
    return RunResult(study=job.get("slug") or label, run_dir=run_dir, status="failed",
                     seconds=round(time.perf_counter() - t0, 3), notebooks=notebooks,
                     error=error, source=label)


#: The variables that bound the threads of numerical libraries (and of cvmkit's own kernels).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "CVMKIT_THREADS")


def _skip_iri_checks() -> None:
    """Keep jsonschema from loading its optional IRI format checker in this process.

    jsonschema imports ``rfc3987_syntax`` when it is installed (JupyterLab brings it), and that
    compiles some thirty grammars at import: about 0.7 s of processor time for a format the
    notebook schema never uses.  Only for processes cvmkit owns (the ``cvmkit`` command and
    its batch workers), and only when jsonschema has not been imported yet.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def _init_worker(events: Any, threads: int, zygote: str | None = None) -> None:
    """Set up a batch worker: its progress queue, and its share of the cores.

    Each of ``jobs`` workers gets ``cores // jobs`` threads for the numerical libraries of its
    kernels (as joblib gives its workers), unless the user's environment sets a limit: more
    would only have the studies' threads spinning against each other.
    """
    global _EVENTS, _SHARED_ZYGOTES, _BATCH_ZYGOTE
    _EVENTS = events
    _skip_iri_checks()
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, str(threads))
    # the worker's studies fork their kernels from the batch's zygote (or, without one, from a
    # zygote of the worker's own, which exits with the worker)
    _SHARED_ZYGOTES = {}
    _BATCH_ZYGOTE = zygote


def _worker(job: dict[str, Any]) -> RunResult:
    return _run_one(job, _EVENTS)


def _slug_of(study: str | Path | None) -> str | None:
    try:
        from .study import load_study

        return load_study(study or default_study_path()).slug
    except CvmkitError:
        return None


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
cell_timeout, fork_kernels
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
    if data_path is not None and len(studies) > 1:
        raise CvmkitError("--data names one data file, so it goes with one study only")
    nb_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    n_nb = len(discover_notebooks(nb_dir))
    kwargs = dict(data_path=data_path, out=out, parameters=dict(parameters or {}),
                  notebooks_dir=nb_dir, seed=seed, kernel_name=kernel_name,
                  build_report=build_report, warm_kernels=warm_kernels,
                  cell_timeout=cell_timeout, fork_kernels=fork_kernels)
    job_list = [{"label": _label(s), "study": s, "slug": _slug_of(s), "kwargs": kwargs}
                for s in studies]
    total_nb = n_nb * len(job_list)
    state = {"notebooks": 0, "studies": 0}

    def show(label: str, msg: str) -> None:
        if _DONE_RE.match(msg):
            state["notebooks"] += 1
        elif not (msg.startswith("FAILED") or msg.startswith("done in")
                  or msg.startswith("cvmkit run:")):
            return
        say(f"[{state['studies']}/{len(job_list)} studies, {state['notebooks']}/{total_nb} "
            f"notebooks] {label}: {msg.splitlines()[0]}")

    def finished(job: dict[str, Any], result: RunResult) -> None:
        state["studies"] += 1
        # the notebooks a failed study never reached still count as finished work
        state["notebooks"] = min(total_nb, state["notebooks"] + n_nb - sum(
            1 for nb in result.notebooks if nb.get("status") == "ok"))
        outcome = "ok" if result.status == "ok" else "FAILED"
        say(f"[{state['studies']}/{len(job_list)} studies, {state['notebooks']}/{total_nb} "
            f"notebooks] {job['label']}: {outcome} in {result.seconds:.1f} s")

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
    from ._zygote import fork_supported

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


def _batch_zygote(nb_dir: Path, threads: int, address: str) -> Any:
    """The zygote every worker of a batch forks its kernels from (``None`` if it won't start:
    then each worker starts its own)."""
    from ._zygote import Zygote

    env = {**os.environ, **{name: os.environ.get(name, str(threads))
                            for name in THREAD_VARIABLES}, **KERNEL_ENV}
    modules, first = _zygote_modules([notebook_imports(nb)
                                      for nb in discover_notebooks(nb_dir)])
    try:
        return Zygote(modules, env, first=first, serve=address)
    except Exception:
        return None


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
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
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
        if r.status != "ok" and r.error:
            note = r.error.strip().splitlines()[0]
            notes[k + 1] = note.removeprefix(f"{r.study}: ")
    widths = [max(len(row[c]) for row in rows) for c in range(5)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
        if k in notes:
            lines.append(f"  -> {notes[k]}")
    return "\n".join(lines)
