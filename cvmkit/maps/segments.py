"""Segment map: what each segment values (segment × attribute importance).

Stated importance is averaged within each segment; ``index`` compares a segment with everyone
(100 = as important as for the whole sample) and ``rank`` orders attributes within the segment,
so the heat-map shows at a glance which attributes set a segment apart.
"""

from __future__ import annotations

import pandas as pd

from ..errors import AnalysisError
from ..study import Study
from ._common import WeightsLike, resolve_weights, warn
from .importance import attribute_importance

__all__ = ["segment_importance"]


def segment_importance(
    data: pd.DataFrame,
    study: Study,
    *,
    by: str,
    weights: WeightsLike = None,
    min_n: int = 30,
) -> pd.DataFrame:
    """Stated importance of every attribute in every segment, against the whole sample.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    study : Study
    by : str
        The segment column.
    weights : str or array-like, optional
        Respondent weights.
    min_n : int
        Segments with fewer respondents are kept but flagged in ``note`` (and warned about):
        their means are unstable.

    Returns
    -------
    DataFrame
        One row per (segment, attribute): ``segment``, ``attribute``, ``label``, ``component``,
        ``importance``, ``overall`` (everyone's importance), ``index`` (100 × importance /
        overall), ``share`` (importance / the segment's total), ``rank`` (1 = most important in
        the segment), ``n`` (answers in the segment), ``n_segment`` (respondents), ``note``.

    Examples
    --------
    >>> seg = segment_importance(data, study, by="segment", weights="weight")  # doctest: +SKIP
    >>> seg.pivot(index="label", columns="segment", values="index")  # doctest: +SKIP
    """
    if by is None:
        raise AnalysisError("by: segment_importance needs a segment column")
    w = resolve_weights(data, weights)
    seg = attribute_importance(data, study, source="stated", by=by, weights=w)
    overall = attribute_importance(data, study, source="stated", weights=w)
    ov = overall.set_index("attribute")["importance"]
    seg["overall"] = seg["attribute"].map(ov)
    seg["index"] = 100 * seg["importance"] / seg["overall"].where(seg["overall"] > 0)
    col = data[by]
    sizes = {str(lv): int((col == lv).sum()) for lv in pd.unique(col.dropna())}
    seg["n_segment"] = seg["segment"].map(sizes).astype(int)
    small = seg["n_segment"] < min_n
    for s in seg.loc[small, "segment"].unique():
        warn(f"segment '{s}' of '{by}' has {sizes[s]} respondents (< {min_n}): its importance "
             "means are unstable")
    flag = f"fewer than {min_n} respondents"
    seg["note"] = [("; ".join(x for x in (nt, flag) if x) if sm else nt)
                   for nt, sm in zip(seg["note"], small)]
    seg["segment_column"] = by
    return seg[["segment_column", "segment", "attribute", "label", "component", "importance",
                "overall", "index", "share", "rank", "n", "n_segment", "note"]]
