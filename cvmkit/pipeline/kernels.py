"""Kernels started ahead of the notebooks that need them, forked from a shared zygote.

Most of a short notebook's time is spent starting its kernel and importing pandas,
statsmodels and seaborn.  On Linux each kernel is forked from a process that has imported the
notebooks' libraries once (:mod:`cvmkit._zygote`); while one notebook runs, the kernel of the
next one to execute (in a run re-using earlier outputs, the next one expected to execute) is
started and its remaining imports are done in it (silently, binding no names), so the next
notebook starts warm.  A run re-using earlier outputs (``--reuse``) forks its kernels from a
*kernel server* instead: a zygote kept between runs for :func:`server_minutes`, so that a
researcher's next run finds the libraries imported (:func:`server_address` names the server
of this code, these packages and this environment).  Kernels run with ``PYTHONHASHSEED=0``
so that anything ordered by a string hash comes out the same every run, and
``CVMKIT_PROGRESS=off`` so that no progress bar is left in an executed notebook.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .environment import THREAD_VARIABLES
from .notebooks import discover_notebooks, notebook_imports

#: The environment every kernel gets on top of the caller's.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "CVMKIT_PROGRESS": "off"}


#: In a batch worker: the address of the zygote the batch started, shared by its workers.
_BATCH_ZYGOTE: str | None = None

#: Minutes a kernel server started by ``cvmkit run --reuse`` stays after its last run.
SERVER_MINUTES_VARIABLE = "CVMKIT_KERNEL_SERVER_MINUTES"
_SERVER_MINUTES = 10.0

#: Variables that differ between two runs from one shell without changing what a kernel sees
#: at import (they do not choose the server; each kernel still gets the run's own values).
_VOLATILE = frozenset({"PWD", "OLDPWD", "_", "SHLVL"})


def server_minutes() -> float:
    """Minutes a kernel server stays after its last run (``CVMKIT_KERNEL_SERVER_MINUTES``,
    default 10; 0: runs keep no server)."""
    from ..errors import CvmkitError

    value = os.environ.get(SERVER_MINUTES_VARIABLE, "").strip()
    if not value:
        return _SERVER_MINUTES
    try:
        minutes = float(value)
    except ValueError:
        minutes = -1.0
    if not minutes >= 0:
        raise CvmkitError(f"{SERVER_MINUTES_VARIABLE}={value!r}: expected a number of minutes "
                          f"(0 for no kernel server)")
    return minutes


def server_address(modules: Sequence[str], env: Mapping[str, str]) -> str:
    """The socket of the kernel server for these modules, this environment, this Python and
    this cvmkit source (in a folder only the user can enter).

    Anything that changes what a kernel would import — the cvmkit code, an installed or removed
    package (its ``site-packages`` folder changes), the modules the notebooks import, the
    environment — gives another address, hence a new server; the old one ends when its time is
    up.
    """
    import hashlib
    import sys

    from .manifest import package_source

    folders = [f"{p}\0{os.stat(p).st_mtime_ns}" for p in sys.path
               if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p)]
    key = json.dumps([sys.executable, sys.version, package_source()["sha256"], folders,
                      list(modules), sorted((k, v) for k, v in env.items()
                                            if k not in _VOLATILE)])
    root = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    folder = root / f"cvmkit-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"'{folder}' is not private to this user")
    return str(folder / f"kernels-{hashlib.sha256(key.encode()).hexdigest()[:16]}.sock")


def _zygote_modules(imports: Sequence[Sequence[str]],
                    first: int | None = 0) -> tuple[list[str], int]:
    """The modules a zygote imports for notebooks importing ``imports`` (one list each), and
    how many of them come before its first kernel is forked.

    Those of notebook ``first`` come first, then the others' (imported while the kernels run).
    When which notebooks run is not known yet (``first=None``: a run that may re-use some),
    only those every notebook imports: each kernel's request brings the rest its notebook
    needs, and the modules of notebooks that do not run are never imported.

    Examples
    --------
    >>> _zygote_modules([["pandas", "a"], ["pandas", "b"]])
    (['pandas', 'a', 'b'], 2)
    >>> _zygote_modules([["pandas", "a"], ["pandas", "b"]], first=None)
    (['pandas'], 1)
    """
    if not imports:
        return [], 0
    if first is None:
        common = set.intersection(*(set(ms) for ms in imports))
        lead = [m for m in dict.fromkeys(imports[0]) if m in common]
        return lead, len(lead)
    lead = list(dict.fromkeys(imports[first]))
    return list(dict.fromkeys([*lead, *(m for ms in imports for m in ms)])), len(lead)


#: ``_KernelPool.take(i)`` prepares the kernel of notebook ``i + 1`` unless told otherwise.
_FOLLOWING = -1

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


def share_in_worker(address: str | None) -> None:
    """In a worker process of a batch: share zygotes between the worker's runs for good, and
    fork kernels from the batch's zygote listening at ``address`` (when there is one)."""
    global _SHARED_ZYGOTES, _BATCH_ZYGOTE
    if _SHARED_ZYGOTES is None:
        _SHARED_ZYGOTES = {}
    _BATCH_ZYGOTE = address


