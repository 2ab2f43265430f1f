"""The executive summary: the few things a client must know, in sentences built from the numbers.

:func:`executive_summary` reads the headline numbers notebooks 02–05 wrote with
:func:`cvmkit.io.write_results` (``results/NN_*.json``) and states, part by part:

===========  =========================  ======================================================
part         from                       says
===========  =========================  ======================================================
drivers      03 driver regression       the top drivers of value, with their certainty
focus        04 value maps              the attributes to concentrate on (importance–performance)
needs        02 needs vs wants          needs that are unmet, wants that could differentiate
value_map    04 value maps              the brand's place on the customer value map
loyalty      05 value economics         NPS with its interval, and its trend between waves
price        05 value economics         the price range the value supports
===========  =========================  ======================================================

A part whose notebook did not run — or ran but wrote none of the numbers the part needs — is
left out and listed as not covered; nothing is guessed.  Every sentence is a template filled
with numbers read from the results, so the same run always gives the same words.

Each ``summarize_*`` function takes one notebook's results dict and returns its sentences;
they can be used (and tested) on their own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "PARTS",
    "at_a_glance",
    "executive_summary",
    "find_results",
    "summarize_drivers",
    "summarize_focus",
    "summarize_loyalty",
    "summarize_needs",
    "summarize_price",
    "summarize_value_map",
]


# ---------------------------------------------------------------------- reading
def find_results(run_dir: str | Path, number: str) -> tuple[str | None, dict[str, Any] | None]:
    """The results of the notebook numbered ``number`` (``"03"``) in a run, if it wrote any.

    Returns ``(notebook name, results)``, or ``(None, None)``.
    """
    d = Path(run_dir) / "results"
    if not d.is_dir():
        return None, None
    found = sorted(d.glob(f"{number}_*.json"))
    if not found:
        return None, None
    p = found[0]
    try:
        return p.stem, json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return p.stem, None


# ---------------------------------------------------------------------- small helpers
def _num(x: Any) -> float | None:
    if isinstance(x, bool) or x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _get(d: Mapping[str, Any] | None, *keys: str) -> Any:
    """The first of ``keys`` present (and not None) in ``d``."""
    if not isinstance(d, Mapping):
        return None
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return None


def _pct(x: float | None, digits: int = 0) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def _signed(x: float, digits: int = 0) -> str:
    return f"{x:+.{digits}f}".replace("-", "−")


def _join(items: Sequence[str]) -> str:
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def _label(item: Any) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping):
        v = _get(item, "label", "attribute_label", "name", "attribute", "id", "brand")
        return None if v is None else str(v)
    return None


def _labels(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    if isinstance(value, Sequence):
        return [lab for lab in (_label(v) for v in value) if lab]
    return []


def _money(x: float | None, currency: str) -> str:
    return "n/a" if x is None else f"{currency}{x:,.2f}"


# ---------------------------------------------------------------------- the parts
def summarize_drivers(results: Mapping[str, Any], brand: str = "the brand") -> list[str]:
    """Sentences on the top drivers of overall value and how certain they are.

    Reads ``top_drivers`` (a list of ``{label, share, ci_low, ci_high}`` or of labels), and
    ``r2`` / ``n`` / ``method`` when present.

    Examples
    --------
    >>> summarize_drivers({"top_drivers": [
    ...     {"label": "Taste", "share": 0.31, "ci_low": 0.26, "ci_high": 0.36},
    ...     {"label": "Speed", "share": 0.22, "ci_low": 0.18, "ci_high": 0.27}],
    ...     "r2": 0.58}, brand="Acme")[0]
    "Acme's overall value is driven most by Taste (31% of the explained variance, 95% interval 26–36%) and Speed (22%, 18–27%)."
    """
    drivers = _get(results, "top_drivers", "drivers")
    if not isinstance(drivers, Sequence) or isinstance(drivers, str) or not drivers:
        return []
    parts = []
    for k, d in enumerate(drivers[:3]):
        lab = _label(d)
        if lab is None:
            continue
        share = _num(_get(d, "share", "lmg_share", "importance", "relative_importance",
                          "weight")) if isinstance(d, Mapping) else None
        lo = _num(_get(d, "ci_low", "lo", "lower")) if isinstance(d, Mapping) else None
        hi = _num(_get(d, "ci_high", "hi", "upper")) if isinstance(d, Mapping) else None
        if share is None:
            parts.append(lab)
            continue
        what = " of the explained variance" if k == 0 else ""
        if lo is not None and hi is not None:
            ci = f"95% interval {100 * lo:.0f}–{_pct(hi)}" if k == 0 else \
                f"{100 * lo:.0f}–{_pct(hi)}"
            parts.append(f"{lab} ({_pct(share)}{what}, {ci})")
        else:
            parts.append(f"{lab} ({_pct(share)}{what})")
    if not parts:
        return []
    out = [f"{brand}'s overall value is driven most by {_join(parts)}."]
    r2 = _num(_get(results, "r2", "r_squared", "R2"))
    if r2 is not None:
        out.append(f"Together the attributes explain {_pct(r2)} of the variation in overall "
                   "value ratings (R²).")
    certain = _get(results, "distinct_top", "top_driver_certain")
    if certain is True:
        out.append("The top driver's interval does not overlap the next one's: its lead is "
                   "not a matter of sampling chance.")
    elif certain is False:
        out.append("The leading drivers' intervals overlap, so their order could change with "
                   "another sample; treat them as a group.")
    return out


def summarize_focus(results: Mapping[str, Any], brand: str = "the brand") -> list[str]:
    """Sentences on where to concentrate (importance–performance quadrants).

    Reads ``concentrate_here`` (important, under-performing attributes) and optionally
    ``keep_up``, ``possible_overkill``.
    """
    focus = _labels(_get(results, "concentrate_here", "focus", "ipa_concentrate"))
    keep = _labels(_get(results, "keep_up", "keep_up_the_good_work", "ipa_keep_up"))
    overkill = _labels(_get(results, "possible_overkill", "ipa_overkill"))
    out = []
    if focus:
        out.append(f"Concentrate on {_join(focus)}: customers rate {'it' if len(focus) == 1 else 'them'} "
                   f"as important, and {brand} performs below par there.")
    elif _get(results, "concentrate_here", "focus", "ipa_concentrate") is not None:
        out.append(f"No important attribute falls short: {brand} has no "
                   "'concentrate here' attribute.")
    if keep:
        out.append(f"Keep up the good work on {_join(keep)}.")
    if overkill:
        out.append(f"{_join(overkill)} {'gets' if len(overkill) == 1 else 'get'} more effort "
                   "than customers' priorities justify (possible overkill).")
    return out


def summarize_needs(results: Mapping[str, Any], brand: str = "the brand") -> list[str]:
    """Sentences on unmet needs and differentiating wants (Kano, penalty–reward).

    Reads ``unmet_needs`` (must-be attributes where the brand underperforms), ``needs``
    (must-be attributes), ``wants`` / ``differentiators`` (attractive attributes).
    """
    unmet = _labels(_get(results, "unmet_needs"))
    needs = _labels(_get(results, "needs", "must_be"))
    wants = _labels(_get(results, "differentiators", "wants", "attractive"))
    out = []
    if unmet:
        out.append(f"Unmet needs: {_join(unmet)} — customers take "
                   f"{'it' if len(unmet) == 1 else 'them'} for granted and punish a shortfall, "
                   f"and {brand} falls short.")
    elif needs:
        out.append(f"The basic needs ({_join(needs)}) are expected as a matter of course; "
                   "none is flagged as unmet.")
    if wants:
        out.append(f"{_join(wants)} could differentiate: customers do not expect "
                   f"{'it' if len(wants) == 1 else 'them'}, so doing well there delights more "
                   "than falling short disappoints.")
    return out


def summarize_value_map(results: Mapping[str, Any], brand: str = "the brand") -> list[str]:
    """Sentences on the brand's place on the customer value map.

    Reads ``value_map_position`` / ``position`` (e.g. ``"better value"``), and the brand's
    relative quality and price (``relative_quality``, ``relative_price``) when present.
    """
    pos = _get(results, "value_map_position", "position", "value_position")
    q = _num(_get(results, "relative_quality", "quality_ratio", "market_perceived_quality"))
    p = _num(_get(results, "relative_price", "price_ratio", "market_perceived_price"))
    out = []
    if isinstance(pos, Mapping):
        q = q if q is not None else _num(_get(pos, "relative_quality", "quality"))
        p = p if p is not None else _num(_get(pos, "relative_price", "price"))
        pos = _get(pos, "position", "zone", "label")
    if pos:
        out.append(f"On the customer value map {brand} sits in the '{pos}' zone.")
    if q is not None and p is not None:
        out.append(f"Its market-perceived quality is {q:.2f} and its perceived price {p:.2f} "
                   "relative to the market average (1.00 = par).")
    return out


def summarize_loyalty(results: Mapping[str, Any], brand: str = "the brand") -> list[str]:
    """Sentences on NPS, its interval and its trend between waves.

    Reads ``nps`` (a number, or ``{nps, ci_low, ci_high}``), ``nps_ci_low`` / ``nps_ci_high``,
    and ``nps_trend`` (``{from, to, change, ci_low, ci_high}``) or ``nps_by_wave``.
    """
    nps = _get(results, "nps")
    lo = _num(_get(results, "nps_ci_low", "nps_lo"))
    hi = _num(_get(results, "nps_ci_high", "nps_hi"))
    if isinstance(nps, Mapping):
        lo = lo if lo is not None else _num(_get(nps, "ci_low", "lo"))
        hi = hi if hi is not None else _num(_get(nps, "ci_high", "hi"))
        nps = _get(nps, "nps", "value", "estimate")
    nps = _num(nps)
    out = []
    if nps is not None:
        ci = f" (95% interval {_signed(lo)} to {_signed(hi)})" if lo is not None and hi is not None else ""
        out.append(f"{brand}'s Net Promoter Score is {_signed(nps)}{ci}.")
    trend = _get(results, "nps_trend", "nps_change")
    if isinstance(trend, Mapping):
        change = _num(_get(trend, "change", "difference", "diff"))
        a, b = _get(trend, "from", "wave_from", "first"), _get(trend, "to", "wave_to", "last")
        tlo, thi = _num(_get(trend, "ci_low", "lo")), _num(_get(trend, "ci_high", "hi"))
        if change is not None:
            between = f" between {a} and {b}" if a is not None and b is not None else ""
            sig = ""
            if tlo is not None and thi is not None:
                sig = (" — a real change (its interval excludes zero)" if tlo > 0 or thi < 0
                       else " — within sampling noise (its interval includes zero)")
            out.append(f"It moved by {_signed(change)} points{between}{sig}.")
    return out


def summarize_price(results: Mapping[str, Any], brand: str = "the brand",
                    currency: str = "") -> list[str]:
    """Sentences on the price range the value supports (Van Westendorp).

    Reads ``acceptable_range`` / ``price_range`` (``[low, high]`` or ``{low, high}``),
    ``optimal_price`` and ``indifference_price``, and ``currency``.
    """
    cur = str(_get(results, "currency") or currency)
    rng = _get(results, "acceptable_range", "price_range", "range_of_acceptable_prices")
    lo = hi = None
    if isinstance(rng, Mapping):
        lo, hi = _num(_get(rng, "low", "lower", "pmc", "min")), _num(_get(rng, "high", "upper",
                                                                         "pme", "max"))
    elif isinstance(rng, Sequence) and not isinstance(rng, str) and len(rng) == 2:
        lo, hi = _num(rng[0]), _num(rng[1])
    opp = _num(_get(results, "optimal_price", "opp"))
    ipp = _num(_get(results, "indifference_price", "ipp"))
    out = []
    if lo is not None and hi is not None:
        out.append(f"Customers find prices between {_money(lo, cur)} and {_money(hi, cur)} "
                   "acceptable (Van Westendorp's range).")
    if opp is not None and ipp is not None:
        out.append(f"Resistance to price is lowest at {_money(opp, cur)}; at "
                   f"{_money(ipp, cur)} as many find it cheap as find it expensive.")
    elif opp is not None:
        out.append(f"Resistance to price is lowest at {_money(opp, cur)}.")
    return out


#: ``(part, notebook number, heading, summarize function)`` in the order of the summary.
PARTS: tuple[tuple[str, str, str, Callable[..., list[str]]], ...] = (
    ("drivers", "03", "What drives value", summarize_drivers),
    ("focus", "04", "Where to concentrate", summarize_focus),
    ("needs", "02", "Needs and wants", summarize_needs),
    ("value_map", "04", "Place on the value map", summarize_value_map),
    ("loyalty", "05", "Loyalty: NPS and its trend", summarize_loyalty),
    ("price", "05", "The price the value supports", summarize_price),
)


def _brand(run: Path) -> tuple[str, str]:
    p = run / "study.json"
    if not p.is_file():
        return "The brand", ""
    try:
        study = json.loads(p.read_text(encoding="utf-8"))
    except ValueError:
        return "The brand", ""
    b = study.get("brand") or {}
    name = b.get("name") if isinstance(b, Mapping) else str(b)
    cur = (study.get("price") or {}).get("currency", "") if isinstance(study.get("price"),
                                                                        Mapping) else ""
    return name or "The brand", cur or ""


def executive_summary(run_dir: str | Path) -> pd.DataFrame:
    """The executive summary of a run, one row per sentence.

    Parameters
    ----------
    run_dir : str or Path
        A run directory holding ``results/*.json`` (and ``study.json`` for the brand's name).

    Returns
    -------
    DataFrame
        ``part``, ``heading``, ``source`` (the notebook), ``covered`` (False for a part left
        out, whose single row says why) and ``sentence``.

    Examples
    --------
    >>> import tempfile
    >>> from cvmkit.io import write_results
    >>> run = tempfile.mkdtemp()
    >>> _ = write_results(run, "05_value_economics", {"nps": 12.3, "nps_ci_low": 8.1,
    ...                                              "nps_ci_high": 16.4})
    >>> s = executive_summary(run)
    >>> s.loc[s.covered, "sentence"].tolist()
    ["The brand's Net Promoter Score is +12 (95% interval +8 to +16)."]
    """
    run = Path(run_dir)
    brand, currency = _brand(run)
    rows = []
    for part, number, heading, fn in PARTS:
        source, results = find_results(run, number)
        if results is None:
            rows.append({"part": part, "heading": heading, "source": source or f"{number}_*",
                         "covered": False, "sentence": f"notebook {number} did not run"})
            continue
        kw = {"currency": currency} if part == "price" else {}
        sentences = fn(results, brand=brand, **kw)
        if not sentences:
            rows.append({"part": part, "heading": heading, "source": source, "covered": False,
                         "sentence": f"notebook {number} wrote none of the numbers this part "
                                     "needs"})
            continue
        rows.extend({"part": part, "heading": heading, "source": source, "covered": True,
                     "sentence": s} for s in sentences)
    return pd.DataFrame(rows, columns=["part", "heading", "source", "covered", "sentence"])


def at_a_glance(run_dir: str | Path) -> pd.DataFrame:
    """The headline numbers of a run, for the summary's key-figure cards.

    Returns
    -------
    DataFrame
        ``label``, ``value`` (formatted text) and ``source``; only numbers the run wrote.
    """
    run = Path(run_dir)
    brand, currency = _brand(run)
    rows = []
    src, r01 = find_results(run, "01")
    n = _num(_get(r01, "n_clean"))
    if n is not None:
        rows.append({"label": "respondents analysed", "value": f"{n:,.0f}", "source": src})
    src, r03 = find_results(run, "03")
    drivers = _labels(_get(r03, "top_drivers", "drivers"))
    if drivers:
        rows.append({"label": "top driver of value", "value": drivers[0], "source": src})
    src, r05 = find_results(run, "05")
    nps = _get(r05, "nps")
    nps = _num(_get(nps, "nps", "value", "estimate") if isinstance(nps, Mapping) else nps)
    if nps is not None:
        rows.append({"label": f"Net Promoter Score ({brand})", "value": _signed(nps),
                     "source": src})
    src4, r04 = find_results(run, "04")
    pos = _get(r04, "value_map_position", "position", "value_position")
    if isinstance(pos, Mapping):
        pos = _get(pos, "position", "zone", "label")
    if pos:
        rows.append({"label": "place on the value map", "value": str(pos), "source": src4})
    if r05 is not None:
        price = summarize_price(r05, brand, currency)
        rng = _get(r05, "acceptable_range", "price_range", "range_of_acceptable_prices")
        if price and rng is not None:
            cur = str(_get(r05, "currency") or currency)
            lo, hi = ((rng.get("low"), rng.get("high")) if isinstance(rng, Mapping)
                      else (rng[0], rng[1]))
            if _num(lo) is not None and _num(hi) is not None:
                rows.append({"label": "acceptable price range",
                             "value": f"{_money(_num(lo), cur)}–{_money(_num(hi), cur)}",
                             "source": src})
    return pd.DataFrame(rows, columns=["label", "value", "source"])
