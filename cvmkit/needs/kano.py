"""Kano analysis: discrete classification, Better/Worse, Fong's test and continuous scores.

Each attribute is asked as a pair of questions — *functional* ("if the shop has …, how do you
feel?") and *dysfunctional* ("if it does not have …?") — each answered with one of five answers:
``like``, ``must_be``, ``neutral``, ``live_with``, ``dislike``.  The numeric code of each answer is
configurable (``study.kano_codes``).

* :func:`kano_classify` puts every respondent × attribute into a Kano category with the standard
  evaluation table (Kano et al. 1984; Berger et al. 1993, table in :data:`KANO_TABLE`).
* :func:`kano_table` summarises per attribute (and segment): weighted category shares, the dominant
  category and its strength (Lee & Newcomb 1997), Fong's (1996) test of whether the two most
  frequent categories differ, the M > O > A > I evaluation rule applied when they do not
  (Berger et al. 1993), total strength, and Berger's Better/Worse coefficients
  (Timko's customer-satisfaction coefficients, in Berger et al. 1993).
* :func:`kano_continuous` gives DuMouchel's functional and dysfunctional scores (Berger et al.
  1993, section IVb) with standard errors.

No maintained Python library implements these over tidy frames with weights and segments (the
reference implementation used for testing is the R package stp25kano), so they are written here.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import CvmkitWarning, DataError
from ..study import KANO_ANSWERS, KanoPair
from ._common import (
    check_columns,
    check_frame,
    effective_n,
    insert_segment,
    numeric,
    resolve_weights,
    segment_groups,
    weighted_mean_se,
)

__all__ = [
    "DUMOUCHEL_DYSFUNCTIONAL",
    "DUMOUCHEL_FUNCTIONAL",
    "KANO_CATEGORIES",
    "KANO_TABLE",
    "SHARE_COLUMNS",
    "fong_test",
    "kano_classify",
    "kano_continuous",
    "kano_table",
]

#: The six Kano categories, in the order of the M > O > A > I evaluation rule.
KANO_CATEGORIES = ("must-be", "one-dimensional", "attractive", "indifferent", "reverse",
                   "questionable")

#: Column names of the share of each category in :func:`kano_table`.
SHARE_COLUMNS = {c: c.replace("-", "_") for c in KANO_CATEGORIES}

_M, _O, _A, _I, _R, _Q = KANO_CATEGORIES
#: The Kano evaluation table: rows are the functional answer, columns the dysfunctional answer,
#: both in the order of :data:`cvmkit.study.KANO_ANSWERS` (like, must_be, neutral, live_with,
#: dislike).
KANO_TABLE: tuple[tuple[str, ...], ...] = (
    (_Q, _A, _A, _A, _O),
    (_R, _I, _I, _I, _M),
    (_R, _I, _I, _I, _M),
    (_R, _I, _I, _I, _M),
    (_R, _R, _R, _R, _Q),
)

#: DuMouchel's scores of the functional answers (like … dislike).
DUMOUCHEL_FUNCTIONAL = {"like": 4.0, "must_be": 2.0, "neutral": 0.0, "live_with": -1.0,
                        "dislike": -2.0}
#: DuMouchel's scores of the dysfunctional answers (like … dislike).
DUMOUCHEL_DYSFUNCTIONAL = {"like": -2.0, "must_be": -1.0, "neutral": 0.0, "live_with": 2.0,
                           "dislike": 4.0}

_DEFAULT_CODES = {"like": 1, "must_be": 2, "neutral": 3, "live_with": 4, "dislike": 5}
_ORDER = {c: i for i, c in enumerate(KANO_CATEGORIES)}
#: Fong's critical value: the one-sided 5 % normal quantile used in Fong (1996).
FONG_Z = 1.65

Pairs = Mapping[str, Any]


def _pairs(pairs: Pairs) -> dict[str, tuple[str, str]]:
    if not isinstance(pairs, Mapping) or not pairs:
        raise DataError("pairs: expected a mapping {attribute: (functional column, "
                        "dysfunctional column)} with at least one attribute")
    out = {}
    for attr, p in pairs.items():
        if isinstance(p, KanoPair):
            out[str(attr)] = (p.functional, p.dysfunctional)
        elif isinstance(p, Mapping) and "functional" in p and "dysfunctional" in p:
            out[str(attr)] = (str(p["functional"]), str(p["dysfunctional"]))
        elif isinstance(p, Sequence) and not isinstance(p, str) and len(p) == 2:
            out[str(attr)] = (str(p[0]), str(p[1]))
        else:
            raise DataError(f"pairs[{attr!r}]: expected (functional column, dysfunctional column), "
                            f"got {p!r}")
    return out


def _codes(codes: Mapping[str, Any] | None) -> dict[float, int]:
    """``{numeric code: answer index}`` from ``{answer: code}``."""
    codes = dict(_DEFAULT_CODES if codes is None else codes)
    if set(codes) != set(KANO_ANSWERS):
        raise DataError(f"codes: expected one code for each of {', '.join(KANO_ANSWERS)}; "
                        f"got {', '.join(map(str, codes)) or 'none'}")
    try:
        lookup = {float(codes[a]): i for i, a in enumerate(KANO_ANSWERS)}
    except (TypeError, ValueError):
        raise DataError(f"codes: every answer code must be a number, got {codes!r}") from None
    if len(lookup) != len(KANO_ANSWERS):
        raise DataError(f"codes: two answers share a code in {codes!r}")
    return lookup


def _answer_index(data: pd.DataFrame, column: str, lookup: dict[float, int], invalid: str,
                  attr: str) -> np.ndarray:
    """Answer index 0..4 per row (-1 for missing, -2 for an invalid code that is skipped)."""
    x = numeric(data, column, f"kano[{attr}]")
    idx = np.full(x.shape, -1, dtype=int)
    for code, i in lookup.items():
        idx[x == code] = i
    bad = np.isfinite(x) & (idx == -1)
    if bad.any():
        if invalid == "raise":
            j = int(np.flatnonzero(bad)[0])
            allowed = ", ".join(f"{KANO_ANSWERS[i]}={c:g}" for c, i in
                                sorted(lookup.items(), key=lambda kv: kv[1]))
            raise DataError(
                f"kano[{attr}]: column '{column}' holds {int(bad.sum())} answer code(s) outside "
                f"the configured set ({allowed}); first at row {data.index[j]!r}: {x[j]:g}"
            )
        idx[bad] = -2
    return idx


def _answers(data: pd.DataFrame, pairs: dict[str, tuple[str, str]],
             codes: Mapping[str, Any] | None, invalid: str
             ) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per attribute: functional and dysfunctional answer index, invalid and incomplete masks.

    A pair is *invalid* when either side holds a code outside the configured set (only with
    ``invalid="skip"``), *incomplete* when one side is answered and the other is missing.
    """
    if invalid not in ("raise", "skip"):
        raise DataError(f"invalid: expected 'raise' or 'skip', got {invalid!r}")
    lookup = _codes(codes)
    check_columns(data, [c for p in pairs.values() for c in p], "kano")
    out = {}
    for attr, (fcol, dcol) in pairs.items():
        f = _answer_index(data, fcol, lookup, invalid, attr)
        d = _answer_index(data, dcol, lookup, invalid, attr)
        bad = (f == -2) | (d == -2)
        incomplete = ((f >= 0) & (d == -1)) | ((f == -1) & (d >= 0))
        out[attr] = (f, d, bad, incomplete)
    return out


