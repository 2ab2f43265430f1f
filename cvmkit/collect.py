"""Data collection: from a survey export to the clean, weighted, PII-free data every analysis uses.

The steps of notebook ``01_data_collection``, as functions, so that the notebook can show each
one and a later notebook opened on its own can run them all with :func:`collect`:

1. read the export and check it against the study (:func:`cvmkit.io.load_responses`);
2. flag quality problems (:func:`cvmkit.quality.flag_quality`) and drop the flagged checks;
3. blank codes outside their scale;
4. weight (a weight column from the study, or raking to its target margins);
5. mask personal data in open-ended answers and drop the declared PII columns.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CvmkitWarning, DataError
from .privacy import mask_pii
from .quality import DEFAULT_EXCLUDE
from .study import Study

__all__ = ["DEFAULT_EXCLUDE", "THIN_SEGMENT", "Collection", "check_kept", "collect", "finalize",
           "sample_profile", "weight_respondents"]



@dataclass
class Collection:
    """Everything the data-collection step produced."""

    study: Study
    data: pd.DataFrame
    flags: pd.DataFrame
    summary: pd.DataFrame
    dropped: pd.DataFrame
    clean: pd.DataFrame
    weighting: object | None
    source: str


def weight_respondents(data: pd.DataFrame, study: Study):
    """Respondent weights as the study asks, with the raking report when it rakes.

    The weights come from :func:`cvmkit.weights.study_weights` (a weight column, raking targets,
    or all ones); this adds the :class:`~cvmkit.weights.RakeResult` the notebook shows.

    Returns
    -------
    weights : Series
        Aligned to ``data``, mean 1.
    result : RakeResult or None
        The raking report when the study has targets.
    """
    from .weights import rake, study_weights

    spec = study.weights or {}
    if spec.get("targets"):
        trim = tuple(spec["trim"]) if spec.get("trim") else None
        result = rake(data, spec["targets"], trim=trim)
        return result.weights, result
    return study_weights(data, study), None


def finalize(data: pd.DataFrame, study: Study, weights: pd.Series) -> pd.DataFrame:
    """The hand-over frame: the weights added (in ``study.weight_column`` of the study bound
    to the data), PII masked in text and dropped.  ``data`` is not modified."""
    out = data.copy(deep=False)  # columns are replaced or dropped below, never written into
    names: list[str] = []
    for col in study.pii:
        if col in out and (out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype)):
            names.extend(out[col].dropna().astype(str).tolist())
    for col in study.verbatims:
        if col in out:
            out[col] = mask_pii(out[col].astype("string").astype(object), names)
    out = out.drop(columns=[c for c in study.pii if c in out])
    wcol = study.bind(data.columns).weight_column
    out[wcol] = np.asarray(weights, dtype=float)
    return out.reset_index(drop=True)


def collect(study: Study, data_path: str | Path | None = None, *,
            exclude: tuple[str, ...] | None = None, seed: int = 2026,
            raw: pd.DataFrame | None = None) -> Collection:
    """Run every data-collection step with its defaults.

    Parameters
    ----------
    study : Study
    data_path : str or Path, optional
        The survey export (``None``: the file the study names).
    exclude : tuple of str, optional
        Quality checks whose flagged respondents are dropped (default: the study's
        ``quality.exclude``, else duplicates only).
    seed : int
        Unused by the deterministic steps; accepted so every step of a run takes the same seed.
    raw : DataFrame, optional
        The export as :func:`cvmkit.io.read_responses` already read it (not read again).

    Returns
    -------
    Collection
    """
    from .io.readers import load_study_data
    from .quality import blank_out_of_range, exclusion_checks, flag_quality, quality_summary
    from .quality import exclude as drop_flagged

    path = Path(data_path) if data_path is not None else study.data_path
    if path is None:
        raise DataError("no data file: the study names none (key 'data') and none was given")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CvmkitWarning)
        data, study = load_study_data(study, path, raw=raw)
    if exclude is None:
        exclude = exclusion_checks(study)
    for w in caught:  # re-issue, so callers see them once
        warnings.warn(w.message, w.category, stacklevel=2)
    flags = flag_quality(data, study)
    summary = quality_summary(flags)
    kept, dropped = drop_flagged(data, flags, checks=exclude)
    check_kept(kept, study, exclude, path)
    kept = blank_out_of_range(kept, study)
    weights, result = weight_respondents(kept, study)
    clean = finalize(kept, study, weights)
    return Collection(study, data, flags, summary, dropped, clean, result, str(path))


def sample_profile(data: pd.DataFrame, study: Study, by: str | None = None) -> pd.DataFrame:
    """Counts and (weighted) shares of respondents by each segment column and wave.

    Returns one row per variable × level (× wave when the study has waves): ``variable``,
    ``level``, ``n``, ``share`` (unweighted) and ``weighted_share``.
    """
    wcol = study.weight_column
    variables = [*study.segments]
    if study.wave and study.wave not in variables:
        variables.append(study.wave)
    # Only the grouping columns and the weights: a copy of every column would cost as much
    # memory as the data again.
    narrow = data[list(dict.fromkeys([*variables, *([by] if by is not None else [])]))].copy()
    narrow["__weight"] = data[wcol].to_numpy(dtype=float) if wcol in data else 1.0
    groups = [(None, narrow)] if by is None else list(narrow.groupby(by))
    rows = []
    for g, sub in groups:
        n_all, w_all = len(sub), sub["__weight"].sum()
        for var in variables:
            counts = sub.groupby(var, observed=True, dropna=False)["__weight"].agg(["size", "sum"])
            for level, n, w_level in zip(counts.index, counts["size"], counts["sum"]):
                row = {"variable": var, "level": level, "n": int(n), "share": n / n_all,
                       "weighted_share": w_level / w_all}
                if by is not None:
                    row = {by: g, **row}
                rows.append(row)
    columns = ([by] if by is not None else []) + ["variable", "level", "n", "share",
                                                  "weighted_share"]
    return pd.DataFrame(rows, columns=columns)


#: Fewest respondents of a segment level before a note says its comparisons are shaky.
THIN_SEGMENT = 10


def check_kept(kept: pd.DataFrame, study: Study, checks: tuple[str, ...] | list[str],
               source: str | Path | None = None) -> None:
    """Stop when the respondents kept after the exclusions cannot be analysed; note thin
    segments.

    Raises
    ------
    DataError
        Every respondent excluded (naming the checks), or fewer respondents than the
        attributes plus two (a driver regression needs one more respondent than coefficients).

    Warns
    -----
    CvmkitWarning
        A segment level with fewer than :data:`THIN_SEGMENT` respondents.

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.study import Study
    >>> study = Study.from_dict({"title": "T", "brand": "B", "scales": {"r": {"min": 1, "max": 5}},
    ...     "attributes": [{"id": "a", "performance": "q", "scale": "r"}],
    ...     "outcomes": {"value": {"column": "v", "scale": "r"}}})
    >>> check_kept(pd.DataFrame({"q": [1, 2, 3], "v": [2, 3, 4]}), study, ["duplicate"])
    """
    where = f"{source}: " if source is not None else ""
    if kept.empty:
        raise DataError(f"{where}every respondent was excluded by the quality checks "
                        f"({', '.join(checks)})")
    need = len(study.attributes) + 2
    if len(kept) < need:
        raise DataError(f"{where}{len(kept)} respondent(s) kept after the quality checks, "
                        f"fewer than the {need} an analysis of {len(study.attributes)} "
                        "attributes needs (one more than the attributes, plus one)")
    for i, col in enumerate(study.segments):
        if col not in kept.columns:
            continue
        counts = kept[col].value_counts()
        thin = counts[counts < THIN_SEGMENT]
        if len(thin) and len(counts) > 1:
            listed = ", ".join(f"{str(k)[:40]!r} ({n} respondent{'s' if n > 1 else ''})"
                               for k, n in thin.head(5).items())
            warnings.warn(f"segments[{i}]: column '{col}' has level(s) with fewer than "
                          f"{THIN_SEGMENT} respondents: {listed}; comparisons of such a segment "
                          "are left out or very uncertain", CvmkitWarning, stacklevel=3)

