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
from collections.abc import Callable, Iterator

__all__ = ["progress", "progress_enabled"]

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
