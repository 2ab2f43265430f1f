"""Headline findings of notebook 06's analyses: one plain sentence and its table."""

from __future__ import annotations

import pandas as pd

from cvmkit.findings_value import (
    change_finding,
    management_finding,
    management_title,
    segments_finding,
    segments_title,
    sentiment_finding,
    sentiment_title,
)

SIZES = pd.DataFrame({"segment": ["Segment 1", "Segment 2"], "share": [0.6, 0.4]})
PROFILES = pd.DataFrame({
    "segment": ["Segment 1", "Segment 1", "Segment 2", "Segment 2"],
    "variable": ["q1", "q2", "q1", "q2"], "kind": ["mean"] * 4,
    "difference": [1.2, -0.3, -1.2, 0.3], "p_holm": [0.001, 0.2, 0.001, 0.2]})


def test_segments_finding_stable_and_not() -> None:
    s, t = segments_finding(SIZES, PROFILES, {"q1": "Speed"}, stability=0.9)
    assert s.startswith("Customers fall into 2 segments") and "Segment 1 (60%) values Speed" in s
    assert "Segment 2 (40%) has no distinctive need" in s and len(t) == 2
    s, _ = segments_finding(SIZES, PROFILES, stability=0.3)
    assert "do not split them into stable groups" in s and "0.30" in s
    s, _ = segments_finding(SIZES, PROFILES, single_best=True)
    assert "one segment fits them best" in s


def test_change_and_sentiment_findings() -> None:
    perf = pd.DataFrame({"attribute": ["a", "b"], "brand": ["X", "X"], "difference": [0.4, 0.1],
                         "p_holm": [0.01, 0.9], "changed": [True, False]})
    drv = pd.DataFrame({"driver": ["b"], "difference": [12.0], "p_holm": [0.001],
                        "changed": [True]})
    s, t = change_finding(perf, drv, {"a": "Speed", "b": "Price"})
    assert s == ("Between the waves, X's rating on Speed rose by 0.40 points and the share of "
                 "Price in explaining the overall rating rose by 12 percentage points.")
    assert list(t["what"]) == ["performance", "driver share"]
    assert change_finding(perf.assign(changed=False))[0].startswith("Nothing changed")
    themes = pd.DataFrame({"theme": ["x", "y"], "label": ["Queue", "Staff"],
                           "reach_negative": [0.2, 0.0], "share_negative": [0.5, 0.0],
                           "mean": [-0.3, 0.4]})
    s, t = sentiment_finding(themes)
    assert s == ("The open-ended answers are most often negative about Queue (20% of those "
                 "answering).")
    assert management_finding(pd.DataFrame({"attribute": ["a"], "verdict": ["agrees"]}))[0] \
        .startswith("Management's view agrees")


def test_chart_titles_state_the_finding_of_the_same_frame() -> None:
    _, t = segments_finding(SIZES, PROFILES, {"q1": "Speed"}, stability=0.9)
    assert segments_title(t) == "What each segment values most — Segment 1: Speed"
    assert segments_title(t, stable=False).startswith("No stable segments")
    assert segments_title(t.assign(values_most="")) == "2 segments, none with a distinctive need"
    themes = pd.DataFrame({"theme": ["x", "y"], "label": ["Queue", "Staff"],
                           "reach_negative": [0.2, 0.0], "share_negative": [0.5, 0.0],
                           "mean": [-0.3, 0.4]})
    assert sentiment_title(sentiment_finding(themes)[1]) == (
        "Most negative theme: Queue (20% of those answering are negative about it)")
    assert sentiment_title(sentiment_finding(themes.assign(reach_negative=0.0))[1]).startswith(
        "No theme")
    gaps = pd.DataFrame({"attribute": ["a", "b", "c", "d"],
                         "verdict": ["blind spot", "myth", "myth", "agrees"]})
    assert management_title(management_finding(gaps)[1]) == (
        "Management and its customers disagree on 3 attributes (1 blind spot, 2 myths)")
    assert management_title(management_finding(gaps.assign(verdict="agrees"))[1]).startswith(
        "Management's view matches")
