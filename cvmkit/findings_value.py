"""Headline findings of the segmentation, sentiment, wave-change and management analyses.

Each ``*_finding`` function takes the tidy table its analysis returned and gives back
``(sentence, frame)``: one plain sentence for an executive summary or a report section (no code
or column names), and the small table behind it.  Each ``*_title`` function turns that frame
into the short headline of the analysis' chart, so the chart states the same finding.
Attribute and theme ids are shown through ``labels`` when given.

Examples
--------
>>> import pandas as pd
>>> gaps = pd.DataFrame({"attribute": ["a"], "measure": ["importance"], "management": [2.0],
...                      "customers": [4.1], "lower": [4.0], "upper": [4.2], "gap": [2.1],
...                      "verdict": ["blind spot"]})
>>> sentence, frame = management_finding(gaps, {"a": "Speed"})
>>> sentence
"Management's view differs from its customers' on 1 attribute: blind spot: Speed."
>>> management_title(frame)
'Management and its customers disagree on 1 attribute (1 blind spot)'
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["MIN_STABILITY", "change_finding", "management_finding", "management_title",
           "segments_finding", "segments_title", "sentiment_finding", "sentiment_title"]

#: The mean adjusted Rand index between refits below which segments are not called stable.
MIN_STABILITY = 0.6


def _name(x: object, labels: Mapping[str, str] | None) -> str:
    return (labels or {}).get(str(x), str(x))


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def segments_finding(sizes: pd.DataFrame, profiles: pd.DataFrame,
                     labels: Mapping[str, str] | None = None, alpha: float = 0.05, *,
                     stability: float | None = None, single_best: bool = False,
                     min_stability: float = MIN_STABILITY) -> tuple[str, pd.DataFrame]:
    """What each needs-based segment values more than the rest of the customers.

    ``sizes`` from :func:`cvmkit.segmentation.segment_sizes`; ``profiles`` from
    :func:`cvmkit.segmentation.segment_profiles` on the needs columns (numeric).
    ``stability`` is the mean adjusted Rand index of
    :func:`cvmkit.segmentation.segment_stability`; with ``single_best`` (the BIC preferred one
    segment) or a stability below ``min_stability`` the sentence says there are no stable
    segments instead of describing them.
    """
    rows = []
    for _, s in sizes.iterrows():
        p = profiles[(profiles["segment"] == s["segment"]) & (profiles["kind"] == "mean")
                     & (profiles["p_holm"] < alpha) & (profiles["difference"] > 0)]
        top = p.sort_values("difference", ascending=False).head(2)
        rows.append({"segment": s["segment"], "share": s["share"],
                     "values_most": ", ".join(_name(v, labels) for v in top["variable"])})
    frame = pd.DataFrame(rows)
    if single_best or (stability is not None and stability < min_stability):
        why = ("one segment fits them best" if single_best else
               f"refits on resampled customers agree only weakly (adjusted Rand {stability:.2f})")
        return ("The customers' answers about what matters do not split them into stable "
                f"groups: {why}.", frame)
    parts = [f"{r.segment} ({r.share:.0%}) values {r.values_most} more than the rest"
             if r.values_most else f"{r.segment} ({r.share:.0%}) has no distinctive need"
             for r in frame.itertuples()]
    return (f"Customers fall into {len(frame)} segments by what they value: "
            + "; ".join(parts) + ".", frame)


def sentiment_finding(themes: pd.DataFrame, labels: Mapping[str, str] | None = None,
                      top: int = 3) -> tuple[str, pd.DataFrame]:
    """The themes most customers are negative about (``themes`` from
    :func:`cvmkit.sentiment.theme_sentiment`)."""
    t = themes[themes["reach_negative"] > 0].sort_values("reach_negative", ascending=False)
    t = t.head(top)[["theme", "label", "reach_negative", "share_negative", "mean"]]
    if t.empty:
        return "No theme of the open-ended answers is mostly negative.", t
    parts = [f"{r.label} ({r.reach_negative:.0%} of those answering)" for r in t.itertuples()]
    return "The open-ended answers are most often negative about " + _list(parts) + ".", t


def change_finding(performance: pd.DataFrame, drivers: pd.DataFrame | None = None,
                   labels: Mapping[str, str] | None = None) -> tuple[str, pd.DataFrame]:
    """The significant changes between two waves (tables from :mod:`cvmkit.change`)."""
    p = performance[performance["changed"]]
    rows = [{"what": "performance", "attribute": r.attribute, "brand": r.brand,
             "difference": r.difference, "p_holm": r.p_holm} for r in p.itertuples()]
    if drivers is not None:
        rows += [{"what": "driver share", "attribute": r.driver, "brand": None,
                  "difference": r.difference, "p_holm": r.p_holm}
                 for r in drivers[drivers["changed"]].itertuples()]
    frame = pd.DataFrame(rows, columns=["what", "attribute", "brand", "difference", "p_holm"])
    if frame.empty:
        return "Nothing changed significantly between the waves.", frame
    parts = []
    for r in frame.itertuples():
        sign = "rose" if r.difference > 0 else "fell"
        if r.what == "performance":
            parts.append(f"{r.brand}'s rating on {_name(r.attribute, labels)} {sign} by "
                         f"{abs(r.difference):.2f} points")
        else:
            parts.append(f"the share of {_name(r.attribute, labels)} in explaining the overall "
                         f"rating {sign} by {abs(r.difference):.0f} percentage points")
    return "Between the waves, " + _list(parts) + ".", frame


def management_finding(gaps: pd.DataFrame, labels: Mapping[str, str] | None = None
                       ) -> tuple[str, pd.DataFrame]:
    """Where management's view differs from its customers' (``gaps`` from
    :func:`cvmkit.management.management_gaps`)."""
    t = gaps[gaps["verdict"] != "agrees"]
    if t.empty:
        return "Management's view agrees with its customers' on every attribute.", t
    parts = []
    for verdict, g in t.groupby("verdict", sort=False):
        parts.append(f"{verdict}: " + _list([_name(a, labels) for a in g["attribute"]]))
    n = t["attribute"].nunique()
    return (f"Management's view differs from its customers' on {n} attribute"
            f"{'s' if n != 1 else ''}: " + "; ".join(parts) + ".", t)


def _count(n: int, word: str) -> str:
    """``3 myths``, ``1 blind spot``; a participle stays as it is (``2 overrated``)."""
    return f"{n} {word}" + ("" if n == 1 or word.endswith("ed") else "s")


def segments_title(frame: pd.DataFrame, *, stable: bool = True) -> str:
    """Chart headline from the frame of :func:`segments_finding` (``stable``: whether the
    sentence called the segments stable)."""
    if not stable:
        return "No stable segments: the split shown is an illustration"
    told = [f"{r.segment}: {r.values_most.split(', ')[0]}" for r in frame.itertuples()
            if r.values_most]
    if not told:
        return f"{len(frame)} segments, none with a distinctive need"
    return "What each segment values most — " + "; ".join(told)


def sentiment_title(frame: pd.DataFrame) -> str:
    """Chart headline from the frame of :func:`sentiment_finding`."""
    if frame.empty:
        return "No theme of the comments is mostly negative"
    r = frame.iloc[0]
    return (f"Most negative theme: {r['label']} ({r['reach_negative']:.0%} of those "
            "answering are negative about it)")


def management_title(frame: pd.DataFrame) -> str:
    """Chart headline from the frame of :func:`management_finding`."""
    if frame.empty:
        return "Management's view matches its customers' on every attribute"
    n = frame["attribute"].nunique()
    kinds = frame.groupby("verdict", sort=False)["attribute"].nunique()
    return (f"Management and its customers disagree on {_count(n, 'attribute')} ("
            + ", ".join(_count(int(k), str(v)) for v, k in kinds.items()) + ")")
