"""Fast kernel starts: kernels forked from a process that has already imported the libraries.

Each notebook of a run gets a fresh kernel, and most of a fresh kernel's start-up is spent
importing the same libraries (pandas, scipy, statsmodels, scikit-learn, numba, IPython,
ipykernel …) again.  A *zygote* process imports them once; each kernel is then a ``fork`` of
it that goes on to run ``ipykernel`` exactly as ``python -m ipykernel_launcher -f FILE`` would.
A forked kernel starts with those modules already in ``sys.modules`` and nothing else from the
zygote: no user names, no figures, no threads of its own.

What keeps a forked kernel equal to a fresh one:

* the plotting backend is chosen in the kernel as usual (``MPLBACKEND``, else the inline
  backend): importing ``matplotlib.pyplot`` (and seaborn) chooses none — pyplot loads its
  backend when the first figure is made — and the notebook backends themselves
  (``matplotlib_inline``, ``ipympl``) are never imported by the zygote;
* the global random states are re-seeded in the kernel (Python's ``random`` does it on its
  own after a fork; numpy's legacy global generator is re-seeded from fresh entropy), so two
  kernels never share a stream — as two fresh processes would not;
* the kernel gets its own process group, working directory and environment, and the zygote's
  stdin/stdout pipes are closed in it;
* ``PYTHONHASHSEED`` is fixed when the zygote starts, so string hashing is the same in every
  kernel.

This is used on Linux only (``fork`` after importing these libraries is safe there); anywhere
else, or when the zygote cannot start, kernels are started the ordinary way.

Protocol: the parent writes JSON lines to the zygote's stdin — first ``{"modules": [...],
"first": n}``, then one ``{"connection_file", "cwd", "env", "log", "modules"}`` per kernel
(``log``: a file for the kernel's stderr; ``modules``: those of the later ones to import before
this fork) — and reads one JSON line back for each (``{"ready": ...}``, then
``{"pid": ...}``).  A zygote started with a socket path (``"serve"`` in the first message)
also listens there, before importing anything: other processes — the workers of a batch —
connect, send ``{"hello": true}`` (answered with the zygote's pid and the modules imported, or
that failed to, once they are) and then kernel requests as above.  The zygote exits when its
stdin closes, and its kernels with it; the kernels of an attached process are killed when that
process goes (its socket closes), whatever it died of.

A zygote started with ``"idle": seconds`` as well is a *kernel server* kept between runs
(:meth:`Zygote.serving`): it leaves its starter's process tree once it listens, takes requests
only on its socket, imports every module it was given before its first request, and exits once
no process has been attached for ``idle`` seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["Zygote", "fork_supported"]

#: Never imported by the zygote: the plotting backend must be chosen in each kernel.
_BLOCKED = ("matplotlib_inline", "ipympl")


def fork_supported() -> bool:
    """Whether kernels may be forked here (Linux, with ``os.fork``)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel killed as soon as its parent process ends (Linux only, else nothing).

    The kernel also watches its parent from a thread, but a cell that never releases the
    interpreter (a runaway regular expression, say) keeps that thread from ever noticing:
    the signal comes from the operating system, whatever the kernel is doing.  ``parent`` is
    the pid the caller expects as parent; if it has gone already, the process exits now.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl here
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def _blocked(name: str) -> bool:
    """Whether ``name`` is one of :data:`_BLOCKED` or inside one."""
    return any(name == b or name.startswith(b + ".") for b in _BLOCKED)


def _tried(reply: Mapping[str, Any]) -> list[str]:
    """The names a zygote has imported, will import or could not import (no use trying again
    in its kernels), from its reply; the refused ones are left to each kernel."""
    return [*reply.get("imported", []), *reply.get("later", []),
            *(m for m in reply.get("failed", []) if not _blocked(m))]


