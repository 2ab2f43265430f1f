"""Pieces of figure set-up that several plot modules share."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.text import Text

from ..errors import DataError

# ---------------------------------------------------------------------- the kit's colours
# One colour-blind-safe palette for every figure: Okabe & Ito's eight colours (Okabe, M. & Ito,
# K. (2008), "Color Universal Design"), told apart under the common colour-vision deficiencies.
# "Good" and "bad" are blue and vermillion, never red against green alone.
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"  # bluish green
YELLOW = "#F0E442"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#999999"
LIGHT_GREY = "#C8C8C8"
LIGHT_BLUE = "#9ECAE9"
DARK_BLUE = "#004C77"  # text on a blue zone
DARK_VERMILLION = "#A0410D"  # text on a vermillion zone
#: Colours in the order categories (brands, groups, methods) take them.
PALETTE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, BLACK)
#: A diverging colour map without red against green (blue, white, vermillion-red).
DIVERGING = "RdBu"


def interval_errors(estimate, lower, upper) -> np.ndarray:
    """Whisker lengths ``[[below], [above]]`` for ``Axes.errorbar`` from an interval.

    A percentile or Monte-Carlo interval need not contain its point estimate; a whisker
    cannot be negative, so the side that misses the estimate is drawn with length zero.
    """
    est = np.asarray(estimate, dtype=float)
    return np.clip(np.vstack([est - np.asarray(lower, dtype=float),
                              np.asarray(upper, dtype=float) - est]), 0, None)


def new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax``, or the Axes of a new figure of ``size`` inches when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def require_table(frame: pd.DataFrame, cols: Sequence[str], what: str, source: str) -> None:
    """Raise a :class:`DataError` unless ``frame`` is a DataFrame holding every column of ``cols``.

    ``source`` names the module whose functions return such tables (e.g. ``"cvmkit.maps"``); the
    message tells the caller to pass the frame one of them returned.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what}: expected a DataFrame from {source}")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: the table lacks columns {missing}; pass the frame returned by "
                        f"the matching {source} function")


def heat_table_ticks(ax: Axes, column_labels: Sequence[str], row_labels: Sequence[str],
                     **column_label_kw) -> None:
    """Label a heat-table drawn with ``pcolormesh``: columns along the top, first row on top.

    ``column_label_kw`` (e.g. ``rotation=60, ha="left"``) goes to the column labels.
    """
    ax.set_xticks(np.arange(len(column_labels)) + 0.5, column_labels, **column_label_kw)
    ax.set_yticks(np.arange(len(row_labels)) + 0.5, row_labels)
    ax.invert_yaxis()
    ax.xaxis.tick_top()


class _Leader(Line2D):
    """A thin line from a moved label's box to the point the label names.

    Where it leaves the box is found at each drawing, from the label's extent then (a
    rectangle), so the line stays right at any resolution or layout.
    """

    def __init__(self, label: Text, xy: tuple[float, float], **kwargs) -> None:
        super().__init__([], [], **kwargs)
        self._label_text = label
        self._target = xy

    def draw(self, renderer) -> None:
        ax = self.axes
        box = self._label_text.get_window_extent(renderer)
        pad = renderer.points_to_pixels(2.0)
        tx, ty = ax.transData.transform(self._target)
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        dx, dy = tx - cx, ty - cy
        # the ray from the box's centre to the point leaves the (padded) box at s ∈ (0, 1]
        s = min((box.width / 2 + pad) / abs(dx) if dx else math.inf,
                (box.height / 2 + pad) / abs(dy) if dy else math.inf)
        if s >= 1 or math.hypot((1 - s) * dx, (1 - s) * dy) < pad:  # the label is at its point
            self.set_data([], [])
        else:
            start = ax.transData.inverted().transform((cx + s * dx, cy + s * dy))
            self.set_data([start[0], self._target[0]], [start[1], self._target[1]])
        super().draw(renderer)


def _overlap(a, b, pad: float) -> tuple[float, float]:
    """How far boxes ``a`` and ``b`` (display units) overlap across and up, or (0, 0)."""
    dx = min(a.x1, b.x1) - max(a.x0, b.x0) + pad
    dy = min(a.y1, b.y1) - max(a.y0, b.y0) + pad
    return (dx, dy) if dx > 0 and dy > 0 else (0.0, 0.0)


def separate_labels(texts: Sequence[Text], ax: Axes, pad: float = 1.0,
                    max_rounds: int = 300) -> int:
    """Push apart any labels whose boxes still overlap, along the shorter way out.

    adjustText stops at its iteration limit, which on a crowded map (thirty attributes)
    can leave a few labels on top of each other; this pass, deterministic and cheap, moves
    each overlapping pair apart by the overlap (half each) until none is left or
    ``max_rounds`` passes have run.  Returns the number of overlapping pairs left.
    """
    texts = [t for t in texts if t.get_visible() and t.get_text()]
    if len(texts) < 2:
        return 0
    from adjustText import get_renderer  # any backend's renderer, the inline one included

    renderer = get_renderer(ax.figure)
    to_data = ax.transData.inverted()
    left = 0
    for _ in range(max_rounds):
        boxes = [t.get_window_extent(renderer) for t in texts]
        moves = np.zeros((len(texts), 2))
        left = 0
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                dx, dy = _overlap(boxes[i], boxes[j], pad)
                if not dx:
                    continue
                left += 1
                ci = ((boxes[i].x0 + boxes[i].x1) / 2, (boxes[i].y0 + boxes[i].y1) / 2)
                cj = ((boxes[j].x0 + boxes[j].x1) / 2, (boxes[j].y0 + boxes[j].y1) / 2)
                if dy <= dx:  # vertical is the shorter way out
                    sign = 1.0 if ci[1] >= cj[1] else -1.0
                    moves[i, 1] += sign * dy / 2
                    moves[j, 1] -= sign * dy / 2
                else:
                    sign = 1.0 if ci[0] >= cj[0] else -1.0
                    moves[i, 0] += sign * dx / 2
                    moves[j, 0] -= sign * dx / 2
        if not left:
            return 0
        for t, (mx, my) in zip(texts, moves):
            if mx or my:
                px, py = ax.transData.transform(t.get_position())
                t.set_position(tuple(to_data.transform((px + mx, py + my))))
    return left


def repel_labels(texts: Sequence[Text], ax: Axes, x=None, y=None, objects=None,
                 color: str = "0.6", lw: float = 0.5, **kwargs) -> None:
    """Move point labels apart (adjustText) and join each moved label to its point.

    ``x``/``y`` are points the labels must also keep off, ``objects`` artists they must avoid;
    ``kwargs`` go to :func:`adjustText.adjust_text`.  Labels adjustText leaves overlapping are
    then pushed apart (:func:`separate_labels`).  The joining lines are drawn by
    :class:`_Leader` (adjustText's own arrows are clipped to the labels by a bisection at each
    drawing, which costs more than the rest of the figure).
    """
    if len(texts) < 2:
        return
    from adjustText import adjust_text

    targets = [tuple(t.get_position()) for t in texts]
    adjust_text(list(texts), x=x, y=y, objects=objects or None, ax=ax, **kwargs)
    separate_labels(texts, ax)
    for label, xy in zip(texts, targets):
        ax.add_line(_Leader(label, xy, color=color, lw=lw, gid="label-leader"))
