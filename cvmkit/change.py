"""What changed between waves: performance per attribute and brand, and driver weights.

:func:`performance_changes` compares each attribute × brand rating between two waves: the
weighted mean per wave, the difference (later − earlier), its normal interval (standard errors
from Kish's effective sample size of each wave) and a two-sided z test, Holm-adjusted within each
brand's attributes (or over the whole table), so that the chance of calling any unchanged rating
of a brand "changed" is held at ``1 − ci`` however many attributes the study has.

:func:`driver_changes` is the segment comparison of relative importance
(:func:`cvmkit.drivers.compare_segments`) with the wave as the group: each wave's LMG shares
from its own respondents, and a bootstrap test of each share's difference.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame({"wave": np.repeat([1, 2], 300), "x": rng.normal(5, 1, 600)})
>>> df.loc[df.wave == 2, "x"] += 1
>>> t = performance_changes(df, {"a": {"B": "x"}}, "wave")
>>> bool(t["p_holm"].iloc[0] < 0.001)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .drivers.segments import compare_segments, segment_importance
from .errors import AnalysisError, DataError
from .metrics import _holm, _resolve_weights, _weighted_stats

__all__ = ["driver_changes", "driver_shares_by_wave", "performance_changes", "study_columns",
           "wave_pair"]


def wave_pair(data: pd.DataFrame, wave: str, waves: tuple[Any, Any] | None = None
              ) -> tuple[Any, Any]:
    """The two waves compared: ``waves`` when given, else the first and the last."""
    if wave not in data.columns:
        raise DataError(f"wave changes: wave column '{wave}' not in data")
    levels = sorted(data[wave].dropna().unique().tolist())
    if waves is None:
        if len(levels) < 2:
            raise AnalysisError(f"wave changes: the wave column '{wave}' holds "
                                f"{len(levels)} wave(s); two are needed")
        return levels[0], levels[-1]
    for v in waves:
        if v not in levels:
            raise DataError(f"wave changes: wave {v!r} not in column '{wave}' "
                            f"(waves: {', '.join(map(str, levels))})")
    return waves[0], waves[1]


def study_columns(study: Any, data: pd.DataFrame) -> dict[str, dict[str, str]]:
    """``{attribute id: {brand name: performance column}}`` for the columns present in data."""
    out: dict[str, dict[str, str]] = {}
    for b in study.brands:
        for attr, col in study.performance_columns(b).items():
            if col in data.columns:
                out.setdefault(attr, {})[b.name] = col
    return out


def performance_changes(data: pd.DataFrame, columns: Mapping[str, Mapping[str, str]], wave: str,
                        *, waves: tuple[Any, Any] | None = None, weights: Any = None,
                        ci: float = 0.95, family: str = "brand") -> pd.DataFrame:
    """Each attribute × brand's mean rating in two waves, their difference and its test.

    Parameters
    ----------
    columns : mapping
        ``{attribute: {brand: column}}`` (:func:`study_columns` builds it from a study).
    wave : str
        The wave column.
    waves : (earlier, later), optional
        Default: the first and the last wave.
    family : {"brand", "all"}
        The tests Holm's adjustment runs over: each brand's attributes (its scorecard, the
        default) or the whole table.

    Returns
    -------
    DataFrame
        ``attribute``, ``brand``, ``wave_a``, ``wave_b``, ``mean_a``, ``mean_b``, ``n_a``,
        ``n_b``, ``difference`` (b − a), ``lower``, ``upper``, ``p_value``, ``p_holm``,
        ``changed`` (``p_holm`` below ``1 − ci``).
    """
    if family not in ("brand", "all"):
        raise AnalysisError(f"wave changes: family must be 'brand' or 'all', got {family!r}")
    a, b = wave_pair(data, wave, waves)
    w = _resolve_weights(data, weights)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    in_a = (data[wave] == a).to_numpy()
    in_b = (data[wave] == b).to_numpy()
    rows = []
    for attr, brands in columns.items():
        for brand, col in brands.items():
            if col not in data.columns:
                raise DataError(f"wave changes: column '{col}' ({attr}, {brand}) not in data")
            y = pd.to_numeric(data[col], errors="coerce").to_numpy(float)
            ma, sa, na, _ = _weighted_stats(y[in_a], w[in_a], "kish", 1)
            mb, sb, nb, _ = _weighted_stats(y[in_b], w[in_b], "kish", 1)
            d = mb - ma
            se = float(np.hypot(sa, sb))
            p = float(2 * stats.norm.sf(abs(d) / se)) if se > 0 else np.nan
            rows.append({"attribute": attr, "brand": brand, "wave_a": a, "wave_b": b,
                         "mean_a": ma, "mean_b": mb, "n_a": na, "n_b": nb, "difference": d,
                         "lower": d - z * se, "upper": d + z * se, "p_value": p})
    out = pd.DataFrame(rows)
    if out.empty:
        raise AnalysisError("wave changes: no performance columns to compare")
    if family == "brand":
        out["p_holm"] = np.nan
        for _, idx in out.groupby("brand", sort=False).groups.items():
            out.loc[idx, "p_holm"] = _holm(out.loc[idx, "p_value"].to_numpy(float))
    else:
        out["p_holm"] = _holm(out["p_value"].to_numpy(float))
    out["changed"] = out["p_holm"] < (1 - ci)
    return out


def _two_waves(data: pd.DataFrame, wave: str, waves: tuple[Any, Any] | None) -> pd.DataFrame:
    a, b = wave_pair(data, wave, waves)
    return data[data[wave].isin([a, b])]


def driver_shares_by_wave(data: pd.DataFrame, outcome: str, drivers: Any, wave: str, *,
                          waves: tuple[Any, Any] | None = None, weights: Any = None,
                          n_boot: int = 0, seed: int | None = None, ci: float = 0.95
                          ) -> pd.DataFrame:
    """Each wave's LMG shares (:func:`cvmkit.drivers.segment_importance` by wave)."""
    sub = _two_waves(data, wave, waves)
    w = weights if weights is None or isinstance(weights, str) else \
        np.asarray(weights, float)[data[wave].isin(sub[wave].unique()).to_numpy()]
    t = segment_importance(sub, outcome, drivers, wave, weights=w, n_boot=n_boot, seed=seed,
                           ci=ci)
    return t.rename(columns={"segment": "wave"})


