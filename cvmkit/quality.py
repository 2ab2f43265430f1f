"""Data-quality checks on survey responses: flags, never silent drops.

:func:`flag_quality` returns one row per respondent with a boolean column per check and the
counts behind it; :func:`quality_summary` counts each check; :func:`exclude` drops the respondents
flagged by the checks the analyst chooses and says who was dropped and why;
:func:`blank_out_of_range` is the gentler remedy for impossible codes (the answer goes, the
respondent stays).

The checks
----------
``duplicate``
    The respondent id was already seen on an earlier row (the first copy is not flagged, so
    excluding the flag keeps exactly one copy of each id); in a study without respondent ids,
    the row repeats an earlier row in every column, open-ended answer or interview duration
    included (identical ratings alone are not evidence of a second submission).
``out_of_range``
    At least one answer outside its scale (or a Kano answer that is not a Kano code).
``straightliner``
    Identical answers across a whole rating grid (``study.rating_grids()``: one grid per
    brand's performance ratings): every answered item of the grid has the same value and at
    least ``straightline_min_items`` items were answered.
``speeder``
    Interview duration (the ``quality.duration`` column of the study) below
    ``speeder_fraction`` times the median duration.
``high_missing``
    The share of the study's rated columns left unanswered exceeds ``max_missing``.

Defaults come from the study's ``quality`` section (``speeder_fraction``,
``straightline_min_items``, ``max_missing``), else 1/3, 5 and 0.5.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .errors import CvmkitWarning, DataError
from .io.readers import out_of_range
from .study import QUALITY_CHECKS, Study

__all__ = ["CHECKS", "DEFAULT_EXCLUDE", "blank_out_of_range", "exclude", "exclusion_checks",
           "flag_quality", "quality_summary"]

#: The checks of :func:`flag_quality`, in report order (the names a study file's
#: ``quality.exclude`` may list).
CHECKS = QUALITY_CHECKS

_DEFAULTS = {"speeder_fraction": 1 / 3, "straightline_min_items": 5, "max_missing": 0.5}

#: The checks whose flagged respondents are excluded unless the study's ``quality.exclude``
#: says otherwise: only duplicate submissions.  Every other check flags and reports.
DEFAULT_EXCLUDE = ("duplicate",)

_DESCRIPTIONS = {
    "duplicate": "duplicate submission (a respondent id, or without ids every answer, "
                 "repeating an earlier row)",
    "out_of_range": "at least one answer outside its scale",
    "straightliner": "identical answers across a whole rating grid "
                     "(at least {straightline_min_items} items answered)",
    "speeder": "interview shorter than {speeder_fraction:.2g} of the median duration",
    "high_missing": "more than {max_missing:.0%} of rated items unanswered",
    "any_flag": "flagged by at least one check",
}


def exclusion_checks(study: Study) -> tuple[str, ...]:
    """The quality checks whose flagged respondents the study excludes.

    ``quality.exclude`` of the study file, else :data:`DEFAULT_EXCLUDE` (duplicates only).

    Examples
    --------
    >>> from cvmkit.study import Study
    >>> exclusion_checks(Study.from_dict({"title": "T", "brand": "B", "attributes": [
    ...     {"id": "a", "performance": "a"}], "scales": {"performance": {"min": 1, "max": 5}}}))
    ('duplicate',)
    """
    return tuple(study.quality.get("exclude", DEFAULT_EXCLUDE))


def _param(name: str, given: Any, study: Study) -> Any:
    if given is not None:
        return given
    return study.quality.get(name, _DEFAULTS[name])


def flag_quality(
    data: pd.DataFrame,
    study: Study,
    *,
    speeder_fraction: float | None = None,
    straightline_min_items: int | None = None,
    max_missing: float | None = None,
) -> pd.DataFrame:
    """Flag duplicates, out-of-range answers, straight-liners, speeders and high missingness.

    Parameters
    ----------
    data : DataFrame
        Prepared responses (:func:`cvmkit.io.prepare_responses`: missing codes already NaN).
    study : Study
    speeder_fraction : float, optional
        A respondent faster than this fraction of the median duration is a speeder
        (default: ``study.quality["speeder_fraction"]``, else 1/3).
    straightline_min_items : int, optional
        Fewest answered items of a grid for identical answers to count as straight-lining
        (default: ``study.quality["straightline_min_items"]``, else 5).
    max_missing : float, optional
        Largest acceptable share of unanswered rated items
        (default: ``study.quality["max_missing"]``, else 0.5).

    Returns
    -------
    DataFrame
        One row per row of ``data``, in the same order: the respondent id; the boolean flags
        ``duplicate``, ``out_of_range``, ``straightliner``, ``speeder``, ``high_missing``; the
        detail columns ``n_out_of_range`` (answers outside their scale), ``out_of_range_columns``
        (their columns, ``;``-separated), ``n_straightlined_grids``, ``straightlined_grids``,
        ``duration``, ``duration_ratio`` (duration / median duration), ``n_missing``,
        ``missing_share``; and ``any_flag``.  The parameters used are in ``attrs["params"]``.

    Notes
    -----
    Without a duration column (``quality.duration`` not declared) no respondent is a speeder
    and ``duration`` is NaN.  Respondents without a recorded duration are never speeders.

    Examples
    --------
    >>> from cvmkit.quality import flag_quality, quality_summary
    >>> flags = flag_quality(data, study)  # doctest: +SKIP
    >>> quality_summary(flags)  # doctest: +SKIP
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a DataFrame of responses, got {type(data).__name__}")
    study = study.bind(data.columns)
    rid = study.respondent_id
    if rid not in data.columns:
        raise DataError(f"respondent id column '{rid}' (respondent_id) not in the data")
    fraction = float(_param("speeder_fraction", speeder_fraction, study))
    min_items = int(_param("straightline_min_items", straightline_min_items, study))
    max_miss = float(_param("max_missing", max_missing, study))
    if not 0 < fraction < 1:
        raise DataError(f"speeder_fraction must be between 0 and 1, got {fraction}")
    if min_items < 2:
        raise DataError(f"straightline_min_items must be at least 2, got {min_items}")
    if not 0 <= max_miss <= 1:
        raise DataError(f"max_missing must be between 0 and 1, got {max_miss}")

    n = len(data)
    frame = data.reset_index(drop=True)
    out = pd.DataFrame({rid: frame[rid].to_numpy()})
    ids = frame[rid]
    if study.numbered_rows:
        out["duplicate"] = _repeated_rows(frame.drop(columns=[rid]), study)
    else:
        out["duplicate"] = (ids.duplicated(keep="first") & ids.notna()).to_numpy()

    # out of range
    ranges = out_of_range(frame, study)
    if ranges:
        bad = pd.DataFrame(ranges)
        out["n_out_of_range"] = bad.sum(axis=1).astype(int).to_numpy()
        cols = np.array(list(ranges))
        out["out_of_range_columns"] = [";".join(cols[row]) for row in bad.to_numpy()]
    else:
        out["n_out_of_range"] = 0
        out["out_of_range_columns"] = ""
    out["out_of_range"] = out["n_out_of_range"] > 0

    # straight-lining
    grids_hit = np.zeros(n, dtype=int)
    grid_names: list[list[str]] = [[] for _ in range(n)]
    for name, cols in study.rating_grids().items():
        present = [c for c in cols if c in frame.columns]
        if len(present) < min_items:
            continue
        g = frame[present].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        answered = np.sum(~np.isnan(g), axis=1)
        lo = np.where(np.isnan(g), np.inf, g).min(axis=1)
        hi = np.where(np.isnan(g), -np.inf, g).max(axis=1)
        flat = (answered >= min_items) & (lo == hi)
        grids_hit += flat
        for i in np.flatnonzero(flat):
            grid_names[i].append(name)
    out["n_straightlined_grids"] = grids_hit
    out["straightlined_grids"] = [";".join(g) for g in grid_names]
    out["straightliner"] = grids_hit > 0

    # speeders
    dur_col = study.quality.get("duration")
    med = np.nan
    if dur_col:
        if dur_col not in frame.columns:
            raise DataError(f"quality.duration: column '{dur_col}' not in the data")
        dur = pd.to_numeric(frame[dur_col], errors="coerce").astype(float)
        odd = dur.notna() & ~((dur > 0) & np.isfinite(dur))
        if odd.any():
            first = frame.index[np.flatnonzero(odd.to_numpy())[0]]
            ok = int(((dur > 0) & np.isfinite(dur)).sum())
            warnings.warn(
                f"quality.duration: column '{dur_col}' has {int(odd.sum())} duration(s) that "
                f"are zero, negative or infinite (first at row {first}: "
                f"{float(dur[first]):g}); they are never counted as speeders"
                + ("" if ok else ", and with no positive duration the speeder check finds "
                                 "nobody"),
                CvmkitWarning, stacklevel=2)
        dur = dur.where(np.isfinite(dur))
        med = float(dur[dur > 0].median()) if (dur > 0).any() else np.nan
        out["duration"] = dur.to_numpy()
        out["duration_ratio"] = (dur / med).to_numpy() if med > 0 else np.nan
        out["speeder"] = (out["duration_ratio"] < fraction).fillna(False).astype(bool)
    else:
        out["duration"] = np.nan
        out["duration_ratio"] = np.nan
        out["speeder"] = False

    # missingness over the study's rated columns
    rated = [c for c in study.column_scales() if c in frame.columns]
    if rated:
        miss = frame[rated].isna().to_numpy()
        out["n_missing"] = miss.sum(axis=1)
        out["missing_share"] = miss.mean(axis=1)
    else:
        out["n_missing"] = 0
        out["missing_share"] = 0.0
    out["high_missing"] = out["missing_share"] > max_miss

    out["any_flag"] = out[list(CHECKS)].any(axis=1)
    order = [rid, *CHECKS, "n_out_of_range", "out_of_range_columns", "n_straightlined_grids",
             "straightlined_grids", "duration", "duration_ratio", "n_missing", "missing_share",
             "any_flag"]
    out = out[order]
    out.attrs["params"] = {"speeder_fraction": fraction, "straightline_min_items": min_items,
                           "max_missing": max_miss, "duration": dur_col or None,
                           "median_duration": None if np.isnan(med) else med,
                           "respondent_id": rid}
    return out


