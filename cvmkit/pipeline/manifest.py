"""What a run's ``manifest.json`` records about its inputs and outputs: hashes and versions."""

from __future__ import annotations

import hashlib
import platform
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..study import Study

_PACKAGES = ("cvmkit", "numpy", "scipy", "pandas", "statsmodels", "matplotlib", "seaborn",
             "numba", "scikit-learn", "adjustText", "papermill", "nbclient", "nbconvert",
             "nbformat", "jupyter_client", "ipykernel", "pyarrow", "openpyxl", "pyyaml",
             "pyreadstat", "mistune")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
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

