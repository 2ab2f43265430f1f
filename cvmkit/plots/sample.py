"""Pictures of the sample: who answered, by segment and wave."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

__all__ = ["plot_sample_profile"]


def plot_sample_profile(profile: pd.DataFrame, variable: str, *, hue: str | None = None,
                        value: str = "n", ax: Axes | None = None) -> Axes:
    """Bar chart of respondents per level of one profile variable.

    Parameters
    ----------
    profile : DataFrame
        The output of :func:`cvmkit.collect.sample_profile` (columns ``variable``, ``level``,
        ``n``, ``share``, ``weighted_share`` and optionally a grouping column).
    variable : str
        Which variable to draw (e.g. ``"segment"``).
    hue : str, optional
        A grouping column of ``profile`` (e.g. the wave) drawn as side-by-side bars.
    value : str
        ``"n"``, ``"share"`` or ``"weighted_share"``.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"variable": ["segment"] * 2, "level": ["A", "B"], "n": [3, 5]})
    >>> ax = plot_sample_profile(prof, "segment")
    >>> len(ax.patches)
    2
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    part = profile[profile["variable"] == variable].copy()
    part["level"] = part["level"].astype(str)
    if hue is not None:
        part[hue] = part[hue].astype(str)
    sns.barplot(data=part, x="level", y=value, hue=hue, ax=ax, errorbar=None)
    ax.set_xlabel(variable)
    ax.set_ylabel({"n": "respondents", "share": "share of sample",
                   "weighted_share": "weighted share"}.get(value, value))
    ax.set_title(f"Sample by {variable}")
    sns.despine(ax=ax)
    return ax