class _Block:
    """An import hook that refuses the modules in :data:`_BLOCKED` (in the zygote only)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if _blocked(name):
            raise ImportError(f"{name} is imported in each kernel, not in the zygote")
        return None


# ---------------------------------------------------------------------- the parent's side
class _ForkedProcess:
    """A ``Popen``-like handle on a kernel forked by the zygote (not our child)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:  # pragma: no cover - pid reused by someone else
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            self.returncode = 0

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Zygote:
    """A process that has imported ``modules`` and forks kernels on request.

    Parameters
    ----------
    modules : sequence of str
        Modules to import once (failures are ignored: the kernel will report them).
    first : int, optional
        Import only the first ``first`` modules before the first kernel is forked, and the
        rest right after it (default: all before).
    env : mapping
        The zygote's environment (it must already hold ``PYTHONHASHSEED``).
    log : file object, optional
        Where the zygote and its kernels write their stderr.
    serve : str, optional
        A Unix socket path (in a private folder) where the zygote also takes requests from
        other processes, which :meth:`attach` to it: the worker processes of a batch then share
        the zygote the batch started.  The zygote listens there before it imports anything
        (an early client waits for it), and still exits when this object closes it.
    """

    def __init__(self, modules: Sequence[str], env: Mapping[str, str], log: Any = None,
                 first: int | None = None, serve: str | None = None) -> None:
        self.env = dict(env)
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-m", "cvmkit._zygote"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=log if log is not None else subprocess.DEVNULL,
            env=self.env, cwd=os.getcwd(), start_new_session=True)
        self._in, self._out = self.proc.stdin, self.proc.stdout
        reply = self._ask({"modules": list(modules),
                           "first": len(modules) if first is None else first,
                           "serve": serve})
        if not reply.get("ready"):
            self.close()
            raise RuntimeError(f"kernel zygote did not start: {reply}")
        self.imported = reply.get("imported", []) + reply.get("later", [])
        #: the names a kernel forked from here need not import ahead (see :func:`_tried`)
        self.tried = _tried(reply)
        self.address = serve

    @classmethod
    def attach(cls, address: str, env: Mapping[str, str], wait: float = 10.0) -> Zygote:
        """A handle on the serving zygote at ``address`` (started by another process).

        Waits up to ``wait`` seconds for the zygote to listen, then for it to have imported
        its modules.  Raises OSError or RuntimeError when there is no zygote to attach to.
        """
        import socket

        self = cls.__new__(cls)
        self.env = dict(env)
        self.lock = threading.Lock()
        self.proc = None
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + wait
        while True:
            try:
                self._sock.connect(address)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    self._sock.close()
                    raise
                time.sleep(0.05)
        self._in = self._out = self._sock.makefile("rwb")
        hello = self._ask({"hello": True})
        self.imported = hello.get("imported", [])
        self.tried = _tried(hello)
        self.server_pid = hello.get("pid")
        self.address = address
        return self

    @classmethod
    def serving(cls, address: str, modules: Sequence[str], env: Mapping[str, str],
                idle: float, first: int | None = None) -> Zygote:
        """A handle on the kernel server at ``address``, started now unless one serves there.

        The server (see the module's notes) imports ``modules`` (the first ``first`` before it
        answers) in ``env`` and stays ``idle`` seconds after its last client has gone, so the
        next run of the same code in the same environment finds the libraries imported.
        ``started`` tells whether this call started it.  Raises OSError or RuntimeError when
        no server can be reached or started.
        """
        import fcntl

        # one starter at a time (one lock per folder, which stays: an empty file)
        with open(os.path.join(os.path.dirname(address), "kernels.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                handle = cls.attach(address, env, wait=0.0)
                handle.started = False
                return handle
            except (OSError, RuntimeError):
                pass
            with contextlib.suppress(FileNotFoundError):
                os.unlink(address)  # left by a server that was killed
            proc = subprocess.Popen(
                [sys.executable, "-m", "cvmkit._zygote"], stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(env), cwd="/",
                start_new_session=True)
            assert proc.stdin is not None
            with proc.stdin:
                proc.stdin.write((json.dumps({
                    "modules": list(modules), "serve": address, "idle": float(idle),
                    "first": len(modules) if first is None else first}) + "\n").encode())
            # the process forks the server once it listens, and ends
            if proc.wait(timeout=30) != 0:
                raise RuntimeError(f"kernel server did not start (exit code {proc.returncode})")
            handle = cls.attach(address, env, wait=30.0)
            handle.started = True
            return handle

    def alive(self) -> bool:
        """Whether the zygote still takes requests (from this handle)."""
        if self.proc is not None:
            return self.proc.poll() is None
        return self._in is not None and not self._in.closed

    def _ask(self, message: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if not self.alive():
                raise RuntimeError("kernel zygote has exited")
            assert self._in is not None and self._out is not None
            try:
                self._in.write((json.dumps(message) + "\n").encode())
                self._in.flush()
                line = self._out.readline()
            except OSError:
                line = b""
        if not line:
            raise RuntimeError("kernel zygote has exited")
        return json.loads(line)

    def spawn(self, connection_file: str, cwd: str | None, env: Mapping[str, str] | None,
              log: str | None = None, modules: Sequence[str] = ()) -> _ForkedProcess:
        """Fork a kernel that serves ``connection_file`` (its stderr appended to ``log``),
        once the zygote has imported those of ``modules`` it was to import later."""
        # the zygote's own folder may not be the caller's: give absolute paths (a relative one
        # is taken from the caller's folder now, which papermill may have changed meanwhile)
        reply = self._ask({"connection_file": os.path.abspath(connection_file),
                           "cwd": os.path.abspath(cwd) if cwd else None,
                           "env": dict(env or self.env),
                           "log": os.path.abspath(log) if log else None,
                           "modules": list(modules)})
        if "pid" not in reply:
            raise RuntimeError(f"kernel zygote could not fork a kernel: {reply}")
        return _ForkedProcess(int(reply["pid"]))

    def close(self) -> None:
        """Stop the zygote, or for an attached handle leave it (the kernels forked for this
        handle are stopped by their managers; any still running are killed by the zygote)."""
        if self.proc is None:
            try:
                self._in.close()
                self._sock.close()
            except OSError:
                pass
            return
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def forked_kernel_manager(zygote: Zygote, log: str | None = None, modules: Sequence[str] = (),
                          **kwargs: Any) -> Any:
    """An ``AsyncKernelManager`` whose kernel is forked from ``zygote``.

    ``log`` is a file the kernel's stderr is appended to (default: the zygote's stderr);
    ``modules`` those the kernel's notebook imports (the zygote imports any of them it still
    had to before forking the kernel).
    """
    from jupyter_client.manager import AsyncKernelManager

    class _ForkedKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            assert self.provisioner is not None
            conn = kernel_cmd[kernel_cmd.index("-f") + 1]
            process = zygote.spawn(conn, kw.get("cwd"), kw.get("env"), log=log,
                                   modules=modules)
            prov = self.provisioner
            prov.process = process
            prov.pid = process.pid
            prov.pgid = process.pid  # the kernel leads its own process group
            prov.cwd = kw.get("cwd")
            self._reconcile_connection_info(prov.connection_info)

        _launch_kernel = _async_launch_kernel  # type: ignore[assignment]

    return _ForkedKernelManager(**kwargs)


# ---------------------------------------------------------------------- the zygote's side
def _child(request: dict[str, Any], protocol: tuple[Any, Any]) -> None:  # pragma: no cover
    """In the forked kernel: become a fresh ipykernel serving the connection file."""
    parent = os.getppid()
    for stream in protocol:
        try:
            stream.close()
        except OSError:
            pass
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)  # the kernel's banner; its errors go to stderr, the log
    if request.get("log"):
        os.dup2(os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), 2)
    sys.stdin = sys.__stdin__ = open(0, closefd=False)
    sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)
    os.setsid()
    die_with_parent(parent)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = request.get("env")
    if env:
        os.environ.clear()
        os.environ.update(env)
    os.environ["JPY_PARENT_PID"] = str(parent)
    if request.get("cwd"):
        os.chdir(request["cwd"])
        # ``python -m`` put the zygote's folder first on the path; a fresh kernel has its own
        if sys.path and sys.path[0] == _START_DIR:
            sys.path[0] = os.getcwd()
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Block)]
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    if "matplotlib" in sys.modules:
        backend = os.environ.get("MPLBACKEND") or "module://matplotlib_inline.backend_inline"
        sys.modules["matplotlib"].rcParams["backend"] = backend
    from ipykernel.kernelapp import IPKernelApp

    sys.argv = [sys.executable, "-f", request["connection_file"]]
    app = IPKernelApp.instance()
    # The kernel watches its parent and exits when the zygote does (ipykernel reads
    # JPY_PARENT_PID when it is imported: in the zygote, before there was a parent to watch).
    app.parent_handle = parent
    app.initialize(["-f", request["connection_file"]])
    app.start()


