"""Perceptual map: correspondence analysis of a brand × attribute table.

Correspondence analysis (Benzécri; Greenacre 2017, *Correspondence Analysis in Practice*)
decomposes the departure of a non-negative table from independence.  With ``P = N / n``, row
and column masses ``r`` and ``c``, the standardised residuals
``S = D_r^{-1/2} (P - r c') D_c^{-1/2}`` are split by a singular value decomposition
``S = U Σ V'``.  The principal inertias (eigenvalues) are ``σ_k²``; row principal coordinates are
``F = D_r^{-1/2} U Σ`` and column ones ``G = D_c^{-1/2} V Σ``.  A point's *contribution* to an
axis is ``mass × coordinate² / eigenvalue`` (in per cent, summing to 100 over the active points of
that axis) and its *cos²* the share of its squared distance to the centroid the axis accounts for.

*Supplementary* points (here: the ideal points of segments, i.e. their importance profiles over
the attributes) take no part in the fit; they are placed by the transition formula, a row profile
times the column standard coordinates ``G / σ``.

These conventions are FactoMineR's ``CA``; the tests check eigenvalues and principal coordinates
against its output on Greenacre's ``smoke`` table to 1e-10.

Why not ``prince``: prince 0.23's ``CA`` gives the same numbers on ``smoke`` (checked to 1e-15),
but it imports altair for its charts (a plotting stack cvmkit does not otherwise need), and its
default solver is a randomised truncated SVD.  The method is one exact LAPACK SVD of a matrix
no larger than brands × attributes, so writing it out here is short, exact, and free of the
extra dependency; supplementary points, contributions and cos² follow in a few lines.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError
from ..study import Study
from ._common import (
    WeightsLike,
    numeric_column,
    resolve_weights,
    segment_groups,
    warn,
    weighted_mean_se,
)
from .benchmark import brand_performance

__all__ = ["brand_attribute_table", "ca_eigenvalues", "correspondence_analysis",
           "perceptual_map", "segment_ideal_profiles"]

_TOL = 1e-12


def _as_table(table: pd.DataFrame, what: str, active: bool = True) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise DataError(f"{what}: expected a DataFrame (rows × columns with labels)")
    if active and (table.shape[0] < 2 or table.shape[1] < 2):
        raise AnalysisError(
            f"{what}: correspondence analysis needs at least 2 rows and 2 columns, "
            f"got {table.shape[0]} × {table.shape[1]}"
        )
    t = table.copy()
    for col in t.columns:
        if not pd.api.types.is_numeric_dtype(t[col]):
            raise DataError(f"{what}: column '{col}' is not numeric")
    t = t.astype(float)
    bad = ~np.isfinite(t.to_numpy()) & t.notna().to_numpy()
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise DataError(f"{what}: cell ({t.index[i]!r}, {t.columns[j]!r}) is not finite")
    neg = (t.to_numpy() < 0)
    if neg.any():
        i, j = np.argwhere(neg)[0]
        raise DataError(
            f"{what}: cell ({t.index[i]!r}, {t.columns[j]!r}) is {t.iat[i, j]:g}; "
            "correspondence analysis needs non-negative values"
        )
    return t


def _drop_empty(t: pd.DataFrame, what: str) -> tuple[pd.DataFrame, list, list]:
    """Drop all-missing/all-zero rows and columns (flagged); refuse partial missing cells."""
    vals = t.to_numpy()
    empty_rows = [t.index[i] for i in range(t.shape[0])
                  if np.all(np.isnan(vals[i]) | (vals[i] == 0))]
    t2 = t.drop(index=empty_rows)
    vals = t2.to_numpy()
    empty_cols = [t2.columns[j] for j in range(t2.shape[1])
                  if np.all(np.isnan(vals[:, j]) | (vals[:, j] == 0))]
    t2 = t2.drop(columns=empty_cols)
    for r in empty_rows:
        warn(f"{what}: row '{r}' is empty (no values or all zero); left out of the analysis")
    for c in empty_cols:
        warn(f"{what}: column '{c}' is empty (no values or all zero); left out of the analysis")
    miss = t2.isna().to_numpy()
    if miss.any():
        i, j = np.argwhere(miss)[0]
        raise DataError(
            f"{what}: cell ({t2.index[i]!r}, {t2.columns[j]!r}) is missing; correspondence "
            "analysis needs a complete table (fill it, or drop that row or column)"
        )
    if t2.shape[0] < 2 or t2.shape[1] < 2:
        raise AnalysisError(
            f"{what}: fewer than 2 non-empty rows and columns remain "
            f"({t2.shape[0]} × {t2.shape[1]})"
        )
    return t2, empty_rows, empty_cols


def _fit(t: pd.DataFrame):
    n = t.to_numpy().sum()
    p = t.to_numpy() / n
    r = p.sum(axis=1)
    c = p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sig, vt = np.linalg.svd(s, full_matrices=False)
    k = int(np.sum(sig > _TOL * max(1.0, sig[0] if sig.size else 1.0)))
    if k == 0:
        raise AnalysisError("correspondence analysis: the table has no inertia (every row has "
                            "the same profile)")
    u, sig, v = u[:, :k], sig[:k], vt[:k].T
    # a deterministic sign per axis: the first column whose coordinate is (within rounding)
    # the largest in magnitude is made positive
    av = np.abs(v)
    lead = np.argmax(av >= av.max(axis=0) * (1 - 1e-8), axis=0)
    flip = np.sign(v[lead, np.arange(k)])
    u, v = u * flip, v * flip
    f = u * sig / np.sqrt(r)[:, None]
    g = v * sig / np.sqrt(c)[:, None]
    return r, c, sig, f, g


def ca_eigenvalues(table: pd.DataFrame) -> pd.DataFrame:
    """Principal inertias of a correspondence analysis with their share of the total.

    Parameters
    ----------
    table : DataFrame
        A non-negative table (rows × columns, labelled by index and columns).  Empty rows and
        columns are dropped with a warning.

    Returns
    -------
    DataFrame
        One row per axis: ``dim`` (1, 2, …), ``eigenvalue``, ``singular_value``, ``percent``,
        ``cumulative_percent``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [10, 2, 3], "b": [2, 9, 4], "c": [1, 3, 8]}, index=list("xyz"))
    >>> ca_eigenvalues(t)["percent"].round(1).tolist()
    [71.9, 28.1]
    """
    t, _, _ = _drop_empty(_as_table(table, "table"), "table")
    _, _, sig, _, _ = _fit(t)
    ev = sig**2
    pct = 100 * ev / ev.sum()
    return pd.DataFrame({"dim": np.arange(1, ev.size + 1), "eigenvalue": ev,
                         "singular_value": sig, "percent": pct,
                         "cumulative_percent": np.cumsum(pct)})


def correspondence_analysis(
    table: pd.DataFrame,
    *,
    n_dims: int | None = None,
    supplementary_rows: pd.DataFrame | None = None,
    supplementary_columns: pd.DataFrame | None = None,
    row_kind: str = "row",
    column_kind: str = "column",
    supplementary_row_kind: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Correspondence analysis of a non-negative table: one row per point.

    Parameters
    ----------
    table : DataFrame
        Active table: rows (e.g. brands) × columns (e.g. attributes), non-negative, labelled by
        its index and columns.  A row or column that is empty (all missing or zero) is left out
        with a warning and reported with NaN coordinates; any other missing cell is an error.
    n_dims : int, optional
        Number of axes kept in the output (default, or when the table has fewer: all axes with
        inertia).
    supplementary_rows : DataFrame, optional
        Extra rows over the same columns (e.g. segment ideal points) projected onto the map.
    supplementary_columns : DataFrame, optional
        Extra columns over the same rows, projected likewise.
    row_kind, column_kind : str
        Names written in the ``kind`` column for active rows and columns (e.g. "brand",
        "attribute"); supplementary points get ``"supplementary " + kind``.
    supplementary_row_kind : str, optional
        Name of the supplementary rows' kind (default ``"supplementary " + row_kind``), e.g.
        ``"ideal point"``.
    labels : mapping, optional
        Display labels for points (default: the point names).

    Returns
    -------
    DataFrame
        One row per point: ``point``, ``label``, ``kind``, ``active``, ``mass``, ``inertia``,
        ``dim1`` … (principal coordinates), ``ctr1`` … (contribution to the axis, per cent),
        ``cos2_1`` … (quality of representation), ``note``.  Eigenvalues are given by
        :func:`ca_eigenvalues`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [10, 2, 3], "b": [2, 9, 4], "c": [1, 3, 8]}, index=list("xyz"))
    >>> pts = correspondence_analysis(t, row_kind="brand", column_kind="attribute")
    >>> pts[["point", "kind"]].values.tolist()[:2]
    [['x', 'brand'], ['y', 'brand']]
    """
    t0 = _as_table(table, "table")
    t, empty_rows, empty_cols = _drop_empty(t0, "table")
    r, c, sig, f, g = _fit(t)
    if n_dims is not None and int(n_dims) < 1:
        raise AnalysisError(f"n_dims: expected at least 1 axis, got {n_dims!r}")
    k = sig.size if n_dims is None else min(int(n_dims), sig.size)
    ev = sig**2
    n_total = t.to_numpy().sum()
    labels = dict(labels or {})
    blocks = []

    def block(names, mass, coords, kind, active, note=""):
        d2 = (np.sum(coords**2, axis=1) if coords.size else np.zeros(len(names)))
        d = {"point": [str(x) for x in names], "label": [labels.get(str(x), str(x)) for x in names],
             "kind": kind, "active": active, "mass": mass,
             "inertia": mass * d2 if active else np.nan}
        for j in range(k):
            d[f"dim{j + 1}"] = coords[:, j]
        for j in range(k):
            d[f"ctr{j + 1}"] = 100 * mass * coords[:, j] ** 2 / ev[j] if active else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            for j in range(k):
                d[f"cos2_{j + 1}"] = np.where(d2 > 0, coords[:, j] ** 2 / d2, np.nan)
        d["note"] = note
        blocks.append(pd.DataFrame(d))

    block(t.index, r, f, row_kind, True)
    block(t.columns, c, g, column_kind, True)
    if supplementary_rows is not None:
        sup = _as_table(supplementary_rows, "supplementary_rows", active=False)
        missing = [col for col in t.columns if col not in sup.columns]
        if missing:
            raise DataError(f"supplementary_rows: columns {missing} of the table are missing")
        sup = sup[list(t.columns)]
        if sup.isna().any().any():
            i, j = np.argwhere(sup.isna().to_numpy())[0]
            raise DataError(f"supplementary_rows: cell ({sup.index[i]!r}, {sup.columns[j]!r}) "
                            "is missing")
        tot = sup.sum(axis=1).to_numpy()
        if np.any(tot <= 0):
            bad = sup.index[np.flatnonzero(tot <= 0)[0]]
            raise AnalysisError(f"supplementary_rows: row '{bad}' is empty")
        prof = sup.to_numpy() / tot[:, None]
        coords = prof @ (g / sig)
        # FactoMineR includes the supplementary row's squared distance over all axes in cos²
        d2 = np.sum((prof - c) ** 2 / c, axis=1)
        block(sup.index, tot / n_total, coords,
              supplementary_row_kind or "supplementary " + row_kind, False)
        blocks[-1][[f"cos2_{j + 1}" for j in range(k)]] = coords[:, :k] ** 2 / d2[:, None]
    if supplementary_columns is not None:
        sup = _as_table(supplementary_columns, "supplementary_columns", active=False)
        missing = [row for row in t.index if row not in sup.index]
        if missing:
            raise DataError(f"supplementary_columns: rows {missing} of the table are missing")
        sup = sup.loc[list(t.index)]
        if sup.isna().any().any():
            raise DataError("supplementary_columns: the table has missing cells")
        tot = sup.sum(axis=0).to_numpy()
        if np.any(tot <= 0):
            bad = sup.columns[np.flatnonzero(tot <= 0)[0]]
            raise AnalysisError(f"supplementary_columns: column '{bad}' is empty")
        prof = (sup.to_numpy() / tot).T
        coords = prof @ (f / sig)
        d2 = np.sum((prof - r) ** 2 / r, axis=1)
        block(sup.columns, tot / n_total, coords, "supplementary " + column_kind, False)
        blocks[-1][[f"cos2_{j + 1}" for j in range(k)]] = coords[:, :k] ** 2 / d2[:, None]
    if empty_rows:
        block(empty_rows, np.zeros(len(empty_rows)), np.full((len(empty_rows), k), np.nan),
              row_kind, False, "empty row: left out of the analysis")
    if empty_cols:
        block(empty_cols, np.zeros(len(empty_cols)),
              np.full((len(empty_cols), k), np.nan), column_kind, False,
              "empty column: left out of the analysis")
    out = pd.concat(blocks, ignore_index=True)
    # coordinates beyond n_dims were only used for distances
    keep = (["point", "label", "kind", "active", "mass", "inertia"]
            + [f"dim{j + 1}" for j in range(k)] + [f"ctr{j + 1}" for j in range(k)]
            + [f"cos2_{j + 1}" for j in range(k)] + ["note"])
    return out[keep]


