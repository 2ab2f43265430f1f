"""Management's map against the customers': where the judgmental map and the data disagree.

A study may hold management's own view in a small CSV named by the study file's ``management:``
key (a path relative to the study file), one row per attribute::

    attribute,importance,performance
    speed,4,8
    quality,5,7

``importance`` is how important management believes the attribute is to customers, on the
study's stated-importance scale; ``performance`` how well it believes the focal brand performs,
on the attribute's performance scale.  Either column may be left empty for an attribute.

:func:`management_gaps` compares each value with the customers' weighted mean and its interval.
A disagreement counts only when the customers' interval excludes management's value *widened by
a tolerance* (default half a scale point: management answers in whole points, so its answer is
only as precise as its rounding); with ``tolerance=0`` the rule is the interval alone:

* **blind spot** — customers' importance lies above management's value: customers care,
  management does not think so;
* **myth** — management's importance lies above the customers': management's priority, customers'
  indifference;
* **overrated** / **underrated** — management believes the brand performs better / worse than
  its customers say.

Examples
--------
>>> import pandas as pd
>>> cust = pd.DataFrame({"attribute": ["a", "b"], "measure": ["importance"] * 2,
...                      "customers": [4.5, 2.0], "lower": [4.4, 1.9], "upper": [4.6, 2.1]})
>>> mgmt = pd.DataFrame({"attribute": ["a", "b"], "importance": [2.0, 2.0],
...                      "performance": [None, None]})
>>> management_gaps(cust, mgmt)["verdict"].tolist()
['blind spot', 'agrees']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .errors import DataError
from .metrics import _resolve_weights, _weighted_stats

__all__ = ["VERDICTS", "customer_view", "management_gaps", "read_management"]

VERDICTS = ("blind spot", "myth", "overrated", "underrated", "agrees")
_COLUMNS = ("attribute", "importance", "performance")


def read_management(study: Any, path: str | Path | None = None) -> pd.DataFrame:
    """Read and check management's view (the study's ``management:`` CSV, or ``path``).

    Returns
    -------
    DataFrame
        ``attribute``, ``importance``, ``performance`` (floats, NaN where left empty).

    Raises
    ------
    DataError
        Naming the file, row and column: an unknown attribute, a repeated attribute, a value that
        is not a number or lies outside its scale, a missing column.
    """
    if path is None:
        if not study.management:
            raise DataError("management's view: the study names no file (`management:`)")
        path = Path(study.root) / study.management
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: management's view not found")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the file's fault
        raise DataError(f"{path}: cannot read management's view as CSV ({exc})") from exc
    missing = [c for c in _COLUMNS[:1] if c not in raw.columns]
    if missing or not ({"importance", "performance"} & set(raw.columns)):
        raise DataError(f"{path}: expected columns attribute, importance, performance "
                        f"(got {', '.join(raw.columns) or 'none'})")
    extra = [c for c in raw.columns if c not in _COLUMNS]
    if extra:
        raise DataError(f"{path}: unknown column(s) {', '.join(extra)} (expected attribute, "
                        "importance, performance)")
    ids = study.attribute_ids
    imp_scale = next((study.column_scales().get(c) for c in study.importance_columns().values()),
                     None)
    seen: set[str] = set()
    rows = []
    for i, r in raw.iterrows():
        line = i + 2  # the header is line 1
        a = r["attribute"].strip()
        if a not in ids:
            raise DataError(f"{path}, line {line}, column attribute: '{a[:60]}' is not an "
                            f"attribute of the study (attributes: {', '.join(ids)})")
        if a in seen:
            raise DataError(f"{path}, line {line}: attribute '{a}' appears twice")
        seen.add(a)
        row: dict[str, Any] = {"attribute": a}
        perf_col = study.performance_columns()[a]
        for col, scale in (("importance", imp_scale),
                           ("performance", study.column_scales().get(perf_col))):
            text = r.get(col, "").strip() if col in raw.columns else ""
            if not text:
                row[col] = np.nan
                continue
            try:
                v = float(text)
            except ValueError:
                raise DataError(f"{path}, line {line}, column {col}: '{text[:40]}' is not a "
                                "number") from None
            if col == "importance" and scale is None:
                raise DataError(f"{path}, line {line}, column importance: the study has no "
                                "stated-importance questions to compare it with; leave it empty")
            if scale is not None and not scale.min <= v <= scale.max:
                raise DataError(f"{path}, line {line}, column {col}: {v:g} is outside the "
                                f"scale {scale.min:g}–{scale.max:g}")
            row[col] = v
        rows.append(row)
    return pd.DataFrame(rows, columns=list(_COLUMNS))


def customer_view(data: pd.DataFrame, study: Any, *, weights: Any = None, ci: float = 0.95
                  ) -> pd.DataFrame:
    """The customers' importance (stated) and focal-brand performance per attribute.

    Returns
    -------
    DataFrame
        ``attribute``, ``measure`` ("importance" or "performance"), ``customers`` (weighted
        mean), ``lower``, ``upper``, ``n``.
    """
    w = _resolve_weights(data, weights)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    rows = []
    for measure, cols in (("importance", study.importance_columns()),
                          ("performance", study.performance_columns())):
        for a, col in cols.items():
            if col not in data.columns:
                continue
            y = pd.to_numeric(data[col], errors="coerce").to_numpy(float)
            m, se, n, _ = _weighted_stats(y, w, "kish", 1)
            rows.append({"attribute": a, "measure": measure, "customers": m,
                         "lower": m - z * se, "upper": m + z * se, "n": n})
    return pd.DataFrame(rows, columns=["attribute", "measure", "customers", "lower", "upper",
                                       "n"])


def management_gaps(customers: pd.DataFrame, management: pd.DataFrame, *,
                    tolerance: float = 0.5) -> pd.DataFrame:
    """Where management's view and the customers' disagree.

    Parameters
    ----------
    customers : DataFrame
        From :func:`customer_view`.
    management : DataFrame
        From :func:`read_management`.
    tolerance : float
        Scale points added on each side of management's value before the customers' interval
        must exclude it (0: the interval alone decides).

    Returns
    -------
    DataFrame
        ``attribute``, ``measure``, ``management``, ``customers``, ``lower``, ``upper``,
        ``gap`` (customers − management), ``verdict`` (one of :data:`VERDICTS`).
    """
    if tolerance < 0:
        raise DataError(f"management gaps: tolerance must be 0 or more, got {tolerance!r}")
    long = management.melt(id_vars="attribute", value_vars=["importance", "performance"],
                           var_name="measure", value_name="management").dropna()
    t = long.merge(customers, on=["attribute", "measure"], how="inner")

    def verdict(r: pd.Series) -> str:
        above = r["lower"] > r["management"] + tolerance
        below = r["upper"] < r["management"] - tolerance
        if r["measure"] == "importance":
            return "blind spot" if above else "myth" if below else "agrees"
        return "underrated" if above else "overrated" if below else "agrees"

    t["gap"] = t["customers"] - t["management"]
    t["verdict"] = t.apply(verdict, axis=1) if len(t) else pd.Series(dtype=str)
    return t[["attribute", "measure", "management", "customers", "lower", "upper", "gap",
              "verdict"]].reset_index(drop=True)