#: The zygote's working folder when it started (``python -m`` puts it first on ``sys.path``).
_START_DIR = os.getcwd()


def _serve() -> None:  # pragma: no cover - runs in the zygote process
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    first = json.loads(stdin.readline() or "{}")
    listener = _listen(first["serve"]) if first.get("serve") else None
    idle = first.get("idle")
    if idle is not None:  # a kernel server: out of its starter's tree once it listens
        if os.fork():
            os._exit(0)
        stdin.close()
        os.dup2(os.open(os.devnull, os.O_RDWR), 0)
        stdin = stdout = None
        listener_id = os.stat(first["serve"]).st_ino
    sys.meta_path.insert(0, _Block())
    imported: list[str] = []
    failed: list[str] = []

    def load(names: Sequence[str]) -> None:
        for name in names:
            try:
                __import__(name)
                imported.append(name)
            except BaseException:  # any failure is the kernel's to report
                failed.append(name)

    modules = list(first.get("modules", []))
    n_first = int(first.get("first", len(modules)))
    load(["IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "zmq", "tornado",
          *modules[:n_first]])
    later = modules[n_first:]
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked kernels are reaped automatically
    # (reader, writer, ...) per client: the owner's pipes, then each attached process's socket
    owner: tuple[Any, ...] | None = None
    clients: dict[int, tuple[Any, ...]] = {}
    if stdout is not None:
        ready = {"ready": True, "imported": imported, "failed": failed, "later": later}
        stdout.write((json.dumps(ready) + "\n").encode())
        stdout.flush()
        owner = (stdin, stdout)
        clients[stdin.fileno()] = owner
    kernels: dict[int, list[_Kernel]] = {}  # per attached client, the kernels forked for it
    # a kernel server imports everything at once; a run's zygote once its first kernel is on
    # its way, one module at a time whenever no request is waiting (a batch's other workers are
    # not kept waiting for all of them)
    forked = idle is not None
    deadline = None
    try:
        while True:
            sources = [listener, *clients] if listener is not None else list(clients)
            timeout = 0.0 if later and forked else None
            if idle is not None and not clients and not later:
                deadline = deadline or time.monotonic() + float(idle)
                timeout = max(0.0, deadline - time.monotonic())
            readable = _wait(sources, timeout)
            if not readable and later:
                load(later[:1])
                later = later[1:]
                continue
            if not readable and deadline is not None:
                if time.monotonic() >= deadline:
                    return
                continue
            deadline = None
            for fd in readable:
                if listener is not None and fd == listener.fileno():
                    conn, _ = listener.accept()
                    stream = conn.makefile("rwb")
                    clients[conn.fileno()] = (stream, stream, conn)
                    continue
                reader, writer = clients[fd][:2]
                line = reader.readline()
                if not line:  # a client has gone
                    if clients[fd] is owner:
                        return  # the owner: so does the zygote, and its kernels with it
                    _drop(clients, fd, kernels)
                    continue
                request = json.loads(line)
                if request.get("hello"):
                    reply: dict[str, Any] = {"imported": imported + later, "failed": failed,
                                             "pid": os.getpid()}
                else:
                    # what this kernel's notebook needs first, the rest as before
                    wanted = set(request.get("modules") or ())
                    load([m for m in later if m in wanted])
                    later = [m for m in later if m not in wanted]
                    pid = _fork(request, [listener, *(c for cs in clients.values() for c in cs),
                                          *(k for ks in kernels.values() for k in ks)])
                    if clients[fd] is not owner:  # (forgetting those that have ended)
                        kernels[fd] = [k for k in kernels.get(fd, []) if k.running()]
                        kernels[fd].append(_Kernel(pid))
                    reply = {"pid": pid}
                    forked = True
                try:
                    writer.write((json.dumps(reply) + "\n").encode())
                    writer.flush()
                except OSError:  # the client went meanwhile
                    if clients[fd] is owner:
                        return
                    _drop(clients, fd, kernels)
    finally:
        if listener is not None:
            listener.close()
            if idle is None or _still_ours(first["serve"], listener_id):
                with contextlib.suppress(OSError):
                    os.unlink(first["serve"])