def brand_attribute_table(
    data: pd.DataFrame,
    study: Study,
    *,
    statistic: str = "mean",
    threshold: float | None = None,
    weights: WeightsLike = None,
) -> pd.DataFrame:
    """The brand × attribute table a perceptual map is drawn from.

    Parameters
    ----------
    data : DataFrame
    study : Study
    statistic : {"mean", "top_box"}
        ``"mean"``: the brand's mean rating on the attribute; ``"top_box"``: the (weighted)
        share of its raters giving at least ``threshold``.
    threshold : float, optional
        Top-box cut (default: the top 20 % of the scale, e.g. 9 on a 1–10 scale).
    weights : str or array-like, optional

    Returns
    -------
    DataFrame
        Brands as index (named ``brand``), attribute ids as columns.  A brand × attribute
        without ratings is NaN (a brand without any is an all-NaN row, which
        :func:`correspondence_analysis` leaves out with a warning).

    Examples
    --------
    >>> tab = brand_attribute_table(data, study, weights="weight")  # doctest: +SKIP
    """
    if statistic not in ("mean", "top_box"):
        raise AnalysisError(f"statistic: expected 'mean' or 'top_box', got {statistic!r}")
    w = resolve_weights(data, weights)
    if statistic == "mean":
        perf = brand_performance(data, study, weights=w)
        tab = perf.pivot(index="brand", columns="attribute", values="mean")
    else:
        rows = {}
        for b in study.brands:
            row = {}
            for a in study.attributes:
                sc = study.scales[a.scale]
                cut = threshold if threshold is not None else sc.max - 0.2 * (sc.max - sc.min)
                col = a.performance_column(b)
                if col not in data.columns:
                    row[a.id] = np.nan
                    continue
                x = numeric_column(data, col, f"attributes.{a.id}.performance")
                top = np.where(np.isfinite(x), (x >= cut).astype(float), np.nan)
                row[a.id] = weighted_mean_se(top, w)[0]
            rows[b.name] = row
        tab = pd.DataFrame.from_dict(rows, orient="index")
    tab = tab.reindex(index=[b.name for b in study.brands], columns=study.attribute_ids)
    tab.index.name = "brand"
    tab.columns.name = None
    return tab


