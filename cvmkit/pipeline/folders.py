"""The folders of a run: reserved hidden while it is built, renamed when it ends.

A run is built in ``<out>/<slug>/.<run-id>.partial`` and renamed to ``<run-id>`` when it
succeeds, or to ``<run-id>-FAILED`` when it does not; only a renamed folder holds a
``manifest.json``.  While the run is alive it holds an exclusive lock on a file in its build
folder; the lock goes with the process, however it ends (``kill -9`` too), so the next run of
the same study can tell a build folder left by a killed run from one still in progress and
removes the former (:func:`clean_stale`).
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import PipelineError

__all__ = ["clean_stale", "out_folder", "release", "unwritable"]

#: The lock file inside a build folder (removed before the folder is renamed).
LOCK = ".running"
#: A build folder without a lock file is taken for stale after this many seconds (it can only
#: lack one in the instant between its ``mkdir`` and the lock, or if made by an older cvmkit).
_NO_LOCK_GRACE = 60.0
#: The lock file descriptors this process holds, by build folder.
_HELD: dict[Path, int] = {}


def unwritable(folder: Path, exc: OSError) -> PipelineError:
    """The error for a folder a run cannot write in (a file in the way, no permission, a full
    disk …), naming the folder."""
    reason = exc.strerror or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST) and not Path(folder).is_dir():
        reason = "a file of that name is in the way" if Path(folder).exists() else \
            "a file in its path is in the way"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "permission denied" if exc.errno != errno.EROFS else "read-only file system"
    return PipelineError(f"cannot write the run in folder '{folder}': {reason}")


def out_folder(out: str | Path, slug: str) -> Path:
    """``<out>/<slug>``, made if need be; a :class:`PipelineError` naming the folder when it
    cannot be made or written in."""
    base = Path(out).resolve() / slug
    try:
        base.mkdir(parents=True, exist_ok=True)
        if not os.access(base, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, "permission denied", str(base))
    except OSError as exc:
        raise unwritable(base, exc) from None
    return base


def _lock(tmp: Path) -> None:
    import fcntl

    fd = os.open(tmp / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, f"{os.getpid()}\n".encode())
    _HELD[tmp] = fd


def release(tmp: Path) -> None:
    """Remove the build folder's lock file (before the folder is renamed) and let the lock go."""
    fd = _HELD.pop(tmp, None)
    (tmp / LOCK).unlink(missing_ok=True)
    if fd is not None:
        os.close(fd)


def _stale(tmp: Path) -> bool:
    import fcntl

    try:
        fd = os.open(tmp / LOCK, os.O_RDWR)
    except FileNotFoundError:
        try:
            return time.time() - tmp.stat().st_mtime > _NO_LOCK_GRACE
        except OSError:
            return False
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held: the run is alive
        return False
    finally:
        os.close(fd)
    return True


def clean_stale(base: Path) -> list[Path]:
    """Remove the build folders under ``base`` left by runs that were killed; return them.

    A build folder whose lock no process holds is stale; one still locked belongs to a run in
    progress (in this or another process) and is left alone.
    """
    removed = []
    try:
        candidates = [p for p in base.iterdir() if p.name.startswith(".")
                      and p.name.endswith(".partial") and p.is_dir()]
    except OSError:
        return removed
    for tmp in candidates:
        if tmp in _HELD or not _stale(tmp):
            continue
        shutil.rmtree(tmp, ignore_errors=True)
        removed.append(tmp)
    return removed


def _reserve_run(base: Path, run_id: str | None) -> tuple[str, Path]:
    """Pick the run id and create its hidden build folder atomically (and lock it).

    Two runs of studies with the same slug started in the same second (a batch) get different
    ids: the build folder is created with ``mkdir``, which only one of them can win.
    """
    if run_id is not None:
        if (base / run_id).exists():
            raise PipelineError(f"run folder '{base / run_id}' already exists")
        tmp = base / f".{run_id}.partial"
        if tmp.exists():
            if not _stale(tmp):
                raise PipelineError(f"run '{run_id}' is being built in '{tmp}' by another run")
            shutil.rmtree(tmp)  # left over by a run that was killed
        tmp.mkdir()
        _lock(tmp)
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
        _lock(tmp)
        return candidate, tmp


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    k = 2
    while path.with_name(f"{path.name}-{k}").exists():
        k += 1
    return path.with_name(f"{path.name}-{k}")


def finish(tmp: Path, target: Path) -> Path:
    """Rename the build folder ``tmp`` to ``target`` (or a free name beside it), lock released."""
    release(tmp)
    target = _free_name(target)
    tmp.rename(target)
    return target
