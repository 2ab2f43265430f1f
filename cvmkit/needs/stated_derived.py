"""Stated against derived importance.

Customers can be asked how important an attribute is (*stated* importance), or its importance can
be *derived* from how strongly their rating of it moves with their overall judgement (here the
weighted correlation of the attribute's performance rating with overall value; the driver module's
relative-importance shares can be used instead).  The two disagree in instructive ways: an
attribute everyone calls important but that does not move overall value is taken for granted,
one nobody mentions but that tracks overall value closely is a hidden driver.
:func:`stated_vs_derived` sorts attributes into four classes by splitting each measure at its mean
(or median).

No peer library offers this classification over tidy frames, so it is written here; the
weighted correlation is the ordinary weighted Pearson coefficient.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError, CvmkitWarning, DataError
from ._common import (
    Columns,
    as_column_map,
    check_columns,
    check_frame,
    insert_segment,
    numeric,
    resolve_weights,
    segment_groups,
    weighted_corr,
    weighted_mean_se,
)

__all__ = [
    "SVD_CLASSES",
    "derived_from_drivers",
    "derived_importance",
    "stated_and_derived",
    "stated_importance",
    "stated_vs_derived",
]

#: The four stated-vs-derived classes, keyed by (stated high, derived high).
SVD_CLASSES: dict[tuple[bool, bool], str] = {
    (True, True): "expected",
    (False, True): "hidden driver",
    (True, False): "stated only",
    (False, False): "low impact",
}


def stated_vs_derived(
    table: pd.DataFrame,
    stated: str = "stated",
    derived: str = "derived",
    attribute: str = "attribute",
    split: str | tuple[float, float] = "mean",
    by: str | None = None,
) -> pd.DataFrame:
    """Classify attributes by stated and derived importance.

    The rule: an attribute's stated importance is *high* when it is at or above the split value
    of the ``stated`` column (its mean, or its median, over the attributes of the table — or of
    the segment when ``by`` is given), and likewise for derived importance. Then

    ============  ==============  =================
    stated high   derived high    class
    ============  ==============  =================
    yes           yes             ``expected``
    no            yes             ``hidden driver``
    yes           no              ``stated only``
    no            no              ``low impact``
    ============  ==============  =================

    *expected*: customers say it matters and it does move overall value; *hidden driver*: it moves
    overall value though customers do not name it; *stated only*: named as important but not
    moving overall value (typically a taken-for-granted essential); *low impact*: neither.

    Parameters
    ----------
    table : DataFrame
        One row per attribute (per segment when ``by`` is given).
    stated, derived : str
        Columns holding stated and derived importance (any scale; each is split on its own).
    attribute : str
        Column naming the attribute.
    split : {"mean", "median"} or (float, float)
        Where to split each column; a pair gives fixed (stated, derived) split values.
    by : str, optional
        Column of ``table`` holding a segment: splits are then computed within each segment.

    Returns
    -------
    DataFrame
        A copy of ``table`` with ``stated_split``, ``derived_split``, ``stated_high``,
        ``derived_high``, ``class`` and ``note`` added. A row missing either importance is
        kept with ``class`` NaN and the reason in ``note`` (and a :class:`CvmkitWarning`).

    Raises
    ------
    DataError
        A named column is absent or not numeric, or an attribute appears twice.
    AnalysisError
        Fewer than two attributes have both importances (within a segment), so there is
        nothing to split.

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.needs import stated_vs_derived
    >>> t = pd.DataFrame({"attribute": ["taste", "price", "wifi", "speed"],
    ...                   "stated": [9.1, 8.7, 5.2, 6.0], "derived": [0.55, 0.20, 0.15, 0.50]})
    >>> stated_vs_derived(t)["class"].tolist()
    ['expected', 'stated only', 'low impact', 'hidden driver']
    """
    check_frame(table, "table")
    need = [attribute, stated, derived] + ([by] if by is not None else [])
    check_columns(table, need, "stated_vs_derived")
    if isinstance(split, str):
        if split not in ("mean", "median"):
            raise DataError(f"split: expected 'mean', 'median' or a pair of numbers, got {split!r}")
    else:
        try:
            fixed = (float(split[0]), float(split[1]))
        except (TypeError, ValueError, IndexError):
            raise DataError(
                f"split: expected 'mean', 'median' or a pair of numbers, got {split!r}"
            ) from None

    out = table.copy()
    s = numeric(out, stated, "stated_vs_derived")
    d = numeric(out, derived, "stated_vs_derived")
    keys = [by, attribute] if by is not None else [attribute]
    dup = out.duplicated(keys)
    if dup.any():
        row = out.loc[dup].iloc[0]
        where = f" in segment {row[by]!r}" if by is not None else ""
        raise DataError(
            f"stated_vs_derived: attribute {row[attribute]!r} appears more than once{where}"
        )

    stated_split = np.full(len(out), np.nan)
    derived_split = np.full(len(out), np.nan)
    groups = segment_groups(out, by) if by is not None else [(None, np.ones(len(out), bool))]
    ok = np.isfinite(s) & np.isfinite(d)
    thin = np.zeros(len(out), bool)  # rows of a segment too thin to split
    for level, mask in groups:
        use = mask & ok
        if use.sum() < 2:
            what = (f"{int(use.sum())} attribute(s) with both stated and derived importance"
                    f"{f' in segment {level!r}' if level is not None else ''}; at least 2 are "
                    "needed to split")
            if level is None:
                raise AnalysisError(f"stated_vs_derived: {what}")
            warnings.warn(f"stated_vs_derived: {what}, so the segment is left unclassified",
                          CvmkitWarning, stacklevel=2)
            thin |= mask
            continue
        if isinstance(split, str):
            f = np.mean if split == "mean" else np.median
            cut = (float(f(s[use])), float(f(d[use])))
        else:
            cut = fixed
        stated_split[mask] = cut[0]
        derived_split[mask] = cut[1]

    s_high = s >= stated_split
    d_high = d >= derived_split
    classes = np.array([SVD_CLASSES[(bool(a), bool(b))] for a, b in zip(s_high, d_high)],
                       dtype=object)
    notes = np.full(len(out), "", dtype=object)
    for i in np.flatnonzero(~ok):
        gone = [name for name, v in ((stated, s[i]), (derived, d[i])) if not np.isfinite(v)]
        notes[i] = f"skipped: no {' or '.join(gone)} importance"
        classes[i] = np.nan
    for i in np.flatnonzero(thin & ok):
        notes[i] = "skipped: too few attributes with both importances in the segment"
        classes[i] = np.nan
    if (~ok).any():
        names = ", ".join(str(a) for a in out.loc[~ok, attribute])
        warnings.warn(
            f"stated_vs_derived: {int((~ok).sum())} attribute(s) skipped for missing importance: "
            f"{names}", CvmkitWarning, stacklevel=2,
        )
    out["stated_split"] = stated_split
    out["derived_split"] = derived_split
    out["stated_high"] = np.where(ok, s_high, False)
    out["derived_high"] = np.where(ok, d_high, False)
    out["class"] = classes
    out["note"] = notes
    return out


def stated_importance(
    data: pd.DataFrame,
    columns: Columns,
    weights: str | Sequence[float] | np.ndarray | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Weighted mean stated importance per attribute, with its standard error.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    columns : mapping or list
        ``{attribute: importance column}`` (a list uses the column names as attribute ids).
    weights : str or array, optional
        Respondent weights (a column of ``data`` or an array).
    by : str, optional
        Segment column: one row per segment and attribute.

    Returns
    -------
    DataFrame
        ``[by,] attribute, column, stated, se, n`` (``n`` the respondents who answered).

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.needs import stated_importance
    >>> d = pd.DataFrame({"imp_taste": [9, 10, 8], "imp_wifi": [3, 5, 4]})
    >>> stated_importance(d, {"taste": "imp_taste", "wifi": "imp_wifi"})["stated"].tolist()
    [9.0, 4.0]
    """
    check_frame(data)
    cols = as_column_map(columns, "stated_importance")
    check_columns(data, cols.values(), "stated_importance")
    w = resolve_weights(data, weights)
    values = {a: numeric(data, c, "stated_importance") for a, c in cols.items()}
    frames = []
    for level, mask in segment_groups(data, by):
        rows = []
        for a, c in cols.items():
            m, se, _ = weighted_mean_se(values[a][mask], w[mask])
            n = int((np.isfinite(values[a][mask]) & (w[mask] > 0)).sum())
            rows.append({"attribute": a, "column": c, "stated": m, "se": se, "n": n})
        frames.append(insert_segment(pd.DataFrame(rows), by, level))
    return pd.concat(frames, ignore_index=True)


