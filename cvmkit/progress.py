"""Progress bars for long computations: shown in JupyterLab, silent in a pipeline run.

A bootstrap of a million respondents or a logit dominance over thousands of subset models takes
long enough that an analyst at a notebook wants to see it move.  :func:`progress` gives a bar
(``tqdm``'s notebook widget in JupyterLab, a text bar in a terminal) that appears only once the
work has taken ``delay`` seconds, so quick calls stay quiet.  Set the environment variable
``CVMKIT_PROGRESS=off`` to silence every bar: ``cvmkit run`` does so in the kernels it starts,
because an executed report notebook should not keep a bar in its outputs; it prints a line per
notebook instead.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

__all__ = ["progress", "progress_enabled", "tracked"]

#: Values of ``CVMKIT_PROGRESS`` that switch the bars off.
_OFF = {"0", "off", "false", "no"}


def progress_enabled() -> bool:
    """Whether :func:`progress` shows bars (``CVMKIT_PROGRESS`` is not ``off``)."""
    return os.environ.get("CVMKIT_PROGRESS", "").strip().lower() not in _OFF


@contextlib.contextmanager
def progress(total: int, desc: str, *, unit: str = "it",
             delay: float = 2.0) -> Iterator[Callable[[int], None]]:
    """A progress bar over ``total`` items; yields the function to call with each done count.

    Parameters
    ----------
    total : int
        Items to do (replicates, models …).
    desc : str
        What is being done, shown before the bar.
    unit : str
        Name of one item.
    delay : float
        Seconds before the bar appears (work done sooner shows nothing).

    Examples
    --------
    >>> with progress(3, "example", delay=60) as advance:
    ...     for _ in range(3):
    ...         advance(1)
    """
    if total <= 0 or not progress_enabled():
        yield lambda _n: None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=int(total), desc=desc, unit=unit, delay=delay, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()


def tracked(items: Iterable[T], desc: str, *, total: int | None = None, unit: str = "it",
            every: int = 1, delay: float = 2.0) -> Iterator[T]:
    """``items`` one by one, with a :func:`progress` bar over them (moved every ``every`` items).

    ``total`` defaults to ``len(items)``.

    Examples
    --------
    >>> [x * 2 for x in tracked([1, 2, 3], "doubling", delay=60)]
    [2, 4, 6]
    """
    n = len(items) if total is None else int(total)  # type: ignore[arg-type]
    every = max(1, int(every))
    with progress(n, desc, unit=unit, delay=delay) as advance:
        done = 0
        for i, item in enumerate(items, 1):
            yield item
            if i % every == 0:
                advance(i - done)
                done = i
        if n > done:
            advance(n - done)
