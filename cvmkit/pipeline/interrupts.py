"""Ctrl-C (and SIGTERM) as a ``KeyboardInterrupt`` that never lands inside Python's import
machinery.

A run imports in its main thread while its kernels start in another thread, which imports
too.  Python raises ``KeyboardInterrupt`` between any two bytecodes of the main thread, and
``importlib`` takes its global import lock a line before the ``try`` that releases it: an
interrupt landing between the two leaves the lock taken for good.  The run then stops, waits
for the kernel thread, and the kernel thread waits for the lock — a run that hangs on Ctrl-C.

:func:`interrupt` is the signal handler the ``cvmkit`` command and the batch workers install
instead of Python's own: when the signal arrives while the main thread is in ``importlib``'s
own code (never long: the module being imported runs as its own code), the handler leaves it
and the same signal is sent again a few milliseconds later.

:func:`handled` tells Python that an interrupt the program caught was dealt with: otherwise a
process whose interrupt came while a module defining a dataclass or a named tuple was being
imported exits killed by SIGINT, whatever exit status it asked for.
"""

from __future__ import annotations

import os
import threading
from types import FrameType

__all__ = ["handled", "in_import_machinery", "interrupt"]

#: Where the code of ``importlib``'s bootstrap modules says it comes from.
_IMPORT_MACHINERY = frozenset({"<frozen importlib._bootstrap>",
                               "<frozen importlib._bootstrap_external>"})

#: Seconds after which a signal put off is sent again.
RETRY = 0.005


def in_import_machinery(signum: int, frame: FrameType | None) -> bool:
    """Whether ``frame`` (the main thread's, as a signal handler gets it) is inside
    ``importlib``'s own code; if so the signal ``signum`` is sent again after :data:`RETRY`
    seconds, and the handler should return without acting on it."""
    if frame is None or frame.f_code.co_filename not in _IMPORT_MACHINERY:
        return False
    timer = threading.Timer(RETRY, os.kill, (os.getpid(), signum))
    timer.daemon = True
    timer.start()
    return True


def interrupt(signum: int, frame: FrameType | None) -> None:
    """Signal handler: raise ``KeyboardInterrupt`` (see :func:`in_import_machinery`)."""
    if not in_import_machinery(signum, frame):
        raise KeyboardInterrupt


def handled() -> None:
    """Clear Python's mark of an unhandled ``KeyboardInterrupt`` once the program has dealt
    with one.

    CPython marks an interrupt unhandled when it leaves code run from a string by ``exec`` or
    ``eval`` — which dataclasses and named tuples do as their modules are imported — and keeps
    the mark even when an ``except`` further out catches it: the process then ends killed by
    SIGINT instead of with the exit status it chose (130 for a stopped run).  Every run of a
    string resets the mark first, so running an empty one clears it.
    """
    exec("")  # for the side effect described above