def segment_ideal_profiles(
    data: pd.DataFrame,
    study: Study,
    *,
    by: str,
    weights: WeightsLike = None,
) -> pd.DataFrame:
    """Each segment's stated-importance profile over the attributes (its *ideal point*).

    Returns
    -------
    DataFrame
        Segment levels as index (named after ``by``), attribute ids as columns, the weighted
        mean stated importance as values; attributes without a stated-importance question are
        NaN.

    Examples
    --------
    >>> ideal = segment_ideal_profiles(data, study, by="segment")  # doctest: +SKIP
    """
    w = resolve_weights(data, weights)
    rows = {}
    for seg, mask in segment_groups(data, by):
        row = {}
        for a in study.attributes:
            if not a.importance or a.importance not in data.columns:
                row[a.id] = np.nan
                continue
            x = numeric_column(data, a.importance, f"attributes.{a.id}.importance")
            row[a.id] = weighted_mean_se(x[mask], w[mask])[0]
        rows[seg] = row
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=study.attribute_ids)
    out.index.name = by
    return out


def perceptual_map(
    data: pd.DataFrame,
    study: Study,
    *,
    by: str | None = None,
    statistic: str = "mean",
    n_dims: int = 2,
    weights: WeightsLike = None,
) -> pd.DataFrame:
    """Perceptual map of the brands: CA of the brand × attribute table, segment ideal points.

    Parameters
    ----------
    data : DataFrame
    study : Study
    by : str, optional
        Segment column whose segments' importance profiles are projected as supplementary
        points (ideal points).  Attributes lacking stated importance are left out of the map;
        when fewer than two attributes have it, the ideal points are left out instead (warned).
    statistic : {"mean", "top_box"}
        See :func:`brand_attribute_table`.
    n_dims : int
        Axes kept.
    weights : str or array-like, optional

    Returns
    -------
    DataFrame
        :func:`correspondence_analysis` points with kinds ``brand``, ``attribute`` and
        ``ideal point`` (a segment, supplementary), attribute labels in ``label``.

    Examples
    --------
    >>> pts = perceptual_map(data, study, by="segment", weights="weight")  # doctest: +SKIP
    """
    tab = brand_attribute_table(data, study, statistic=statistic, weights=weights)
    sup = None
    if by is not None:
        sup = segment_ideal_profiles(data, study, by=by, weights=weights)
        lacking = [c for c in sup.columns if sup[c].isna().any()]
        if len(tab.columns) - len(lacking) < 2:
            # too little stated importance to place ideal points: keep the brands' map whole
            warn(f"perceptual map: too few attributes have stated importance in every segment "
                 f"of '{by}' to place ideal points; the map shows brands and attributes only")
            sup, lacking = None, []
        if lacking:
            warn(f"perceptual map: attributes {lacking} lack stated importance in some segment; "
                 "left out of the map so the ideal points can be placed")
            tab = tab.drop(columns=lacking)
            sup = sup.drop(columns=lacking)
    # an attribute unrated for a brand that has other ratings cannot enter a CA: drop it
    rated = tab.dropna(how="all")
    partial = [c for c in rated.columns if rated[c].isna().any()]
    if partial:
        warn(f"perceptual map: attributes {partial} are unrated for some brand; left out")
        tab = tab.drop(columns=partial)
        if sup is not None:
            sup = sup.drop(columns=partial)
    labels = {a.id: a.label for a in study.attributes}
    return correspondence_analysis(tab, n_dims=n_dims, supplementary_rows=sup,
                                   row_kind="brand", column_kind="attribute",
                                   supplementary_row_kind="ideal point", labels=labels)
