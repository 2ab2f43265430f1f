"""Needs and wants: reconciling Kano, penalty–reward and stated-vs-derived into one view.

Each of the three analyses sorts attributes into the same four roles, under its own names:

=============  ====================  ==================  =====================
role           Kano category         penalty–reward      stated vs derived
=============  ====================  ==================  =====================
need           must-be               basic               stated only
performance    one-dimensional       performance         expected
want           attractive            excitement          hidden driver
indifferent    indifferent, reverse  low impact          low impact
=============  ====================  ==================  =====================

(The stated-vs-derived column follows Vavra's importance grid as tested by Matzler & Sauerwein
2002: named as important but not moving overall value marks a taken-for-granted basic; moving it
without being named marks an excitement factor.)

:func:`needs_summary` takes a majority vote of the views available for an attribute, ties going to
the view asked most directly — Kano, then penalty–reward, then stated vs derived — and places the
role on the customer value hierarchy (Levitt's total product; Woodruff 1997): needs make the
*expected* product, performance attributes the *augmented* product on which brands compete, and
wants the *potential* product that delights; indifferent attributes sit outside it
(``not valued``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CvmkitWarning, DataError
from ._common import check_columns

__all__ = [
    "HIERARCHY",
    "ROLES",
    "ROLE_FROM_KANO",
    "ROLE_FROM_PRCA",
    "ROLE_FROM_SVD",
    "needs_summary",
    "segment_contrasts",
]

#: The four roles, in the order a reader meets them.
ROLES = ("need", "performance", "want", "indifferent")
ROLE_FROM_KANO = {"must-be": "need", "one-dimensional": "performance", "attractive": "want",
                  "indifferent": "indifferent", "reverse": "indifferent"}
ROLE_FROM_PRCA = {"basic": "need", "performance": "performance", "excitement": "want",
                  "low impact": "indifferent"}
ROLE_FROM_SVD = {"stated only": "need", "expected": "performance", "hidden driver": "want",
                 "low impact": "indifferent"}
#: Level of the customer value hierarchy for each role.
HIERARCHY = {"need": "expected", "performance": "augmented", "want": "potential",
             "indifferent": "not valued"}

_VIEWS = (("kano", ROLE_FROM_KANO), ("prca", ROLE_FROM_PRCA), ("svd", ROLE_FROM_SVD))
#: Numbers carried from each view (NaN when that view is absent, so the columns never vary).
_CARRIED = {"kano": ["better", "worse"], "prca": ["penalty", "reward", "ia"], "svd": []}


def _view(frame: pd.DataFrame | None, name: str, column: str, keys: list[str],
          extra: list[str]) -> pd.DataFrame | None:
    if frame is None:
        return None
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"needs_summary: {name} must be a DataFrame, got {type(frame).__name__}")
    check_columns(frame, [*keys, column], f"needs_summary({name}=...)")
    dup = frame.duplicated(keys)
    if dup.any():
        row = frame.loc[dup, keys].iloc[0].tolist()
        raise DataError(f"needs_summary: {name} has more than one row for {row}")
    keep = [*keys, column, *[c for c in extra if c in frame.columns]]
    return frame[keep].rename(columns={column: name})


def needs_summary(
    kano: pd.DataFrame | None = None,
    prca: pd.DataFrame | None = None,
    svd: pd.DataFrame | None = None,
    by: str | None = None,
    kano_column: str = "category_rule",
    prca_column: str = "class",
    svd_column: str = "class",
    labels: dict[str, str] | None = None,
    attributes: list[str] | None = None,
) -> pd.DataFrame:
    """One row per attribute (and segment) reconciling the needs-and-wants views.

    Any view may be missing (``None``): a study without Kano pairs, without an overall rating or
    without stated importance reconciles the views it has.  A view may also cover only some
    attributes (Kano pairs asked for a few of them): the others get their role from the
    remaining views.

    Parameters
    ----------
    kano : DataFrame, optional
        :func:`kano_table` output (uses ``kano_column``, by default the category after the
        M > O > A > I rule; ``better`` and ``worse`` are carried along).
    prca : DataFrame, optional
        :func:`penalty_reward` output (``class``; ``penalty``, ``reward`` and ``ia`` carried).
    svd : DataFrame, optional
        :func:`stated_vs_derived` output (``class``).
    by : str, optional
        Segment column present in every given frame.
    labels : dict, optional
        ``{attribute: label}`` added as a ``label`` column.
    attributes : list, optional
        Every attribute of the study, in the order rows should follow.  Attributes no view
        covers are kept (role NaN, with a note); without it the rows follow the views' order.
        With ``by``, segment levels come in the order first met (Kano, penalty–reward, stated
        vs derived), each with every attribute.

    Returns
    -------
    DataFrame
        ``[by,] attribute, [label,] kano, prca, svd, kano_role, prca_role, svd_role, role,
        n_views, n_agree, agreement, hierarchy, better, worse, penalty, reward, ia, note``
        (the carried numbers are NaN where their view is absent). ``role`` is the majority of
        the available views' roles, ties broken in the order Kano, penalty–reward, stated vs
        derived; ``agreement`` is ``all agree``, ``majority``, ``split`` or ``one view``. An
        attribute with no usable view gets NaN and a note.

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.needs import needs_summary
    >>> k = pd.DataFrame({"attribute": ["hygiene", "app"],
    ...                   "category_rule": ["must-be", "attractive"]})
    >>> p = pd.DataFrame({"attribute": ["hygiene", "app"], "class": ["basic", "performance"]})
    >>> t = needs_summary(kano=k, prca=p)
    >>> t[["attribute", "role", "agreement", "hierarchy"]].values.tolist()
    [['hygiene', 'need', 'all agree', 'expected'], ['app', 'want', 'split', 'potential']]
    """
    keys = [by, "attribute"] if by else ["attribute"]
    views = [
        _view(kano, "kano", kano_column, keys, _CARRIED["kano"]),
        _view(prca, "prca", prca_column, keys, _CARRIED["prca"]),
        _view(svd, "svd", svd_column, keys, _CARRIED["svd"]),
    ]
    given = [v for v in views if v is not None]
    if not given:
        raise DataError("needs_summary: give at least one of kano, prca and svd")
    order = pd.concat([v[keys] for v in given]).drop_duplicates(ignore_index=True)
    if attributes is not None:
        attrs = list(dict.fromkeys([*attributes, *order["attribute"]]))
        if by:
            levels = list(dict.fromkeys(order[by]))
            order = pd.DataFrame([(lvl, a) for lvl in levels for a in attrs], columns=keys)
        else:
            order = pd.DataFrame({"attribute": attrs})
    out = order
    for v in given:
        out = out.merge(v, on=keys, how="left")
    for carried in _CARRIED.values():
        for c in carried:
            if c not in out.columns:
                out[c] = np.nan
    for name, mapping in _VIEWS:
        if name not in out.columns:
            out[name] = np.nan
        unknown = sorted({str(c) for c in out[name].dropna() if c not in mapping})
        if unknown:
            raise DataError(f"needs_summary: {name} holds unknown class(es) {unknown}; expected "
                            f"one of {sorted(mapping)}")
        out[f"{name}_role"] = out[name].map(mapping)
    roles, n_views, n_agree, agreement, notes = [], [], [], [], []
    role_cols = ["kano_role", "prca_role", "svd_role"]
    for vals in out[role_cols].itertuples(index=False):
        r, nv, na, ag, note = _vote(list(vals))
        roles.append(r)
        n_views.append(nv)
        n_agree.append(na)
        agreement.append(ag)
        notes.append(note)
    out["role"] = roles
    out["n_views"] = n_views
    out["n_agree"] = n_agree
    out["agreement"] = agreement
    out["hierarchy"] = out["role"].map(HIERARCHY)
    out["note"] = notes
    if labels is not None:
        out.insert(len(keys), "label", out["attribute"].map(labels))
    lead = [*keys] + (["label"] if labels is not None else [])
    first = [*lead, "kano", "prca", "svd", *role_cols, "role", "n_views", "n_agree",
             "agreement", "hierarchy"]
    rest = [c for c in out.columns if c not in first and c != "note"]
    out = out[[*first, *rest, "note"]]
    missing = out["role"].isna()
    if missing.any():
        warnings.warn("needs_summary: no usable view for "
                      + ", ".join(str(a) for a in out.loc[missing, "attribute"]),
                      CvmkitWarning, stacklevel=2)
    return out


def _vote(roles: list[Any]) -> tuple[Any, int, int, Any, str]:
    present = [r for r in roles if isinstance(r, str)]
    if not present:
        return np.nan, 0, 0, np.nan, "skipped: no view classified this attribute"
    counts = {r: present.count(r) for r in present}
    top = max(counts.values())
    winner = next(r for r in present if counts[r] == top)  # first view in priority order
    nv = len(present)
    if nv == 1:
        ag = "one view"
    elif top == nv:
        ag = "all agree"
    elif top > 1:
        ag = "majority"
    else:
        ag = "split"
    return winner, nv, top, ag, ""


def segment_contrasts(table: pd.DataFrame, by: str, column: str = "role",
                      attribute: str = "attribute") -> pd.DataFrame:
    """Where segments disagree: one row per attribute with its ``column`` value in each segment.

    Parameters
    ----------
    table : DataFrame
        A per-segment table (e.g. :func:`needs_summary` or :func:`kano_table` with ``by``).
    by : str
        The segment column.
    column : str
        The value compared across segments (``role``, ``category``, ``class`` …).

    Returns
    -------
    DataFrame
        ``attribute``, one column per segment level, ``n_values`` (distinct values over the
        segments that have one) and ``differs`` (True when segments disagree).

    Examples
    --------
    >>> import pandas as pd
    >>> from cvmkit.needs import segment_contrasts
    >>> t = pd.DataFrame({"segment": ["a", "a", "b", "b"], "attribute": ["x", "y", "x", "y"],
    ...                   "role": ["want", "need", "indifferent", "need"]})
    >>> segment_contrasts(t, "segment")[["attribute", "differs"]].values.tolist()
    [['x', True], ['y', False]]
    """
    check_columns(table, [by, attribute, column], "segment_contrasts")
    wide = table.pivot(index=attribute, columns=by, values=column)
    order = list(dict.fromkeys(table[attribute]))
    wide = wide.reindex(order)
    n_values = wide.nunique(axis=1, dropna=True)
    out = wide.reset_index()
    out.columns.name = None
    out["n_values"] = n_values.to_numpy()
    out["differs"] = out["n_values"] > 1
    return out
