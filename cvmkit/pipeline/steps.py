"""A line per long step of a notebook on the console of ``cvmkit run``.

A notebook that runs for minutes on a large study should not leave the console silent: every
code cell that takes at least :data:`STEP_SECONDS` is reported when it ends, under the heading
of the notebook section it belongs to (``      03_driver_regression · Relative importance:
41.2 s``).  The hooks are nbclient's ``on_cell_start`` / ``on_cell_complete``, passed through
papermill.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

__all__ = ["STEP_SECONDS", "section_titles", "step_hooks"]

#: A cell running at least this long (seconds) gets its own line.
STEP_SECONDS = 5.0

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def section_titles(nb: Any) -> list[str | None]:
    """For each cell, the last Markdown heading at or before it (None before the first)."""
    titles: list[str | None] = []
    current: str | None = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = _HEADING.findall(cell.source)
            if found:
                current = found[-1].replace("*", "").replace("`", "").strip()
        titles.append(current)
    return titles


def step_hooks(nb: Any, say: Callable[[str], None], name: str,
               min_seconds: float = STEP_SECONDS) -> dict[str, Callable[..., None]]:
    """nbclient hooks that report each code cell of ``nb`` lasting ``min_seconds`` or more.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Fit"),
    ...                                      nbformat.v4.new_code_cell("x = 1")])
    >>> hooks = step_hooks(nb, print, "01_demo", min_seconds=0)
    >>> hooks["on_cell_start"](cell=nb.cells[1], cell_index=1)
    >>> hooks["on_cell_complete"](cell=nb.cells[1], cell_index=1)  # doctest: +ELLIPSIS
          01_demo · Fit: 0.0 s
    """
    titles = section_titles(nb)
    started: dict[int, float] = {}

    def on_cell_start(cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        started[cell_index] = time.perf_counter()

    def on_cell_complete(cell: Any = None, cell_index: int = 0, **_: Any) -> None:
        t0 = started.pop(cell_index, None)
        if t0 is None:
            return
        seconds = time.perf_counter() - t0
        if seconds >= min_seconds:
            where = titles[cell_index] if cell_index < len(titles) else None
            say(f"      {name} · {where or f'cell {cell_index}'}: {seconds:.1f} s")

    return {"on_cell_start": on_cell_start, "on_cell_complete": on_cell_complete}
