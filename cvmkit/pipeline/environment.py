"""The process environment of runs: thread limits and start-up trimming."""

from __future__ import annotations

import sys

#: The variables that bound the threads of numerical libraries (and of cvmkit's own kernels).
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "CVMKIT_THREADS")


def _skip_iri_checks() -> None:
    """Keep jsonschema from loading its optional IRI format checker in this process.

    jsonschema imports ``rfc3987_syntax`` when it is installed (JupyterLab brings it), and that
    compiles some thirty grammars at import: about 0.7 s of processor time for a format the
    notebook schema never uses.  Only for processes cvmkit owns (the ``cvmkit`` command and
    its batch workers), and only when jsonschema has not been imported yet.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