def driver_changes(data: pd.DataFrame, outcome: str, drivers: Any, wave: str, *,
                   waves: tuple[Any, Any] | None = None, weights: Any = None,
                   n_boot: int = 200, seed: int | None = None, ci: float = 0.95
                   ) -> pd.DataFrame:
    """Bootstrap test of each driver's LMG share between two waves.

    Returns
    -------
    DataFrame
        As :func:`cvmkit.drivers.compare_segments`, with ``wave_a``/``wave_b`` for the
        segments, ``difference`` = b − a, and ``changed`` (``p_holm`` below ``1 − ci``).
    """
    a, b = wave_pair(data, wave, waves)
    sub = _two_waves(data, wave, waves)
    w = weights if weights is None or isinstance(weights, str) else \
        np.asarray(weights, float)[data[wave].isin([a, b]).to_numpy()]
    t = compare_segments(sub, outcome, drivers, wave, weights=w, n_boot=n_boot, seed=seed,
                         ci=ci)
    if t["segment_a"].iloc[0] == a:  # compare_segments reports a − b in level order
        t["difference"] = -t["difference"]
        t["lower"], t["upper"] = -t["upper"], -t["lower"]
    else:
        t["share_a"], t["share_b"] = t["share_b"].to_numpy(), t["share_a"].to_numpy()
    t = t.drop(columns=["segment_a", "segment_b"])
    t.insert(1, "wave_a", a)
    t.insert(2, "wave_b", b)
    t["changed"] = t["p_holm"] < (1 - ci)
    return t
