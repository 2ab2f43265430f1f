"""Reading survey exports into one tidy shape, and reading/writing run artefacts."""

from .artifacts import *  # noqa: F401,F403
from .artifacts import __all__ as _artifacts_all
from .readers import *  # noqa: F401,F403
from .readers import __all__ as _readers_all

__all__ = [*_artifacts_all, *_readers_all]