def _classify_indices(data: pd.DataFrame, pairs: dict[str, tuple[str, str]],
                      codes: Mapping[str, Any] | None, invalid: str
                      ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray],
                                 dict[str, np.ndarray]]:
    """Category index (0..5, -1 unclassified), invalid and incomplete masks per attribute."""
    table = np.array([[_ORDER[c] for c in row] for row in KANO_TABLE])
    cats, bads, incs = {}, {}, {}
    for attr, (f, d, bad, inc) in _answers(data, pairs, codes, invalid).items():
        ok = (f >= 0) & (d >= 0)
        cat = np.full(len(data), -1, dtype=int)
        cat[ok] = table[f[ok], d[ok]]
        cats[attr], bads[attr], incs[attr] = cat, bad, inc
    _warn_skips(bads, incs)
    return cats, bads, incs


def _warn_skips(bads: dict[str, np.ndarray], incs: dict[str, np.ndarray]) -> None:
    n_bad = {a: int(m.sum()) for a, m in bads.items() if m.any()}
    n_inc = {a: int(m.sum()) for a, m in incs.items() if m.any()}
    if n_bad:
        warnings.warn("kano: pairs with an answer code outside the configured set were skipped: "
                      + ", ".join(f"{a} ({k})" for a, k in n_bad.items()),
                      CvmkitWarning, stacklevel=4)
    if n_inc:
        warnings.warn("kano: question pairs with one side missing were skipped: "
                      + ", ".join(f"{a} ({k})" for a, k in n_inc.items()),
                      CvmkitWarning, stacklevel=4)