def _repeated_rows(frame: pd.DataFrame, study: Study) -> np.ndarray:
    """Rows of an export without ids that repeat an earlier row in every column.

    Two customers may well give the same ratings, most of all on a short battery, so identical
    ratings alone are no evidence of a second submission.  A row counts as a repeat only when it
    also carries something two people hardly ever share: an open-ended answer or an interview
    duration, equal to the earlier row's.  A study with neither flags no duplicates.
    """
    telling = [c for c in (*study.verbatims, study.quality.get("duration")) if c and c in frame]
    if not telling:
        return np.zeros(len(frame), dtype=bool)
    informative = frame[telling].notna().any(axis=1).to_numpy()
    return frame.duplicated(keep="first").to_numpy() & informative


def quality_summary(flags: pd.DataFrame) -> pd.DataFrame:
    """Count each quality check.

    Parameters
    ----------
    flags : DataFrame
        From :func:`flag_quality`.

    Returns
    -------
    DataFrame
        One row per check (and ``any_flag``): ``check``, ``description``, ``n`` (respondents
        flagged), ``share`` (of all rows).

    Examples
    --------
    >>> quality_summary(flag_quality(data, study))  # doctest: +SKIP
    """
    missing = [c for c in (*CHECKS, "any_flag") if c not in flags.columns]
    if missing:
        raise DataError(f"not a flag table from flag_quality: no column(s) {', '.join(missing)}")
    params = {**_DEFAULTS, **(flags.attrs.get("params") or {})}
    total = len(flags)
    rows = []
    for check in (*CHECKS, "any_flag"):
        desc = _DESCRIPTIONS[check].format(**params)
        if check == "speeder" and not params.get("duration") and "params" in flags.attrs:
            desc += " (no duration column declared: not checked)"
        n_flag = int(flags[check].sum())
        rows.append({"check": check, "description": desc, "n": n_flag,
                     "share": n_flag / total if total else np.nan})
    return pd.DataFrame(rows)


