"""Incremental runs: what each notebook read, and re-using the outputs of an earlier run.

The manifest records, for each notebook, one hash of everything it read
(:func:`input_digest`): the study file, the data and the other files the study names, the
parameters the notebook was given, its own source, the outputs of the earlier notebooks it
reads, the kernel environment and the cvmkit version (and a hash of its source, which a
development install changes without a new version).  A run started with ``reuse=True``
(``cvmkit run --reuse``) looks up the latest complete run of the same study
(:func:`latest_complete_run`); a notebook whose hash equals the one recorded there is not
executed again: the files it wrote there are copied over and the manifest marks it
``"reused"``.  Every other notebook runs, and so does the report.

Which earlier notebooks a notebook reads: those listed under ``cvmkit.reads`` in its
metadata (notebook stems, e.g. ``["01_data_collection", "03_driver_regression"]``), else all
the earlier ones.  An under-stated list would let a stale output through, so a notebook that
declares nothing is taken to read everything before it.

Examples
--------
>>> digest = input_digest({"notebook": "abc", "parameters": {"n_boot": 20}})
>>> len(digest)
64
>>> digest == input_digest({"parameters": {"n_boot": 20}, "notebook": "abc"})
True
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .manifest import _sha256

__all__ = ["copy_outputs", "expected_runs", "input_digest", "keep_outputs", "latest_complete_run",
           "notebook_reads", "output_digest", "written_files"]

#: The hidden folder of a run keeping each notebook's outputs as it wrote them.
STORE = ".outputs"
#: The kinds of output whose content later notebooks read (figures and HTML are not read).
_DATA_SUFFIXES = (".csv", ".json", ".parquet", ".txt")


def notebook_reads(notebook: str | Path, earlier: Sequence[str]) -> list[str]:
    """The stems of the ``earlier`` notebooks whose outputs ``notebook`` reads.

    ``metadata.cvmkit.reads`` of the notebook, kept to the earlier ones; all of ``earlier``
    when the notebook declares nothing.
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    declared = (nb.get("metadata", {}).get("cvmkit") or {}).get("reads")
    if not isinstance(declared, list):
        return list(earlier)
    return [s for s in earlier if s in declared]


def input_digest(record: Mapping[str, Any]) -> str:
    """The SHA-256 of a notebook's inputs, given as a JSON-able mapping (key order is
    irrelevant)."""
    text = json.dumps(record, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def written_files(run: Path) -> dict[str, tuple[int, int]]:
    """``{relative path: (size, mtime_ns)}`` of the files in a run's build folder (hidden
    files and the top-level HTML exports, written in the background, left out)."""
    out: dict[str, tuple[int, int]] = {}
    for p in run.rglob("*"):
        rel = p.relative_to(run)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        if len(rel.parts) == 1 and p.suffix == ".html":
            continue
        st = p.stat()
        out[rel.as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def output_digest(run: Path, files: Iterable[str]) -> str:
    """The SHA-256 of the data outputs among ``files`` (relative to ``run``), by content."""
    return _digest_files({rel: run / rel for rel in files})


def _digest_files(files: Mapping[str, Path]) -> str:
    """:func:`output_digest` of ``{relative path: the file holding it}``."""
    h = hashlib.sha256()
    for rel in sorted(files):
        if Path(rel).suffix in _DATA_SUFFIXES and files[rel].is_file():
            h.update(f"{rel}\0{_sha256(files[rel])}\n".encode())
    return h.hexdigest()


def latest_complete_run(base: Path) -> tuple[Path, dict[str, Any]] | None:
    """The newest complete run under ``<out>/<slug>`` and its manifest (``None`` if none)."""
    if not base.is_dir():
        return None
    found = []
    for d in base.iterdir():
        if d.name.startswith(".") or d.name.endswith("-FAILED") or not d.is_dir():
            continue
        try:
            manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(manifest, dict) and manifest.get("status") == "ok":
            found.append((str(manifest.get("started", "")), d.name, d, manifest))
    if not found:
        return None
    _, _, run, manifest = max(found)
    return run, manifest


def expected_runs(n: int, reads: Sequence[Sequence[str]], stems: Sequence[str],
                  digest: Callable[[int, Mapping[str, str]], str],
                  reusable: Callable[[int, str], Mapping[str, Any] | None],
                  previous: Path) -> list[int]:
    """The notebooks (indices) a run re-using run ``previous`` expects to execute.

    Before anything runs: a notebook is expected to be re-used when its inputs are those it
    had in ``previous`` (``reusable(i, digest(i, outputs))`` gives its entry there), the
    outputs of the earlier notebooks it reads being those in ``previous``; one that reads a
    notebook expected to execute is expected to execute too (its inputs are not known before
    that notebook has run: it may yet be re-used).  Only the kernels started ahead follow this
    guess; what runs is decided notebook by notebook.
    """
    known: dict[str, str] = {}  # output digests of the notebooks expected to be re-used
    runs: list[int] = []
    for i in range(n):
        entry = None
        if not any(s in reads[i] for s in (stems[j] for j in runs)):
            entry = reusable(i, digest(i, known))
        if entry is None:
            runs.append(i)
            continue
        store = previous / STORE / stems[i]
        known[stems[i]] = _digest_files({
            rel: store / rel if (store / rel).is_file() else previous / rel
            for rel in entry["outputs"]})
    return runs


def keep_outputs(run: Path, stem: str, files: Iterable[str]) -> None:
    """Keep the data files notebook ``stem`` wrote (tables, results, the clean data), as it
    wrote them, in the run's hidden ``.outputs/<stem>/`` (hard links: no space taken).

    A later notebook may write a file again (a new column in the clean data, say); cvmkit
    writes by replacing files whole, so the link still holds what ``stem`` wrote, which is
    what a later run re-using ``stem`` must copy.
    """
    import os

    for rel in files:
        src, dst = run / rel, run / STORE / stem / rel
        if not src.is_file() or Path(rel).suffix not in _DATA_SUFFIXES:  # (what others read)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:  # a file system without hard links
            shutil.copy2(src, dst)


def copy_outputs(source: Path, stem: str, files: Iterable[str], target: Path) -> None:
    """Copy ``files`` (relative paths) notebook ``stem`` wrote in run ``source`` into
    ``target`` (as the notebook wrote them, when the run kept them: :func:`keep_outputs`).

    The copies are hard links where the file system allows (no time, no space: the two runs
    share the file).  cvmkit replaces a file whole when it writes it again (a temporary file
    renamed over it), which gives the run writing it a file of its own and leaves the other
    run's as it was.
    """
    import os

    for rel in files:
        kept = source / STORE / stem / rel
        src, dst = kept if kept.is_file() else source / rel, target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        # a file written before is replaced, never written into: an earlier notebook's kept
        # copy may be a hard link to it
        dst.unlink(missing_ok=True)
        try:
            os.link(src, dst)
        except OSError:  # another file system, or one without hard links
            shutil.copy2(src, dst)
