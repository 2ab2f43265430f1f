"""Plotting: one function per picture, each taking a tidy frame and returning a matplotlib Axes.

Plot functions never compute statistics: they draw what :mod:`cvmkit.maps`, :mod:`cvmkit.needs`,
:mod:`cvmkit.drivers` and the other computing modules return.  The functions live in submodules
named for the analysis they draw and are re-exported here.
"""
from .drivers import *  # noqa: F401,F403
from .economics import *  # noqa: F401,F403
from .experience import *  # noqa: F401,F403
from .feedback import *  # noqa: F401,F403
from .maps import *  # noqa: F401,F403
from .needs import *  # noqa: F401,F403
from .pricing import *  # noqa: F401,F403
from .sample import *  # noqa: F401,F403
from .segments_change import *  # noqa: F401,F403
