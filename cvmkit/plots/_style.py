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


def separate_labels(texts: Sequence[Text], ax: Axes, pad: float = 1.0,
                    max_rounds: int = 300) -> int:
    """Push apart any labels whose boxes still overlap, along the shorter way out.

    adjustText stops at its iteration limit, which on a crowded map (thirty attributes)
    can leave a few labels on top of each other; this pass, deterministic and cheap, moves
    each overlapping pair apart by the overlap (half each) until none is left or
    ``max_rounds`` passes have run.  Returns the number of overlapping pairs left.

    The labels are measured once: a move shifts a label's box by the move, so the rounds are
    arithmetic on the boxes, and the labels are placed at the end.
    """
    texts = [t for t in texts if t.get_visible() and t.get_text()]
    if len(texts) < 2:
        return 0
    from adjustText import get_renderer  # any backend's renderer, the inline one included

    renderer = get_renderer(ax.figure)
    boxes = [t.get_window_extent(renderer) for t in texts]
    x0 = np.array([b.x0 for b in boxes])
    x1 = np.array([b.x1 for b in boxes])
    y0 = np.array([b.y0 for b in boxes])
    y1 = np.array([b.y1 for b in boxes])
    shift = np.zeros((len(texts), 2))
    upper = np.triu(np.ones((len(texts), len(texts)), dtype=bool), k=1)
    left = 0
    for _ in range(max_rounds):
        ax0, ax1 = x0 + shift[:, 0], x1 + shift[:, 0]
        ay0, ay1 = y0 + shift[:, 1], y1 + shift[:, 1]
        dx = np.minimum.outer(ax1, ax1) - np.maximum.outer(ax0, ax0) + pad
        dy = np.minimum.outer(ay1, ay1) - np.maximum.outer(ay0, ay0) + pad
        i, j = np.nonzero(upper & (dx > 0) & (dy > 0))  # pairs in the order (i, then j)
        left = len(i)
        if not left:
            break
        dx, dy = dx[i, j], dy[i, j]
        cx, cy = (ax0 + ax1) / 2, (ay0 + ay1) / 2
        vertical = dy <= dx  # the shorter way out
        sign = np.where(vertical, np.where(cy[i] >= cy[j], 1.0, -1.0),
                        np.where(cx[i] >= cx[j], 1.0, -1.0))
        step = sign * np.where(vertical, dy, dx) / 2
        axis = np.where(vertical, 1, 0)
        moves = np.zeros_like(shift)
        for a, b, k, d in zip(i, j, axis, step):  # in pair order, as the overlaps were found
            moves[a, k] += d
            moves[b, k] -= d
        shift += moves
    to_data = ax.transData.inverted()
    for t, (mx, my) in zip(texts, shift):
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