def _still_ours(path: str, inode: int) -> bool:  # pragma: no cover - in the zygote
    """Whether the socket at ``path`` is still the one this server listens on."""
    try:
        return os.stat(path).st_ino == inode
    except OSError:
        return False


class _Kernel:  # pragma: no cover - lives in the zygote process
    """A kernel forked for an attached client: its pid and, where Linux has them, a pidfd that
    names exactly that process (a pid may be reused once its kernel has ended)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        try:
            self.fd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.fd = None

    def close(self) -> None:
        """Forget the kernel (in a forked kernel: the handle is not its to keep)."""
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None

    def running(self) -> bool:
        """Whether the kernel is still running (the handle is closed once it is not)."""
        try:
            if self.fd is not None:
                signal.pidfd_send_signal(self.fd, 0)  # ProcessLookupError once it has ended
            else:
                os.kill(self.pid, 0)
            return True
        except OSError:
            self.close()
            return False

    def kill(self) -> None:
        """Kill the kernel and its process group, unless it has ended already."""
        try:
            if self.running():
                os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        finally:
            self.close()


def _drop(clients: dict[int, tuple[Any, ...]], fd: int,
          kernels: dict[int, list[_Kernel]]) -> None:  # pragma: no cover
    """Forget an attached client, closing its stream and socket and killing any kernel
    forked for it that is still running."""
    for item in clients.pop(fd)[1:]:
        item.close()
    for kernel in kernels.pop(fd, []):
        kernel.kill()


def _listen(path: str) -> Any:  # pragma: no cover - runs in the zygote process
    import socket

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    return listener


def _wait(sources: list[Any], timeout: float | None) -> list[int]:  # pragma: no cover
    import select

    while True:
        try:
            ready, _, _ = select.select(sources, [], [], timeout)
            return [s if isinstance(s, int) else s.fileno() for s in ready]
        except InterruptedError:
            continue


def _fork(request: dict[str, Any], close: list[Any]) -> int:  # pragma: no cover
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _child(request, [c for c in close if c is not None])
        except BaseException:
            code = 1
            with contextlib.suppress(BaseException):  # to the kernel's log, if it has one
                import traceback

                traceback.print_exc()
        finally:
            os._exit(code)
    return pid


if __name__ == "__main__":  # pragma: no cover
    _serve()
    # Nothing is left to tidy: skip the interpreter's teardown of every library imported,
    # which would keep the run waiting most of a second for the zygote to exit.
    sys.stderr.flush()
    os._exit(0)