def kano_classify(data: pd.DataFrame, pairs: Pairs, codes: Mapping[str, Any] | None = None,
                  invalid: str = "raise") -> pd.DataFrame:
    """The Kano category of every respondent × attribute, from the evaluation table.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    pairs : mapping
        ``{attribute: (functional column, dysfunctional column)}`` (a :class:`KanoPair` or a
        ``{functional, dysfunctional}`` mapping also works, e.g. ``study.kano_pairs()``).
    codes : mapping, optional
        ``{answer: code}`` for the five answers (``study.kano_codes``); default like=1 …
        dislike=5.
    invalid : {"raise", "skip"}
        An answer code outside ``codes`` raises a :class:`DataError` naming the column and row;
        with ``"skip"`` that pair is left unclassified and counted in a warning.

    Returns
    -------
    DataFrame
        Same index as ``data``, one column per attribute holding the category
        (one of :data:`KANO_CATEGORIES`), NaN where the pair is incomplete or skipped.

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.needs import kano_classify
    >>> d = pd.DataFrame({"f": [1, 2, 1, 3], "d": [5, 5, 4, 3]})
    >>> kano_classify(d, {"wifi": ("f", "d")})["wifi"].tolist()
    ['one-dimensional', 'must-be', 'attractive', 'indifferent']
    """
    check_frame(data)
    pairs_ = _pairs(pairs)
    cats, _, _ = _classify_indices(data, pairs_, codes, invalid)
    names = np.array(KANO_CATEGORIES, dtype=object)
    out = {}
    for attr, c in cats.items():
        col = np.full(len(c), np.nan, dtype=object)
        col[c >= 0] = names[c[c >= 0]]
        out[attr] = col
    return pd.DataFrame(out, index=data.index)


def fong_test(a: float, b: float, n: float, z: float = FONG_Z) -> tuple[float, float, bool]:
    """Fong's (1996) test of two category frequencies ``a`` ≥ ``b`` out of ``n`` answers.

    The two most frequent categories differ when
    ``|a - b| >= z * sqrt((a + b) (2n - a - b) / (2n))``.

    Returns
    -------
    (difference, critical value, significant)

    Examples
    --------
    >>> from cvmkit.needs.kano import fong_test
    >>> d, crit, sig = fong_test(123, 95, 296)
    >>> round(crit, 1), sig
    (19.4, True)
    """
    if n <= 0:
        return np.nan, np.nan, False
    crit = z * np.sqrt((a + b) * (2 * n - a - b) / (2 * n))
    diff = abs(a - b)
    return float(diff), float(crit), bool(diff >= crit)