def derived_importance(
    data: pd.DataFrame,
    columns: Columns,
    outcome: str,
    weights: str | Sequence[float] | np.ndarray | None = None,
    by: str | None = None,
) -> pd.DataFrame:
    """Correlation-based derived importance: how closely each attribute tracks the outcome.

    For each attribute, the weighted Pearson correlation between its performance rating and the
    overall outcome (e.g. overall value of the brand), over respondents who answered both.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    columns : mapping or list
        ``{attribute: performance column}``.
    outcome : str
        The overall outcome column.
    weights : str or array, optional
        Respondent weights.
    by : str, optional
        Segment column: one row per segment and attribute.

    Returns
    -------
    DataFrame
        ``[by,] attribute, column, derived, share, n, note``: ``derived`` is the correlation,
        ``share`` its square as a share of the sum of squares over attributes (a rough relative
        importance), ``n`` the pairwise-complete respondents. An attribute without variance or
        with fewer than 3 answers gets NaN, a note and a :class:`CvmkitWarning`.

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.needs import derived_importance
    >>> d = pd.DataFrame({"p_taste": [1, 2, 3, 4], "p_wifi": [2, 1, 2, 1],
    ...                   "value": [1, 2, 3, 5]})
    >>> t = derived_importance(d, {"taste": "p_taste", "wifi": "p_wifi"}, "value")
    >>> t["derived"].round(3).tolist()
    [0.983, -0.507]
    """
    check_frame(data)
    cols = as_column_map(columns, "derived_importance")
    check_columns(data, [*cols.values(), outcome], "derived_importance")
    w = resolve_weights(data, weights)
    y = numeric(data, outcome, "derived_importance")
    values = {a: numeric(data, c, "derived_importance") for a, c in cols.items()}
    frames = []
    skipped = []
    for level, mask in segment_groups(data, by):
        rows = []
        for a, c in cols.items():
            r, n = weighted_corr(values[a][mask], y[mask], w[mask])
            note = ""
            if not np.isfinite(r):
                note = (f"skipped: {n} respondent(s) answered both" if n < 3
                        else "skipped: no variance in the attribute or the outcome")
                where = f" in segment {level!r}" if level is not None else ""
                skipped.append(f"{a}{where}")
            rows.append({"attribute": a, "column": c, "derived": r, "n": n, "note": note})
        f = pd.DataFrame(rows)
        r2 = f["derived"].to_numpy() ** 2
        tot = np.nansum(r2)
        f.insert(3, "share", r2 / tot if tot > 0 else np.nan)
        frames.append(insert_segment(f, by, level))
    if skipped:
        warnings.warn(f"derived_importance: {len(skipped)} attribute(s) skipped: "
                      f"{', '.join(skipped)}", CvmkitWarning, stacklevel=2)
    return pd.concat(frames, ignore_index=True)


