"""Recommended actions: one per attribute, from one reconciliation of every view of it.

Four analyses each say something about what to do with an attribute: the importance–performance
map (is it important, is it delivered), the needs-and-wants roles (is it taken for granted or a
delight), the competitive benchmark (is a competitor significantly ahead) and the driver
analysis (how much of the overall rating it explains).  Read one at a time they can disagree —
an attribute can sit in "possible overkill" on the map while being a basic need a competitor
delivers better.  :func:`recommend_actions` weighs them once and gives every attribute exactly
one action with the reasons for it; the executive summary, the report and the deck all state
that frame, so no sentence contradicts another.

A classification that depends on a line — the crosshairs of the map — is significance-aware:
an attribute whose interval covers the line is **on par** on that axis, neither above nor
below, and cannot be called overkill or a priority on the map's word alone.

======================  ===================================================================
action                  when
======================  ===================================================================
``improve``             important and significantly below par; or a basic need, or an
                        important attribute, on which a competitor is significantly ahead
                        while the brand is not clearly above par
``defend``              important and clearly delivered, but a competitor is significantly
                        ahead
``maintain``            important and clearly delivered; or a basic need the brand keeps up on
``differentiate``       a want (customers do not expect it; doing well there delights)
``save``                clearly less important and clearly over-delivered, not a need, no
                        competitor ahead: effort that could go elsewhere
``deprioritise``        clearly less important and below par, not a need
``on par``              everything else: an interval covers a line, so the data do not
                        single it out
======================  ===================================================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ACTIONS", "ACTION_LABELS", "actions_headline", "read_actions", "recommend_actions"]

#: The actions, most urgent first.
ACTIONS = ("improve", "defend", "maintain", "differentiate", "on par", "save", "deprioritise")
#: Each action named for a manager.
ACTION_LABELS = {
    "improve": "Improve",
    "defend": "Defend against a competitor",
    "maintain": "Maintain",
    "differentiate": "Use to stand out",
    "on par": "On par: monitor",
    "save": "Possible saving",
    "deprioritise": "Low priority",
}
COLUMNS = ["attribute", "label", "action", "action_label", "reasons", "order", "importance",
           "importance_side", "performance", "performance_side", "role", "competitors_ahead",
           "driver_rank"]


def _side(value: float, lower: float, upper: float, line: float) -> str:
    """``"high"``, ``"low"`` or ``"par"``: where an estimate sits against a line.

    With an interval, only an interval clear of the line counts; without one, the estimate.
    """
    if not np.isfinite(value) or not np.isfinite(line):
        return "unknown"
    if np.isfinite(lower) and np.isfinite(upper):
        if lower > line:
            return "high"
        if upper < line:
            return "low"
        return "par"
    return "high" if value > line else "low" if value < line else "par"


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return pd.to_numeric(frame[name], errors="coerce")
    return pd.Series(np.nan, index=frame.index)


def recommend_actions(ipa: pd.DataFrame, *, importance: pd.DataFrame | None = None,
                      needs: pd.DataFrame | None = None, benchmark: pd.DataFrame | None = None,
                      drivers: pd.DataFrame | None = None, brand: str = "the brand"
                      ) -> pd.DataFrame:
    """One recommended action per attribute, reconciled over every analysis that ran.

    Parameters
    ----------
    ipa : DataFrame
        The importance–performance table (:func:`cvmkit.maps.importance_performance`, one
        segment): ``attribute``, ``label``, ``importance``, ``performance`` and its
        ``performance_lower``/``performance_upper``, ``performance_cross``,
        ``importance_cross``.
    importance : DataFrame, optional
        ``attribute``, ``lower``, ``upper``: an interval for each importance (derived importance
        has one), so that the importance side of the map is significance-aware too.
    needs : DataFrame, optional
        The reconciled needs-and-wants roles (:func:`cvmkit.needs.needs_summary`): ``attribute``,
        ``role`` (need / performance / want / indifferent).
    benchmark : DataFrame, optional
        :func:`cvmkit.maps.competitive_benchmark`: ``attribute``, ``brand``, ``verdict``
        ("superior" marks a competitor significantly ahead of the focal brand).
    drivers : DataFrame, optional
        The driver importance of notebook 03: ``attribute`` and ``rank``.
    brand : str
        The focal brand, named in the reasons.

    Returns
    -------
    DataFrame
        One row per attribute, most urgent first: ``attribute``, ``label``, ``action`` (one of
        :data:`ACTIONS`), ``action_label`` (for a reader), ``reasons`` (a sentence),
        ``order``, ``importance``, ``importance_side`` and ``performance_side`` ("high",
        "low", "par" or "unknown"), ``performance``, ``role``, ``competitors_ahead``,
        ``driver_rank``.

    Examples
    --------
    >>> ipa = pd.DataFrame({"attribute": ["a", "b", "c"], "label": ["A", "B", "C"],
    ...     "importance": [30.0, 10.0, 20.0], "performance": [6.0, 8.0, 7.1],
    ...     "performance_lower": [5.8, 7.8, 6.8], "performance_upper": [6.2, 8.2, 7.4],
    ...     "performance_cross": 7.0, "importance_cross": 20.0})
    >>> recommend_actions(ipa)[["label", "action"]].values.tolist()
    [['A', 'improve'], ['C', 'on par'], ['B', 'save']]
    """
    if ipa is None or not len(ipa):
        return pd.DataFrame(columns=COLUMNS)
    t = ipa.copy()
    if "segment" in t.columns and t["segment"].nunique(dropna=False) > 1:
        t = t[t["segment"].isin([t["segment"].iloc[0]])]  # the whole sample comes first
    t = t.drop_duplicates("attribute").reset_index(drop=True)
    if "label" not in t.columns:
        t["label"] = t["attribute"]
    imp_lo = pd.Series(np.nan, index=t.index)
    imp_hi = pd.Series(np.nan, index=t.index)
    if importance is not None and len(importance) and {"lower", "upper"} <= set(
            importance.columns):
        iv = importance.drop_duplicates("attribute").set_index("attribute")
        imp_lo = t["attribute"].map(pd.to_numeric(iv["lower"], errors="coerce"))
        imp_hi = t["attribute"].map(pd.to_numeric(iv["upper"], errors="coerce"))
    roles: Mapping[str, Any] = {}
    if needs is not None and len(needs) and "role" in needs.columns:
        n = needs[needs["by"].isna()] if "by" in needs.columns else needs
        roles = n.drop_duplicates("attribute").set_index("attribute")["role"].to_dict()
    ahead: dict[str, list[str]] = {}
    if benchmark is not None and len(benchmark) and "verdict" in benchmark.columns:
        b = benchmark
        if "segment" in b.columns and b["segment"].nunique(dropna=False) > 1:
            b = b[b["segment"].isin([b["segment"].iloc[0]])]
        for a, g in b[b["verdict"] == "superior"].groupby("attribute", sort=False):
            ahead[str(a)] = [str(x) for x in g["brand"]]
    ranks: Mapping[str, Any] = {}
    if drivers is not None and len(drivers) and "rank" in drivers.columns:
        ranks = drivers.drop_duplicates("attribute").set_index("attribute")["rank"].to_dict()

    rows = []
    imp, perf = _col(t, "importance"), _col(t, "performance")
    p_lo, p_hi = _col(t, "performance_lower"), _col(t, "performance_upper")
    x_line, y_line = _col(t, "performance_cross"), _col(t, "importance_cross")
    for k, r in t.iterrows():
        a = str(r["attribute"])
        isd = _side(imp[k], imp_lo[k], imp_hi[k], y_line[k])
        psd = _side(perf[k], p_lo[k], p_hi[k], x_line[k])
        role = roles.get(a)
        role = role if isinstance(role, str) else None
        comp = ahead.get(a, [])
        rank = ranks.get(a)
        rank = int(rank) if rank is not None and pd.notna(rank) else None
        why = []
        if isd == "high":
            why.append("more important than most attributes")
        elif isd == "low":
            why.append("less important than most attributes")
        elif isd == "par":
            why.append("average importance (its interval covers the line)")
        if psd == "high":
            why.append(f"{brand} performs above its own average")
        elif psd == "low":
            why.append(f"{brand} performs below its own average")
        elif psd == "par":
            why.append(f"{brand}'s performance is average (its interval covers the line)")
        if role == "need":
            why.append("customers take it for granted (a basic need)")
        elif role == "want":
            why.append("customers do not expect it, so doing well delights (a want)")
        if comp:
            why.append(f"{_join(comp)} significantly ahead")
        if rank is not None and rank <= 3:
            why.append(f"driver number {rank} of the overall rating")
        if (isd == "high" and psd == "low") or (
                (role == "need" or isd == "high") and comp and psd != "high"):
            action = "improve"
        elif comp and (isd == "high" or role == "need"):
            action = "defend"
        elif (isd == "high" and psd == "high") or (role == "need" and psd != "low"):
            action = "maintain"
        elif role == "need":  # a need below par with no competitor ahead: still to improve
            action = "improve"
        elif role == "want":
            action = "differentiate"
        elif isd == "low" and psd == "high" and not comp:
            action = "save"
        elif isd == "low" and psd == "low":
            action = "deprioritise"
        else:
            action = "on par"
        rows.append({"attribute": a, "label": str(r["label"]), "action": action,
                     "action_label": ACTION_LABELS[action],
                     "reasons": _reasons(why),
                     "order": ACTIONS.index(action), "importance": imp[k],
                     "importance_side": isd, "performance": perf[k], "performance_side": psd,
                     "role": role, "competitors_ahead": ", ".join(comp), "driver_rank": rank})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["_imp"] = out["importance"].fillna(-np.inf)
    out = out.sort_values(["order", "_imp"], ascending=[True, False], kind="stable")
    return out.drop(columns="_imp").reset_index(drop=True)


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten")
#: Most attributes a headline names; the rest are counted.
HEADLINE_NAMES = 3


def _count(n: int, noun: str) -> str:
    """``"One attribute"``, ``"Two attributes"``, ``"12 attributes"``."""
    word = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else f"{n:,}"
    return f"{word[:1].upper()}{word[1:]} {noun}{'' if n == 1 else 's'}"


def _named(labels: list[str]) -> str:
    """The labels joined; of a longer list, the first :data:`HEADLINE_NAMES` and a count of
    the others (never "and 1 more": one more is named)."""
    if len(labels) <= HEADLINE_NAMES + 1:
        return _join(labels)
    return _join([*labels[:HEADLINE_NAMES], f"{len(labels) - HEADLINE_NAMES} more"])


def actions_headline(actions: pd.DataFrame) -> str | None:
    """The finding of the importance–performance map in one line, from the actions frame.

    The map's own quadrants ignore the uncertainty of the estimates, so a title read off them
    could name an attribute the actions call on par; this headline states only what
    :func:`recommend_actions` decided, in its order (most important first within an action):
    the attributes to improve first, else those to defend against a competitor, else the
    strengths to maintain, else that no attribute stands out.

    Parameters
    ----------
    actions : DataFrame
        :func:`recommend_actions` (``label`` and ``action``).

    Returns
    -------
    str or None
        The headline; None when no attribute has an action (nothing was placed on the map).

    Examples
    --------
    >>> acts = pd.DataFrame({"label": ["Ease of use", "Speed", "Price"],
    ...                      "action": ["improve", "improve", "save"]})
    >>> actions_headline(acts)
    'Two attributes to improve first: Ease of use and Speed'
    >>> actions_headline(acts.assign(action="on par"))
    'No attribute stands out as a priority'
    """
    if actions is None or not len(actions) or not {"label", "action"} <= set(actions.columns):
        return None

    def labels(action: str) -> list[str]:
        return actions.loc[actions["action"] == action, "label"].astype(str).tolist()

    improve, defend, maintain = labels("improve"), labels("defend"), labels("maintain")
    if improve:
        return f"{_count(len(improve), 'attribute')} to improve first: {_named(improve)}"
    if defend:
        ahead = "a competitor is" if len(defend) == 1 else "competitors are"
        return (f"Nothing to improve first; {_count(len(defend), 'attribute').lower()} to "
                f"defend where {ahead} ahead: {_named(defend)}")
    if maintain:
        return (f"No important attribute falls short; "
                f"{_count(len(maintain), 'strength').lower()} to maintain: {_named(maintain)}")
    return "No attribute stands out as a priority"


def _reasons(why: list[str]) -> str:
    text = "; ".join(why)
    return (text[:1].upper() + text[1:] + ".") if text else ""


def _join(items: list[str]) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _read(run: Path, name: str) -> pd.DataFrame | None:
    from .report._common import read_table

    found = sorted((run / "tables").glob(f"*__{name}.csv"))
    return read_table(found[0]) if found else None


def _brand(run: Path) -> str:
    try:
        study = json.loads((run / "study.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "the brand"
    b = study.get("brand") if isinstance(study, dict) else None
    b = b.get("name") if isinstance(b, dict) else b
    return str(b) if b else "the brand"


def read_actions(run_dir: str | Path) -> pd.DataFrame:
    """The recommended actions of a run (:func:`recommend_actions` on the tables it wrote).

    Reads ``tables/*__ipa.csv`` (none: an empty frame), and where present the needs summary,
    the benchmark, and the driver importance (which gives derived importance its interval).

    Examples
    --------
    >>> read_actions("reports/demo/20260101-120000")  # doctest: +SKIP
    """
    run = Path(run_dir)
    ipa = _read(run, "ipa")
    if ipa is None:
        return pd.DataFrame(columns=COLUMNS)
    found = sorted((run / "tables").glob("03_*__importance.csv"))
    drivers = _read_path(found[0]) if found else None
    interval = None
    source = ipa["importance_source"].dropna() if "importance_source" in ipa.columns else []
    if drivers is not None and len(source) and str(source.iloc[0]) == "derived":
        interval = _driver_interval(drivers)
    return recommend_actions(ipa, importance=interval, needs=_read(run, "needs_summary"),
                             benchmark=_read(run, "benchmark"),
                             drivers=_driver_ranks(drivers), brand=_brand(run))


def _read_path(path: Path) -> pd.DataFrame | None:
    from .report._common import read_table

    return read_table(path)


def _first_method(drivers: pd.DataFrame) -> pd.DataFrame:
    d = drivers.rename(columns={"driver": "attribute"}) if "attribute" not in drivers.columns \
        else drivers
    if "method" in d.columns and d["method"].nunique() > 1:
        d = d[d["method"] == d["method"].iloc[0]]
    return d


def _driver_interval(drivers: pd.DataFrame) -> pd.DataFrame | None:
    drivers = _first_method(drivers)
    lo = next((c for c in ("lower", "ci_low", "share_lower") if c in drivers.columns), None)
    hi = next((c for c in ("upper", "ci_high", "share_upper") if c in drivers.columns), None)
    if lo is None or hi is None or "attribute" not in drivers.columns:
        return None
    d = drivers.rename(columns={lo: "lower", hi: "upper"})
    return d[["attribute", "lower", "upper"]]


def _driver_ranks(drivers: pd.DataFrame | None) -> pd.DataFrame | None:
    if drivers is None:
        return None
    drivers = _first_method(drivers)
    if "attribute" not in drivers.columns:
        return None
    if "rank" in drivers.columns:
        return drivers[["attribute", "rank"]]
    value = next((c for c in ("share", "importance", "lmg") if c in drivers.columns), None)
    if value is None:
        return None
    d = drivers[["attribute", value]].copy()
    d["rank"] = pd.to_numeric(d[value], errors="coerce").rank(ascending=False, method="min")
    return d[["attribute", "rank"]]
