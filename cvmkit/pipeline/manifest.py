"""What a run's ``manifest.json`` records about its inputs and outputs: hashes and versions."""

from __future__ import annotations

import functools
import hashlib
import os
import platform
from collections.abc import Callable
from contextvars import ContextVar
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

if TYPE_CHECKING:
    from ..study import Study

P = ParamSpec("P")
R = TypeVar("R")

_PACKAGES = ("cvmkit", "numpy", "scipy", "pandas", "statsmodels", "matplotlib", "seaborn",
             "numba", "scikit-learn", "adjustText", "papermill", "nbclient", "nbconvert",
             "nbformat", "jupyter_client", "ipykernel", "pyarrow", "openpyxl", "pyyaml",
             "pyreadstat", "mistune")


#: The file hashes of the run in progress (in this thread), by file identity: the same file is
#: read once per run however often it is hashed (an output copied from an earlier run, then
#: hashed for the notebooks that read it, then for the manifest).
_HASHES: ContextVar[dict[tuple[int, ...], str] | None] = ContextVar("cvmkit_hashes",
                                                                    default=None)


def hashing_once(func: Callable[P, R]) -> Callable[P, R]:
    """Have ``func`` (a run) hash each file once: by device, inode, size and modification
    time, which a file written again (in place or replaced) does not keep."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _HASHES.set({})
        try:
            return func(*args, **kwargs)
        finally:
            _HASHES.reset(token)

    return wrapper


def _sha256(path: Path) -> str:
    cache = _HASHES.get()
    key = None
    if cache is not None:
        st = os.stat(path)
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if key in cache:
            return cache[key]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    if cache is not None and key is not None:
        cache[key] = h.hexdigest()
    return h.hexdigest()


def package_source() -> dict[str, str]:
    """Where the cvmkit package runs from and one hash of its Python source.

    The version number stays the same while the code of a development install changes; the
    hash does not, so an incremental run never re-uses outputs made by other code.
    """
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(f"{p.relative_to(root).as_posix()}\0{_sha256(p)}\n".encode())
    return {"path": str(root), "sha256": h.hexdigest()}


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in _PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
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


def _table_hashes(run: Path) -> dict[str, str]:
    tables = run / "tables"
    if not tables.is_dir():
        return {}
    return {p.name: _sha256(p) for p in sorted(tables.glob("*.csv"))}