def _summarise(cat: np.ndarray, w: np.ndarray) -> dict[str, Any]:
    ok = cat >= 0
    n = int(ok.sum())
    row: dict[str, Any] = {"n": n}
    if n == 0:
        row["n_eff"] = 0.0
        for c in KANO_CATEGORIES:
            row[SHARE_COLUMNS[c]] = np.nan
        row.update(category=np.nan, second=np.nan, strength=np.nan, total_strength=np.nan,
                   fong_diff=np.nan, fong_critical=np.nan, fong_significant=False,
                   category_rule=np.nan, better=np.nan, worse=np.nan)
        return row
    wk = w[ok]
    ck = cat[ok]
    total = wk.sum()
    shares = np.array([wk[ck == k].sum() / total for k in range(len(KANO_CATEGORIES))])
    n_eff = effective_n(wk)
    row["n_eff"] = n_eff
    for k, c in enumerate(KANO_CATEGORIES):
        row[SHARE_COLUMNS[c]] = float(shares[k])
    # dominance among M, O, A, I, R (questionable answers are not a category of the attribute);
    # ties go to the earlier category in M > O > A > I > R
    cand = shares[:5]
    if cand.sum() <= 0:  # every answer questionable: no category to report
        row.update(category=np.nan, second=np.nan, strength=np.nan, total_strength=0.0,
                   fong_diff=np.nan, fong_critical=np.nan, fong_significant=False,
                   category_rule=np.nan, better=np.nan, worse=np.nan)
        return row
    order = sorted(range(5), key=lambda k: (-cand[k], k))
    first, second = order[0], order[1]
    diff, crit, sig = fong_test(cand[first] * n_eff, cand[second] * n_eff, n_eff)
    rule = first if sig else min(first, second)
    m, o, a, i = shares[:4]
    base = m + o + a + i
    row.update(
        category=KANO_CATEGORIES[first],
        second=KANO_CATEGORIES[second],
        strength=float(cand[first] - cand[second]),
        total_strength=float(m + o + a),
        fong_diff=diff, fong_critical=crit, fong_significant=sig,
        category_rule=KANO_CATEGORIES[rule],
        better=float((a + o) / base) if base > 0 else np.nan,
        worse=float(-(o + m) / base) if base > 0 else np.nan,
    )
    return row


