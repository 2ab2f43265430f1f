"""Notebook sections that run only when the study holds their inputs.

A notebook cell tagged ``requires-<name>`` (``requires-kano``, ``requires-competitors`` …,
the names of :data:`cvmkit.capabilities.CAPABILITIES`) belongs to an analysis that needs
``<name>``; a cell may carry several such tags and then needs all of them.  Before a run executes
a notebook, :func:`prune_notebook` removes the cells whose requirements the study does not meet
and puts one sentence in place of each removed stretch, saying what the analysis would need —
so a study without Kano pairs gets "Kano analysis — not run: the study has no Kano question
pairs …" instead of a heading, method text and an error.  Each sentence appears once per
notebook.

The answer comes from :meth:`cvmkit.study.Study.capabilities`: notebook 01 writes it for the
clean data into the run directory (``capabilities.json``), and the later notebooks are pruned
from that file.

Examples
--------
>>> import nbformat
>>> from cvmkit.capabilities import Capability
>>> nb = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_markdown_cell("# Intro"),
...     nbformat.v4.new_markdown_cell("## Kano", metadata={"tags": ["requires-kano"]}),
...     nbformat.v4.new_code_cell("kano()", metadata={"tags": ["requires-kano"]})])
>>> caps = {"kano": Capability("kano", "Kano analysis", False, "no Kano pairs")}
>>> [c.source for c in prune_notebook(nb, caps).cells]
['# Intro', '*Kano analysis — not run: no Kano pairs.*']
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .capabilities import CAPABILITIES, Capability
from .errors import CvmkitError

__all__ = ["CAPABILITIES_FILE", "TAG_PREFIX", "cell_requirements", "first_unmet",
           "prune_notebook",
           "read_capabilities", "write_capabilities"]

#: The tag prefix of a cell that needs an analysis's inputs.
TAG_PREFIX = "requires-"

#: The file of a run directory that records what the study supports.
CAPABILITIES_FILE = "capabilities.json"


def cell_requirements(cell: Mapping[str, Any], where: str = "") -> list[str]:
    """The capability names a notebook cell requires (from its ``requires-`` tags).

    Raises
    ------
    CvmkitError
        When a tag names no known capability (a typo would silently never run the cell).
    """
    tags = (cell.get("metadata") or {}).get("tags") or []
    names = [t[len(TAG_PREFIX):] for t in tags if t.startswith(TAG_PREFIX)]
    unknown = [n for n in names if n not in CAPABILITIES]
    if unknown:
        raise CvmkitError(f"{where or 'notebook'}: cell tag(s) "
                          + ", ".join(f"'{TAG_PREFIX}{n}'" for n in unknown)
                          + f" name no capability (known: {', '.join(CAPABILITIES)})")
    return names


def first_unmet(cell: Mapping[str, Any], capabilities: Mapping[str, Capability],
                where: str = "") -> Capability | None:
    """The first capability a cell's ``requires-`` tags name that the study lacks, if any."""
    return next((capabilities[n] for n in cell_requirements(cell, where)
                 if n in capabilities and not capabilities[n].available), None)


def prune_notebook(nb: Any, capabilities: Mapping[str, Capability], where: str = "") -> Any:
    """A copy of ``nb`` without the cells whose requirements are not met.

    Each stretch of removed cells is replaced by one markdown cell with the sentence of each
    missing capability not already given in this notebook (a stretch whose sentences were all
    given leaves nothing behind).

    Parameters
    ----------
    nb : nbformat.NotebookNode
    capabilities : mapping
        ``{name: Capability}`` as from :meth:`cvmkit.study.Study.capabilities`.
    where : str
        The notebook's name, for error messages.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook; ``nb`` is not changed.
    """
    import nbformat

    out = copy.deepcopy(nb)
    cells: list[Any] = []
    said: set[str] = set()
    pending: list[str] = []

    def flush() -> None:
        if pending:
            text = " ".join(f"*{capabilities[n].sentence}*" for n in pending)
            cells.append(nbformat.v4.new_markdown_cell(
                text, metadata={"tags": ["cvmkit-skipped"]}))
            pending.clear()

    for cell in out.cells:
        missing = first_unmet(cell, capabilities, where)
        if missing is None:
            flush()
            cells.append(cell)
            continue
        if missing.name not in said:  # the first unmet requirement explains the skip
            said.add(missing.name)
            pending.append(missing.name)
    flush()
    out.cells = cells
    return out


def write_capabilities(run_dir: str | Path, capabilities: Mapping[str, Capability]) -> Path:
    """Write ``capabilities.json`` into a run directory (notebook 01's hand-over)."""
    from ._atomic import atomic_write_text

    payload = {n: {"label": c.label, "available": c.available, "reason": c.reason}
               for n, c in capabilities.items()}
    return atomic_write_text(Path(run_dir) / CAPABILITIES_FILE,
                             json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def read_capabilities(run_dir: str | Path) -> dict[str, Capability] | None:
    """The capabilities written by :func:`write_capabilities`, or ``None`` when absent."""
    p = Path(run_dir) / CAPABILITIES_FILE
    if not p.is_file():
        return None
    raw = json.loads(p.read_text(encoding="utf-8"))
    return {n: Capability(n, v["label"], bool(v["available"]), v.get("reason", ""))
            for n, v in raw.items()}