class _KernelPool:
    """Kernels started ahead of the notebooks that need them.

    ``take(i, after=j)`` hands over the ready kernel manager for notebook ``i`` and starts
    preparing the one for notebook ``j`` (by default the next) in a background thread, so
    that a kernel's start-up overlaps with the previous notebook's work; a run that re-uses
    some notebooks (:mod:`cvmkit.pipeline.reuse`) names the next notebook it expects to
    execute.  On Linux the kernels are forked from a zygote that has imported the notebooks'
    libraries already (:meth:`start` starts it at once, before the first notebook is known);
    the zygote imports the modules a kernel's notebook needs before forking it.  The
    notebook's imports that its kernel does not hold yet — all of them for an ordinary kernel,
    those the zygote leaves to each kernel (the plotting libraries) for a forked one — are run
    in the kernel ahead of time, silently (no execution count, no names bound in the
    notebook's namespace; an import that fails is left for the notebook to report).

    ``first`` is the notebook expected to run first (``None``: not known yet).  With
    ``server=True`` (``cvmkit run --reuse``) the kernels are forked from a kernel server kept
    between runs (:meth:`cvmkit._zygote.Zygote.serving`, for :func:`server_minutes` after its
    last run) rather than from a zygote of this run's own: the first kernel of the next run
    is then a fork away instead of a new Python importing the libraries.
    """

    def __init__(self, kernel_name: str, cwd: Path, imports: Sequence[Sequence[str]],
                 warm: bool = True, fork: bool = True, first: int | None = 0,
                 server: bool = False) -> None:
        # Imported here, in the caller's thread: the kernels are started in another thread
        # while the caller goes on importing (papermill, which imports jupyter_client too),
        # and two threads importing one package at once may find it half initialised.
        import jupyter_client.blocking  # noqa: F401
        import jupyter_client.manager  # noqa: F401

        from .._zygote import fork_supported

        self.kernel_name = kernel_name
        # absolute now: the kernels start in another thread, while papermill may have changed
        # the process's folder to run a notebook
        self.cwd = str(Path(cwd).resolve())
        self.imports = [list(m) for m in imports]
        self.cursor: int | None = 0  # the notebook of a take() that names none
        self.warm = warm
        self.fork = fork and fork_supported() and kernel_name == "python3"
        self.modules, self.first = _zygote_modules(self.imports, first)
        self.zygote: Any = None
        self.own_zygote = True
        self.env = {**os.environ, **KERNEL_ENV}
        # a server imports the modules of every notebook: the next run may execute others
        self.server = (server and self.fork and _SHARED_ZYGOTES is None
                       and _BATCH_ZYGOTE is None and server_minutes() > 0)
        #: how this run's kernels started: "server started", "server kept", "zygote", "fresh"
        self.source = "fresh"
        if self.server:
            self.modules = _zygote_modules(self.imports, None)[0]
            self.first = len(self.modules)
            self.modules = list(dict.fromkeys([*self.modules, *_zygote_modules(self.imports)[0]]))
        self.log = tempfile.NamedTemporaryFile(prefix="cvmkit-kernels-", suffix=".log")
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvmkit-kernel")
        self.next: Future | None = None
        self.started: list[Any] = []
        self.reaper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cvmkit-kernel-stop")

    def _ensure_zygote(self) -> None:
        """Start the zygote (or attach to a shared one) unless there is one or none can be."""
        if not self.fork or self.zygote is not None:
            return
        from .._zygote import Zygote

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
            self.zygote, self.own_zygote, self.source = shared, False, "zygote"
            return
        if self.server:
            try:
                self.zygote = Zygote.serving(server_address(self.modules, self.env),
                                             self.modules, self.env, first=self.first,
                                             idle=server_minutes() * 60)
            except Exception as exc:  # a zygote of this run's own, then
                self.server = False
                self.log.write(f"kernel server unavailable: {exc}\n".encode())
                self.log.flush()
            else:
                self.source = "server kept" if not self.zygote.started else "server started"
                return
        try:
            self.zygote = Zygote(self.modules, self.env, log=self.log, first=self.first)
        except Exception as exc:  # fall back to ordinary kernel starts
            self.fork = False
            self.log.write(f"kernel zygote unavailable: {exc}\n".encode())
            self.log.flush()
        else:
            self.source = "zygote"
            if _SHARED_ZYGOTES is not None:
                _SHARED_ZYGOTES[key] = self.zygote
                self.own_zygote = False

    def _manager(self, modules: Sequence[str]) -> Any:
        """A kernel manager: forked from the zygote (which imports ``modules`` first, those it
        has not yet) when possible, else the ordinary kind."""
        from jupyter_client.manager import AsyncKernelManager

        self._ensure_zygote()
        if self.fork and self.zygote is not None:
            from .._zygote import forked_kernel_manager

            return forked_kernel_manager(self.zygote, log=self.log.name, modules=modules,
                                         kernel_name=self.kernel_name)
        return AsyncKernelManager(kernel_name=self.kernel_name)

    @staticmethod
    def _code(modules: Sequence[str]) -> str:
        return "".join(f"try:\n    __import__({m!r})\nexcept Exception:\n    pass\n"
                       for m in modules)

    def _start(self, modules: Sequence[str]) -> Any:
        km = self._manager(modules)
        self.started.append(km)
        asyncio.run(km.start_kernel(cwd=self.cwd, env=self.env, stderr=self.log))
        if self.fork and self.zygote is not None:  # a forked kernel has most of them already
            modules = [m for m in modules if m not in self.zygote.tried]
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

    def start(self) -> None:
        """Start the zygote now, in the background (before any notebook is known)."""
        if self.fork and self.zygote is None and self.next is None:
            self.executor.submit(self._ensure_zygote)

    def ahead(self, index: int | None = None) -> None:
        """Start preparing the kernel of notebook ``index`` (default: the next one) unless one
        is being prepared already; nothing for ``None`` or an index past the last notebook."""
        if index is None:
            index = self.cursor
        if self.next is None and index is not None and 0 <= index < len(self.imports):
            self.next = self.executor.submit(self._start, self.imports[index])

    def take_ahead(self) -> None:
        """Start preparing the first kernel now."""
        self.ahead()

    def take(self, index: int | None = None, after: int | None = _FOLLOWING) -> Any:
        """A ready kernel manager for notebook ``index`` (default: the one after the last
        taken); the kernel of notebook ``after`` (default: ``index + 1``; ``None``: none) is
        prepared meanwhile.  A kernel prepared for another notebook is handed over as well:
        it is as fresh, only its imports done ahead differ."""
        if index is None:
            index = self.cursor if self.cursor is not None else len(self.imports)
        if self.next is None:
            self.ahead(index)
            if self.next is None:  # past the notebooks the pool knows: a plain kernel
                self.next = self.executor.submit(self._start, [])
        fut, self.next = self.next, None
        self.cursor = index + 1 if after == _FOLLOWING else after
        self.ahead(self.cursor)
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
        if self.zygote is not None and (self.own_zygote or self.server):
            self.zygote.close()  # a server's handle: the server stays for the next run
        self.zygote = None
        self.log.close()

    def stderr_tail(self, lines: int = 5) -> str:
        """The last lines the kernels wrote to stderr (to explain a kernel that died)."""
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace").strip().splitlines()
        return "\n".join(text[-lines:])


def _batch_zygote(nb_dir: Path, threads: int, address: str) -> Any:
    """The zygote every worker of a batch forks its kernels from (``None`` if it won't start:
    then each worker starts its own)."""
    from .._zygote import Zygote

    env = {**os.environ, **{name: os.environ.get(name, str(threads))
                            for name in THREAD_VARIABLES}, **KERNEL_ENV}
    modules, first = _zygote_modules([notebook_imports(nb)
                                      for nb in discover_notebooks(nb_dir)])
    try:
        return Zygote(modules, env, first=first, serve=address)
    except Exception:
        return None

