"""Errors and warnings raised by cvmkit.

Every problem with a user's input is reported as a :class:`CvmkitError` (or one of its
subclasses) whose message names the file, column, row or key at fault and says what was
expected.  Problems that do not stop an analysis are issued as :class:`CvmkitWarning` so that a
notebook can show them and carry on.
"""

from __future__ import annotations

from collections.abc import Iterable


class CvmkitError(Exception):
    """Base class of every error cvmkit raises about its input."""


class StudySpecError(CvmkitError):
    """The study file is missing, malformed or inconsistent with the data.

    Parameters
    ----------
    problems : iterable of str
        One line per problem, each starting with the key path at fault,
        e.g. ``"attributes[3].kano.functional: column 'kf_q4' not in data"``.
    source : str, optional
        The file the problems were found in.
    """

    def __init__(self, problems: Iterable[str], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        head = f"{len(self.problems)} problem(s){where}:"
        super().__init__("\n  ".join([head, *self.problems]))


class DataError(CvmkitError):
    """The survey data cannot be read or does not fit the study."""


class AnalysisError(CvmkitError):
    """An analysis cannot be computed on the data it was given (too few rows, no variance ...)."""


class PipelineError(CvmkitError):
    """A notebook of a run failed; the message names the notebook and the cell."""


class ResourceError(CvmkitError):
    """A file the kit ships (its notebooks, the demo study) is missing or cannot be copied out."""


class CvmkitWarning(UserWarning):
    """A flagged problem that lets the analysis go on (a skipped segment, a dropped row ...)."""