def kano_table(
    data: pd.DataFrame,
    pairs: Pairs,
    codes: Mapping[str, Any] | None = None,
    weights: str | Sequence[float] | np.ndarray | None = None,
    by: str | None = None,
    invalid: str = "raise",
) -> pd.DataFrame:
    """Kano category shares, dominant category, Fong's test and Better/Worse per attribute.

    Every respondent × attribute is classified with the evaluation table (:func:`kano_classify`);
    then, per attribute (and segment):

    * ``must_be`` … ``questionable``: the (weighted) share of each category among the classified
      answers (they sum to 1);
    * ``category``: the most frequent of must-be, one-dimensional, attractive, indifferent and
      reverse (ties go to the earlier one), ``second`` the runner-up and ``strength`` the
      difference of their shares (category strength, Lee & Newcomb 1997); ``total_strength`` is
      the share of must-be + one-dimensional + attractive;
    * Fong's test: ``fong_diff`` = |a − b| and ``fong_critical`` =
      1.65 √((a + b)(2n − a − b) / 2n), with a, b the frequencies of the two most frequent
      categories and n all classified answers; ``fong_significant`` when the difference reaches
      the critical value. With weights, a, b and n are the weighted shares times Kish's effective
      n, which gives the plain counts when all weights are equal;
    * ``category_rule``: ``category`` when Fong's test separates the top two, otherwise the one of
      the two that comes first in the evaluation rule M > O > A > I (> R);
    * ``better`` = (A + O) / (A + O + M + I) and ``worse`` = −(O + M) / (A + O + M + I)
      (Berger et al. 1993; ``worse`` is negative, as there).

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    pairs : mapping
        ``{attribute: (functional column, dysfunctional column)}`` or ``study.kano_pairs()``.
    codes : mapping, optional
        ``{answer: code}`` (``study.kano_codes``).
    weights : str or array, optional
        Respondent weights.
    by : str, optional
        Segment column: one row per segment and attribute.
    invalid : {"raise", "skip"}
        What to do with an answer code outside ``codes`` (see :func:`kano_classify`).

    Returns
    -------
    DataFrame
        ``[by,] attribute, n, n_eff, n_incomplete, n_invalid``, the six shares, ``category,
        second, strength, total_strength, fong_diff, fong_critical, fong_significant,
        category_rule, better, worse, note``. A pair with one side missing, or a skipped invalid
        code, is counted in ``n_incomplete`` / ``n_invalid``; an attribute with no classified
        respondent in a segment is kept with NaN results and a note (and a
        :class:`CvmkitWarning`).

    Raises
    ------
    DataError
        A column is missing or not numeric, a code is outside ``codes`` (``invalid="raise"``),
        or the codes are malformed.

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.needs import kano_table
    >>> d = pd.DataFrame({"f": [2, 3, 2, 1, 3], "d": [5, 5, 5, 5, 3]})
    >>> t = kano_table(d, {"hygiene": ("f", "d")})
    >>> t[["category", "must_be", "better", "worse"]].round(2).values.tolist()
    [['must-be', 0.6, 0.2, -0.8]]
    """
    check_frame(data)
    pairs_ = _pairs(pairs)
    w = resolve_weights(data, weights)
    cats, bads, incs = _classify_indices(data, pairs_, codes, invalid)
    frames = []
    empty = []
    for level, mask in segment_groups(data, by):
        rows = []
        for attr, cat in cats.items():
            s = _summarise(cat[mask], w[mask])
            row: dict[str, Any] = {"attribute": attr, "n": s.pop("n"), "n_eff": s.pop("n_eff"),
                                   "n_incomplete": int(incs[attr][mask].sum()),
                                   "n_invalid": int(bads[attr][mask].sum())}
            row.update(s)
            row["note"] = ""
            if row["n"] == 0:
                where = f" in segment {level!r}" if level is not None else ""
                row["note"] = f"skipped: no respondent answered both questions{where}"
                empty.append(f"{attr}{where}")
            elif not isinstance(row["category"], str):
                row["note"] = "no category: every answer pair is questionable"
            rows.append(row)
        frames.append(insert_segment(pd.DataFrame(rows), by, level))
    if empty:
        warnings.warn(f"kano_table: {len(empty)} attribute(s) with no classified respondent: "
                      + ", ".join(empty), CvmkitWarning, stacklevel=2)
    return pd.concat(frames, ignore_index=True)