def exclude(
    data: pd.DataFrame,
    flags: pd.DataFrame,
    checks: Iterable[str] = ("duplicate", "straightliner", "speeder", "high_missing"),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop the respondents flagged by ``checks``; say who was dropped and why.

    Out-of-range answers are not in the default ``checks``: one impossible code is usually
    better blanked (:func:`blank_out_of_range`) than a reason to lose the respondent.  Add
    ``"out_of_range"`` to drop them instead.

    Parameters
    ----------
    data : DataFrame
        The responses :func:`flag_quality` was run on (same rows, same order).
    flags : DataFrame
        From :func:`flag_quality`.
    checks : iterable of str
        Which flags lead to exclusion (any of :data:`CHECKS`).

    Returns
    -------
    kept : DataFrame
        The rows not flagged by any of ``checks``, with a fresh RangeIndex (a new frame).
    dropped : DataFrame
        One row per dropped respondent: the respondent id, ``row`` (its position in ``data``),
        ``reasons`` (the checks that flagged it, ``;``-separated) and one boolean column per
        check.

    Examples
    --------
    >>> kept, dropped = exclude(data, flag_quality(data, study))  # doctest: +SKIP
    >>> dropped["reasons"].value_counts()  # doctest: +SKIP
    """
    checks = [checks] if isinstance(checks, str) else list(checks)
    unknown = [c for c in checks if c not in CHECKS]
    if unknown:
        raise DataError(f"unknown quality check(s) {', '.join(map(repr, unknown))} "
                        f"(known: {', '.join(CHECKS)})")
    if len(flags) != len(data):
        raise DataError(f"the flag table has {len(flags)} rows but the data has {len(data)}: "
                        "run flag_quality on this data")
    rid = flags.columns[0]
    if rid in data.columns:
        same = pd.Series(data[rid].to_numpy()).equals(pd.Series(flags[rid].to_numpy()))
        if not same:
            raise DataError(f"the flag table's '{rid}' column does not match the data row by "
                            "row: run flag_quality on this data")
    hit = flags[checks].to_numpy(dtype=bool) if checks else np.zeros((len(flags), 0), bool)
    drop = hit.any(axis=1)
    kept = data.loc[~drop].reset_index(drop=True).copy()
    kept.attrs = dict(data.attrs)
    names = np.array(checks)
    dropped = pd.DataFrame({
        rid: flags[rid].to_numpy()[drop],
        "row": np.flatnonzero(drop),
        "reasons": [";".join(names[h]) for h in hit[drop]],
    })
    for j, c in enumerate(checks):
        dropped[c] = hit[drop, j]
    return kept, dropped


def blank_out_of_range(data: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Set every answer outside its scale (or not a Kano code) to NaN; return a new frame.

    Examples
    --------
    >>> clean = blank_out_of_range(data, study)  # doctest: +SKIP
    """
    out = data.copy(deep=False)  # the columns set below are replaced, never written into
    for col, bad in out_of_range(data, study).items():
        if bad.any():
            out[col] = out[col].astype(float).mask(bad)
    return out
