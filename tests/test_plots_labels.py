"""Point labels moved apart, and the leader lines that join a moved label to its point."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cvmkit.plots._style import _Leader, repel_labels


@pytest.fixture
def ax():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    yield ax
    plt.close(fig)


def _drawn(ax) -> None:
    ax.figure.canvas.draw()


def test_leader_runs_from_the_label_box_to_the_point(ax):
    label = ax.text(8, 8, "a label", ha="center", va="center")
    leader = _Leader(label, (2.0, 2.0))
    ax.add_line(leader)
    _drawn(ax)
    (x0, x1), (y0, y1) = leader.get_data()
    assert (x1, y1) == (2.0, 2.0)
    start = ax.transData.transform((x0, y0))
    box = label.get_window_extent()
    # the line starts just outside the label's box, on the side facing the point
    assert not box.contains(*start)
    assert box.x0 - 5 < start[0] < box.x1 and box.y0 - 5 < start[1] < box.y1
    # and follows the direction from the label's centre to the point
    centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    target = ax.transData.transform((2.0, 2.0))
    d1, d2 = start - centre, target - centre
    assert abs(d1[0] * d2[1] - d1[1] * d2[0]) < 1e-6 * np.hypot(*d1) * np.hypot(*d2)


def test_no_leader_for_a_label_at_its_point(ax):
    label = ax.text(5, 5, "here", ha="center", va="center")
    leader = _Leader(label, (5.0, 5.0))
    ax.add_line(leader)
    _drawn(ax)
    assert len(leader.get_xdata()) == 0


def test_repel_labels_separates_overlapping_labels(ax):
    xs, ys = np.array([5.0, 5.05, 5.1]), np.array([5.0, 5.0, 5.05])
    texts = [ax.text(x, y, f"label number {i}") for i, (x, y) in enumerate(zip(xs, ys))]
    repel_labels(texts, ax, x=xs, y=ys)
    _drawn(ax)
    boxes = [t.get_window_extent() for t in texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    leaders = [a for a in ax.lines if a.get_gid() == "label-leader"]
    assert len(leaders) == 3
    assert {(ln.get_xdata()[-1], ln.get_ydata()[-1]) for ln in leaders
            if len(ln.get_xdata())} <= set(zip(xs, ys))


def test_a_single_label_is_left_alone(ax):
    t = ax.text(1, 1, "alone")
    repel_labels([t], ax)
    assert t.get_position() == (1, 1) and not ax.lines