def kano_continuous(
    data: pd.DataFrame,
    pairs: Pairs,
    codes: Mapping[str, Any] | None = None,
    weights: str | Sequence[float] | np.ndarray | None = None,
    by: str | None = None,
    importance: Mapping[str, str] | None = None,
    split: float = 2.0,
    invalid: str = "raise",
    level: float = 0.95,
) -> pd.DataFrame:
    """DuMouchel's continuous Kano scores: functional and dysfunctional means with standard errors.

    Functional answers are scored like = 4, must_be = 2, neutral = 0, live_with = −1,
    dislike = −2; dysfunctional answers like = −2, must_be = −1, neutral = 0, live_with = 2,
    dislike = 4 (DuMouchel, in Berger et al. 1993). Each score is averaged (weighted) over the
    respondents who answered both questions of the pair. The quadrant of the (dysfunctional,
    functional) point, split at ``split`` on both axes, gives a continuous reading of the
    category: both high → one-dimensional, functional only → attractive, dysfunctional only →
    must-be, neither → indifferent.

    Parameters
    ----------
    data, pairs, codes, weights, by, invalid
        As in :func:`kano_table`.
    importance : mapping, optional
        ``{attribute: stated-importance column}``: its weighted mean is added as ``importance``
        (the marker size of the continuous Kano chart).
    split : float
        Where both axes are split into low and high (default 2, the middle of 0 … 4).
    level : float
        Confidence level of the normal-theory intervals ``*_lo`` … ``*_hi``.

    Returns
    -------
    DataFrame
        ``[by,] attribute, n, functional, functional_se, functional_lo, functional_hi,
        dysfunctional, dysfunctional_se, dysfunctional_lo, dysfunctional_hi, [importance,]
        split, quadrant, note``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.needs import kano_continuous
    >>> d = pd.DataFrame({"f": [1, 1, 2, 3], "d": [5, 4, 5, 3]})
    >>> t = kano_continuous(d, {"app": ("f", "d")})
    >>> t[["functional", "dysfunctional", "quadrant"]].values.tolist()
    [[2.5, 2.5, 'one-dimensional']]
    """
    check_frame(data)
    pairs_ = _pairs(pairs)
    w = resolve_weights(data, weights)
    answers = _answers(data, pairs_, codes, invalid)
    if importance is not None:
        unknown = [a for a in importance if a not in pairs_]
        if unknown:
            raise DataError(f"importance: attribute(s) {', '.join(unknown)} have no Kano pair")
        check_columns(data, importance.values(), "kano_continuous(importance=...)")
    if not 0 < level < 1:
        raise DataError(f"level: expected a number between 0 and 1, got {level!r}")
    zq = float(stats.norm.ppf(0.5 + level / 2))
    fscore = np.array([DUMOUCHEL_FUNCTIONAL[a] for a in KANO_ANSWERS])
    dscore = np.array([DUMOUCHEL_DYSFUNCTIONAL[a] for a in KANO_ANSWERS])
    scores = {}
    for attr, (f, d, _, _) in answers.items():
        ok = (f >= 0) & (d >= 0)
        fs = np.where(ok, fscore[np.clip(f, 0, 4)], np.nan)
        ds = np.where(ok, dscore[np.clip(d, 0, 4)], np.nan)
        scores[attr] = (fs, ds)
    _warn_skips({a: v[2] for a, v in answers.items()}, {a: v[3] for a, v in answers.items()})
    imp = ({a: numeric(data, c, "kano_continuous") for a, c in importance.items()}
           if importance else {})
    frames = []
    empty = []
    for seg, mask in segment_groups(data, by):
        rows = []
        for attr, (fs, ds) in scores.items():
            fm, fse, _ = weighted_mean_se(fs[mask], w[mask])
            dm, dse, _ = weighted_mean_se(ds[mask], w[mask])
            n = int((np.isfinite(fs[mask]) & (w[mask] > 0)).sum())
            row: dict[str, Any] = {
                "attribute": attr, "n": n,
                "functional": fm, "functional_se": fse,
                "functional_lo": fm - zq * fse, "functional_hi": fm + zq * fse,
                "dysfunctional": dm, "dysfunctional_se": dse,
                "dysfunctional_lo": dm - zq * dse, "dysfunctional_hi": dm + zq * dse,
            }
            if importance is not None:
                row["importance"] = (weighted_mean_se(imp[attr][mask], w[mask])[0]
                                     if attr in imp else np.nan)
            row["split"] = float(split)
            if n == 0:
                where = f" in segment {seg!r}" if seg is not None else ""
                row["quadrant"] = np.nan
                row["note"] = f"skipped: no respondent answered both questions{where}"
                empty.append(f"{attr}{where}")
            else:
                row["quadrant"] = _quadrant(fm, dm, split)
                row["note"] = ""
            rows.append(row)
        frames.append(insert_segment(pd.DataFrame(rows), by, seg))
    if empty:
        warnings.warn(f"kano_continuous: {len(empty)} attribute(s) with no classified respondent: "
                      + ", ".join(empty), CvmkitWarning, stacklevel=2)
    return pd.concat(frames, ignore_index=True)


def _quadrant(functional: float, dysfunctional: float, split: float) -> str:
    hi_f = functional >= split
    hi_d = dysfunctional >= split
    if hi_f and hi_d:
        return _O
    if hi_f:
        return _A
    if hi_d:
        return _M
    return _I