def stated_and_derived(
    data: pd.DataFrame,
    importance: Mapping[str, str],
    performance: Mapping[str, str],
    outcome: str,
    weights: str | Sequence[float] | np.ndarray | None = None,
    by: str | None = None,
    split: str | tuple[float, float] = "mean",
    derived: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Stated and correlation-derived importance side by side, classified.

    Runs :func:`stated_importance` and :func:`derived_importance` (or takes ``derived``, e.g. the
    driver module's shares with columns ``attribute`` and ``derived``) and then
    :func:`stated_vs_derived`. Attributes without a stated-importance column are kept, with
    ``class`` NaN and a note.

    Returns
    -------
    DataFrame
        ``[by,] attribute, stated, stated_se, derived, n`` and the columns of
        :func:`stated_vs_derived`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cvmkit.needs import stated_and_derived
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame(rng.integers(1, 11, size=(50, 4)), columns=["i_a", "i_b", "p_a", "p_b"])
    >>> d["value"] = d["p_a"] + rng.normal(size=50)
    >>> t = stated_and_derived(d, {"a": "i_a", "b": "i_b"}, {"a": "p_a", "b": "p_b"}, "value")
    >>> t.loc[t.attribute == "a", "derived_high"].item()
    True
    """
    perf = as_column_map(performance, "stated_and_derived")
    imp = as_column_map(importance, "stated_and_derived")
    unknown = [a for a in imp if a not in perf]
    if unknown:
        raise DataError(f"stated_and_derived: attribute(s) {', '.join(unknown)} have a stated "
                        "importance column but no performance column")
    st = stated_importance(data, imp, weights=weights, by=by)
    st = st.rename(columns={"se": "stated_se", "n": "stated_n"}).drop(columns="column")
    if derived is None:
        dv = derived_importance(data, perf, outcome, weights=weights, by=by)
        dv = dv.drop(columns=["column", "note"])
    else:
        check_columns(derived, ["attribute", "derived"] + ([by] if by else []),
                      "stated_and_derived(derived=...)")
        dv = derived.copy()
    keys = [by, "attribute"] if by else ["attribute"]
    order = pd.DataFrame({"attribute": list(perf)})
    if by:
        levels = dv[[by]].drop_duplicates()
        order = levels.merge(order, how="cross")
    merged = order.merge(st, on=keys, how="left").merge(dv, on=keys, how="left")
    return stated_vs_derived(merged, split=split, by=by)


def derived_from_drivers(
    importance: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    method: str | None = None,
) -> pd.DataFrame:
    """Derived importance from a driver-analysis table (``cvmkit.drivers.relative_importance``).

    Parameters
    ----------
    importance : DataFrame
        One row per driver (and method) with columns ``driver`` and ``share``, optionally
        ``method``.
    columns : mapping, optional
        ``{attribute: performance column}``: drivers named by their column are renamed to the
        attribute; drivers matching neither are dropped.
    method : str, optional
        Which method's shares to use when the table holds several (default: the LMG/Shapley
        shares if present, else the first method listed).

    Returns
    -------
    DataFrame
        ``attribute, derived, source`` — ready for :func:`stated_and_derived` (``derived=``).

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.needs import derived_from_drivers
    >>> imp = pd.DataFrame({"driver": ["p_taste", "p_wifi"] * 2, "share": [70, 30, 60, 40],
    ...                     "method": ["LMG", "LMG", "Relative weights", "Relative weights"]})
    >>> derived_from_drivers(imp, {"taste": "p_taste", "wifi": "p_wifi"})["derived"].tolist()
    [70, 30]
    """
    check_frame(importance, "importance")
    check_columns(importance, ["driver", "share"], "derived_from_drivers")
    t = importance
    source = "drivers"
    if "method" in t.columns:
        methods = list(dict.fromkeys(t["method"].dropna()))
        if method is None:
            lmg = [m for m in methods if "lmg" in str(m).lower() or "shapley" in str(m).lower()]
            method = lmg[0] if lmg else (methods[0] if methods else None)
        elif method not in methods:
            raise DataError(f"derived_from_drivers: method {method!r} not in the table "
                            f"(methods: {', '.join(map(str, methods))})")
        if method is not None:
            t = t[t["method"] == method]
            source = str(method)
    elif method is not None:
        raise DataError("derived_from_drivers: the table has no 'method' column to pick "
                        f"{method!r} from")
    if t["driver"].duplicated().any():
        raise DataError("derived_from_drivers: a driver appears more than once; pass method=")
    names = dict(zip(t["driver"], t["share"]))
    if columns is not None:
        out = {}
        for attr, col in columns.items():
            if attr in names:
                out[attr] = names[attr]
            elif col in names:
                out[attr] = names[col]
        names = out
    if not names:
        raise DataError("derived_from_drivers: no driver matches an attribute")
    return pd.DataFrame({"attribute": list(names), "derived": list(names.values()),
                         "source": source})

