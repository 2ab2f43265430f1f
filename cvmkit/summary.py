"""The executive summary: the few things a client must know, in sentences built from the numbers.

:func:`executive_summary` reads the headline numbers notebooks 01–05 wrote with
:func:`cvmkit.io.write_results` (``results/NN_*.json``) and states, part by part:

===========  =========================  ======================================================
part         from                       says
===========  =========================  ======================================================
sample       01 data collection         who was analysed: respondents kept, excluded and why,
                                        and the weighting (only when the study declares weights)
drivers      03 driver regression       the top drivers of the overall rating, with their certainty
focus        04 value maps              the attributes to concentrate on (importance–performance)
needs        02 needs vs wants          needs that are unmet, wants that could differentiate
value_map    04 value maps              the brand's place on the customer value map
loyalty      05 value economics         NPS with its interval, its trend between waves
price        05 value economics         the price range the value supports
segments     06 segments and change     the needs-based segments: their sizes, what each values
sentiment    06 segments and change     the themes of the open-ended answers most often negative
change       06 segments and change     what changed significantly since the last wave
management   06 segments and change     management's blind spots and myths against its customers
===========  =========================  ======================================================

What a study holds is decided in one place: the run's ``capabilities.json`` (written by notebook
01, read with :func:`cvmkit.sections.read_capabilities`), or, in a run without it, the study's
own answer (:meth:`cvmkit.study.Study.capabilities`) — see :func:`run_capabilities`.  A part
whose analysis the study does not support is left out and listed as not covered with the
capability's one sentence (:attr:`cvmkit.capabilities.Capability.sentence`); a sentence about a
comparison the study cannot make (competitors, segments, waves, weights) is never written.  A
part whose notebook did not run — or ran but wrote none of the numbers the part needs (a key
that is null, an empty list) — is left out too, and says so; nothing is guessed.  Every sentence
is a template filled with numbers and labels read from the run, so the same run always gives
the same words.

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

from .capabilities import Capability

__all__ = [
    "PARTS",
    "REQUIRES",
    "at_a_glance",
    "brand_name",
    "executive_summary",
    "find_results",
    "run_capabilities",
    "summarize_actions",
    "summarize_drivers",
    "summarize_focus",
    "summarize_loyalty",
    "summarize_management",
    "summarize_needs",
    "summarize_price",
    "summarize_sample",
    "summarize_sentiment",
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


def _unmet_needs(items: list[str], brand: str) -> str:
    """The sentence naming the basic needs the brand falls short on."""
    one = len(items) == 1
    return (f"Unmet {'need' if one else 'needs'}: {_join(items)}. Customers take "
            f"{'it' if one else 'them'} for granted and punish a shortfall, and {brand} falls "
            "short.")


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


def _seq(value: Any) -> list[Any]:
    """``value`` as a list when it is a non-empty list or tuple, else ``[]``."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    return []


def _has(caps: Mapping[str, Capability] | None, name: str) -> bool:
    """Whether the study supports ``name``; unknown (no capabilities at all) counts as yes."""
    if caps is None or name not in caps:
        return True
    return bool(caps[name].available)


#: How the overall rating a driver analysis explains is named: (what drives it, its ratings).
_OUTCOME_WORDS = {"value": ("overall value", "overall value ratings"),
                  "csat": ("overall satisfaction", "satisfaction ratings"),
                  "nps": ("likelihood to recommend", "likelihood-to-recommend ratings"),
                  "ces": ("ease of doing business", "customer-effort ratings")}


def _outcome_words(results: Mapping[str, Any] | None,
                   default: str | None = None) -> tuple[str, str]:
    o = _get(results, "outcome") or default
    if isinstance(o, str) and o.strip() in _OUTCOME_WORDS:
        return _OUTCOME_WORDS[o.strip()]
    return "overall rating", "overall ratings"


# ---------------------------------------------------------------------- the parts
#: Each quality check named for a reader: (one, several).
_CHECK_WORDS = {
    "duplicate": ("duplicate submission", "duplicate submissions"),
    "out_of_range": ("respondent with out-of-range answers", "respondents with out-of-range "
                     "answers"),
    "straightliner": ("straight-liner (the same answer to a whole grid)",
                      "straight-liners (the same answer to a whole grid)"),
    "speeder": ("speeder (too fast to have read the questions)",
                "speeders (too fast to have read the questions)"),
    "high_missing": ("respondent who skipped most questions",
                     "respondents who skipped most questions"),
}


def _counted(counts: Any) -> list[str]:
    out = []
    if isinstance(counts, Mapping):
        for check, n in counts.items():
            k = _num(n)
            if k is None or k <= 0:
                continue
            one, many = _CHECK_WORDS.get(str(check), (str(check).replace("_", " "),) * 2)
            out.append(f"{k:,.0f} {one if k == 1 else many}")
    return out


def summarize_sample(results: Mapping[str, Any],
                     caps: Mapping[str, Capability] | None = None) -> list[str]:
    """Sentences on who was analysed: respondents kept, excluded and why, and the weighting.

    Reads notebook 01's ``n_raw``, ``n_clean``, ``n_excluded``, ``excluded_by_check`` (check →
    respondents it excluded), ``exclusion_checks``, ``flagged_not_excluded`` (check →
    respondents flagged but kept), ``numbered_rows``, ``design_effect`` and ``effective_n``.
    Weighting is mentioned only when the study declares weights (capability ``weights``).

    Examples
    --------
    >>> for s in summarize_sample({"n_raw": 1200, "n_clean": 1180, "n_excluded": 20,
    ...         "excluded_by_check": {"duplicate": 20}, "exclusion_checks": ["duplicate"],
    ...         "flagged_not_excluded": {"speeder": 31}}):
    ...     print(s)  # doctest: +NORMALIZE_WHITESPACE
    The analysis uses 1,180 of the 1,200 respondents in the survey export.
    20 were excluded: 20 duplicate submissions.
    Other quality flags were counted but the respondents kept, as the study does not exclude on
    them: 31 speeders (too fast to have read the questions).
    """
    n_raw = _num(_get(results, "n_raw"))
    n_clean = _num(_get(results, "n_clean"))
    n_excl = _num(_get(results, "n_excluded"))
    if n_excl is None and n_raw is not None and n_clean is not None:
        n_excl = n_raw - n_clean
    out = []
    if n_clean is None:
        return out
    if n_raw is not None and n_raw > n_clean:
        out.append(f"The analysis uses {n_clean:,.0f} of the {n_raw:,.0f} respondents in the "
                   "survey export.")
    else:
        out.append(f"The analysis uses all {n_clean:,.0f} respondents in the survey export; "
                   "none was excluded.")
    reasons = _counted(_get(results, "excluded_by_check"))
    if n_excl:
        were = "was" if n_excl == 1 else "were"
        if reasons:
            by_check = _get(results, "excluded_by_check")
            total = sum(_num(v) or 0 for v in by_check.values())
            out.append(f"{n_excl:,.0f} {were} excluded: {_join(reasons)}.")
            if total > n_excl:
                out.append("A respondent excluded for several reasons is counted under each.")
        else:
            out.append(f"{n_excl:,.0f} {were} excluded by the quality checks.")
        checks = [str(c) for c in _seq(_get(results, "exclusion_checks"))]
        if _get(results, "numbered_rows") is True and "duplicate" in checks:
            out.append("The export carries no respondent id, so a duplicate is a row that "
                       "repeats an earlier one in every answer, its open-ended answer or "
                       "interview length included.")
    kept = _counted(_get(results, "flagged_not_excluded"))
    if kept:
        out.append("Other quality flags were counted but the respondents kept, as the study "
                   f"does not exclude on them: {_join(kept)}.")
    weighted = caps is not None and "weights" in caps and caps["weights"].available
    if weighted:
        deff = _num(_get(results, "design_effect"))
        n_eff = _num(_get(results, "effective_n"))
        if deff is not None and n_eff is not None:
            out.append(f"Responses are weighted as the study specifies; the weighting costs "
                       f"precision (design effect {deff:.2f}), so the {n_clean:,.0f} respondents "
                       f"carry the information of about {n_eff:,.0f} unweighted ones.")
        else:
            out.append("Responses are weighted as the study specifies.")
    return out


def summarize_drivers(results: Mapping[str, Any], brand: str = "the brand",
                      labels: Mapping[str, str] | None = None,
                      caps: Mapping[str, Capability] | None = None,
                      outcome: str | None = None) -> list[str]:
    """Sentences on the top drivers of the overall rating and how certain they are.

    Reads notebook 03's ``top_drivers`` (attribute ids, largest first), ``shares`` (each
    driver's LMG share of R², in per cent), ``intervals`` (bootstrap 95% interval of each
    share), ``r2``, ``outcome`` (else ``outcome``, the study's overall outcome),
    ``p_top_outranks_second`` (bootstrap probability that the
    first driver outranks the second) and — when the study has segments — ``segment_differences``.

    Examples
    --------
    >>> res = {"top_drivers": ["rel", "ease"], "shares": {"rel": 31.2, "ease": 22.0},
    ...        "intervals": {"rel": [26.1, 36.0], "ease": [18.3, 27.4]}, "r2": 0.58,
    ...        "outcome": "value", "p_top_outranks_second": 0.99}
    >>> for s in summarize_drivers(res, "Brand A", {"rel": "Reliability", "ease": "Ease of use"}):
    ...     print(s)  # doctest: +NORMALIZE_WHITESPACE
    Brand A's overall value is driven most by Reliability (31.2% of the explained variance, 95%
    interval 26.1–36.0%) and Ease of use (22.0%, 18.3–27.4%).
    Together the attributes explain 58% of the variation in overall value ratings (R²).
    Reliability's lead is settled: it outranks Ease of use in 99% of bootstrap samples.
    """
    labels = labels or {}
    top = _seq(_get(results, "top_drivers"))
    if not top:
        return []
    ids = [str(t) if not isinstance(t, Mapping) else str(_get(t, "driver", "attribute", "id"))
           for t in top]
    shares = _get(results, "shares") if isinstance(_get(results, "shares"), Mapping) else {}
    intervals = (_get(results, "intervals") if isinstance(_get(results, "intervals"), Mapping)
                 else {})
    values = [_num(v) for v in shares.values() if _num(v) is not None]
    scale = 1.0 if values and max(values) > 1.0 else 100.0  # per cent or fractions
    what_rating, ratings = _outcome_words(results, outcome)

    def name(d: str) -> str:
        return labels.get(d, d)

    parts = []
    for k, d in enumerate(ids[:3]):
        share = _num(shares.get(d))
        if share is None:
            parts.append(name(d))
            continue
        what = " of the explained variance" if k == 0 else ""
        ci = intervals.get(d)
        if isinstance(ci, Sequence) and len(ci) == 2 and None not in (_num(ci[0]),
                                                                      _num(ci[1])):
            lo, hi = _num(ci[0]) * scale, _num(ci[1]) * scale
            ci_text = f"95% interval {lo:.1f}–{hi:.1f}%" if k == 0 else f"{lo:.1f}–{hi:.1f}%"
            parts.append(f"{name(d)} ({share * scale:.1f}%{what}, {ci_text})")
        else:
            parts.append(f"{name(d)} ({share * scale:.1f}%{what})")
    out = [f"{brand}'s {what_rating} is driven most by {_join(parts)}."]
    r2 = _num(_get(results, "r2"))
    if r2 is not None:
        out.append(f"Together the attributes explain {_pct(r2)} of the variation in "
                   f"{ratings} (R²).")
    p = _num(_get(results, "p_top_outranks_second"))
    if p is not None and len(ids) > 1:
        first, second = name(ids[0]), name(ids[1])
        if p >= 0.95:
            out.append(f"{first}'s lead is settled: it outranks {second} in {_pct(p)} of "
                       "bootstrap samples.")
        else:
            out.append(f"{first}'s lead over {second} is not settled: it comes first in only "
                       f"{_pct(p)} of bootstrap samples, so treat the top drivers as a group.")
    diffs = _seq(_get(results, "segment_differences")) if _has(caps, "segments") else []
    rows = [d for d in diffs if isinstance(d, Mapping) and _num(d.get("difference")) is not None
            and d.get("driver") is not None and d.get("segment_a") is not None
            and d.get("segment_b") is not None]
    if rows:
        big = max(rows, key=lambda d: abs(_num(d["difference"])))
        diff = _num(big["difference"]) * scale
        more = "more" if diff > 0 else "less"
        drivers = sorted({name(str(d.get("driver"))) for d in rows})
        out.append(f"Drivers differ between segments for {_join(drivers)}: most of all, "
                   f"{name(str(big.get('driver')))} weighs {abs(diff):.1f} points {more} "
                   f"for {big.get('segment_a')} than for {big.get('segment_b')}.")
    return out


def _focus_items(act_on: Any) -> list[str]:
    out = []
    for a in _seq(act_on):
        if not isinstance(a, Mapping) or _get(a, "action") != "improve":
            continue
        lab = _label(a)
        gap = _num(_get(a, "gap_to_best"))
        best = _get(a, "best_competitor")
        if lab and gap is not None and best:
            out.append(f"{lab} ({abs(gap):.1f} points behind {best})")
        elif lab:
            out.append(lab)
    return out


def summarize_focus(results: Mapping[str, Any], brand: str = "the brand",
                    caps: Mapping[str, Capability] | None = None) -> list[str]:
    """Sentences on where to concentrate (importance–performance analysis, benchmark).

    Reads notebook 04's ``concentrate_here``, ``keep_up`` and ``possible_overkill`` (attribute
    labels by IPA quadrant) and — when the study has competitors — ``act_on`` (``{action,
    label, gap_to_best, best_competitor}``).

    Examples
    --------
    >>> summarize_focus({"concentrate_here": ["Ease of use"], "keep_up": ["Reliability"],
    ...                  "act_on": [{"action": "improve", "label": "Ease of use",
    ...                              "gap_to_best": -1.48, "best_competitor": "Brand B"}]},
    ...                 brand="Brand A")  # doctest: +NORMALIZE_WHITESPACE
    ['Concentrate on Ease of use: customers rate it as important and Brand A performs below par
    there.', 'The gaps to close: Ease of use (1.5 points behind Brand B).',
    'Keep up the good work on Reliability.']
    """
    quadrant = _get(results, "concentrate_here")
    focus = _labels(quadrant)
    keep = _labels(_get(results, "keep_up"))
    overkill = _labels(_get(results, "possible_overkill"))
    improve = _focus_items(_get(results, "act_on")) if _has(caps, "competitors") else []
    out = []
    if focus:
        it = "it" if len(focus) == 1 else "them"
        out.append(f"Concentrate on {_join(focus)}: customers rate {it} as important and "
                   f"{brand} performs below par there.")
    elif isinstance(quadrant, Sequence) and not isinstance(quadrant, str) and (keep or overkill):
        out.append(f"No important attribute falls short: {brand} has nothing in the "
                   "'concentrate here' quadrant.")
    if improve:
        out.append(f"The gaps to close: {_join(improve)}.")
    if keep:
        out.append(f"Keep up the good work on {_join(keep)}.")
    if overkill:
        verb = "gets" if len(overkill) == 1 else "get"
        named = overkill if len(overkill) <= 3 else [*overkill[:3], f"{len(overkill) - 3} more"]
        out.append(f"{_join(named)} {verb} more effort than customers' priorities justify "
                   "(possible overkill): a place to save rather than spend.")
    return out


def summarize_actions(actions: pd.DataFrame, brand: str = "the brand") -> list[str]:
    """Sentences on where to concentrate, from the reconciled actions
    (:func:`cvmkit.actions.recommend_actions`): the same frame the report's action page shows.

    Examples
    --------
    >>> import pandas as pd
    >>> acts = pd.DataFrame({"label": ["Ease of use", "Reliability", "Packaging"],
    ...                      "action": ["improve", "maintain", "save"]})
    >>> for s in summarize_actions(acts, brand="Brand A"):
    ...     print(s)  # doctest: +NORMALIZE_WHITESPACE
    Improve first: Ease of use.
    Maintain Brand A's strength on Reliability.
    Packaging gets more effort than its importance justifies: a possible saving, as it is not
    a basic need and no competitor is ahead on it.
    """
    if actions is None or not len(actions):
        return []
    by = {a: actions.loc[actions["action"] == a, "label"].astype(str).tolist()
          for a in actions["action"].unique()}
    out = []
    if by.get("improve"):
        out.append(f"Improve first: {_join(by['improve'])}.")
    if by.get("defend"):
        out.append(f"Defend {_join(by['defend'])}: {brand} delivers well there, but a "
                   "competitor is significantly ahead.")
    if by.get("maintain"):
        out.append(f"Maintain {brand}'s strength on {_join(by['maintain'])}.")
    if by.get("save"):
        one = len(by["save"]) == 1
        out.append(f"{_join(by['save'])} {'gets' if one else 'get'} more effort than "
                   f"{'its' if one else 'their'} importance justifies: a possible saving, as "
                   f"{'it is not a basic need' if one else 'none is a basic need'} and no "
                   f"competitor is ahead on {'it' if one else 'them'}.")
    if not out and by.get("on par"):
        out.append("No attribute stands out from the others on importance and performance "
                   "once the uncertainty of the estimates is taken into account.")
    return out


def summarize_needs(results: Mapping[str, Any], brand: str = "the brand",
                    labels: Mapping[str, str] | None = None,
                    maps: Mapping[str, Any] | None = None,
                    caps: Mapping[str, Capability] | None = None,
                    actions: pd.DataFrame | None = None) -> list[str]:
    """Sentences on unmet needs and wants that could differentiate.

    Reads notebook 02's ``needs`` and ``wants`` (attribute ids, in the reconciled Kano /
    penalty–reward / stated-vs-derived roles) and, when notebook 04 ran on a study with
    competitors, its ``competitors_ahead`` (attribute label → competitors significantly ahead):
    a need on which a competitor is ahead is an **unmet** need.  Otherwise the needs are named
    but not judged.  With ``actions`` (:func:`cvmkit.actions.recommend_actions`), the verdicts
    are that frame's: a need is unmet exactly when its action is ``improve``, and a want is
    said to differentiate exactly when its action is ``differentiate``.

    Examples
    --------
    >>> print(summarize_needs({"needs": ["ease"], "wants": ["app"]}, brand="Brand A",
    ...       labels={"ease": "Ease of use", "app": "Online ordering"},
    ...       maps={"competitors_ahead": {"Ease of use": ["Brand B"]}})[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    Unmet need: Ease of use (Brand B ahead). Customers take it for granted and punish a
    shortfall, and Brand A falls short.
    """
    labels = labels or {}
    needs = [labels.get(a, a) for a in _labels(_get(results, "needs"))]
    wants = [labels.get(a, a) for a in _labels(_get(results, "wants"))]
    out = []
    ahead = _get(maps, "competitors_ahead") if maps is not None else None
    if actions is not None and len(actions):
        act = dict(zip(actions["label"].astype(str), actions["action"]))
        comp = dict(zip(actions["label"].astype(str), actions["competitors_ahead"].fillna("")))
        unmet = [n for n in needs if act.get(n) == "improve"]
        met = [n for n in needs if n not in unmet]
        if unmet:
            out.append(_unmet_needs([f"{n} ({comp[n]} ahead)" if comp.get(n) else n
                                     for n in unmet], brand))
        if met:
            other = "The other basic" if unmet else "The basic"
            out.append(f"{other} {'need' if len(met) == 1 else 'needs'} — expected as a matter "
                       f"of course — {'is' if len(met) == 1 else 'are'} {_join(met)}; "
                       f"{brand} does not fall short there.")
        wants = [w for w in wants if act.get(w) == "differentiate"]
    elif needs and isinstance(ahead, Mapping) and _has(caps, "competitors"):
        unmet = [n for n in needs if ahead.get(n)]
        met = [n for n in needs if not ahead.get(n)]
        if unmet:
            out.append(_unmet_needs([f"{n} ({_join(_labels(ahead[n]))} ahead)"
                                     for n in unmet], brand))
        if met:
            other = "the other basic" if unmet else "the basic"
            out.append(f"{brand} keeps up with its competitors on {other} "
                       f"{'need' if len(met) == 1 else 'needs'}: {_join(met)}.")
    elif needs:
        out.append(f"The basic needs — expected as a matter of course, punished when missing — "
                   f"are {_join(needs)}.")
    if wants:
        it = "it" if len(wants) == 1 else "them"
        out.append(f"{_join(wants)} could differentiate: customers do not expect {it}, so "
                   "doing well there delights more than falling short disappoints.")
    return out


def summarize_value_map(results: Mapping[str, Any], brand: str = "the brand",
                        economics: Mapping[str, Any] | None = None,
                        caps: Mapping[str, Capability] | None = None) -> list[str]:
    """Sentences on the brand's place on the customer value map.

    Reads notebook 04's ``value_map_position`` (``better value``, ``fair value`` or ``worse
    value``), ``relative_quality`` and ``relative_price`` (ratios to the market) and
    ``value_zones`` (brand → zone).  Nothing when the study supports no value map.

    Examples
    --------
    >>> print(*summarize_value_map({"value_map_position": "better value",
    ...       "relative_quality": 1.04, "relative_price": 0.89}, brand="Brand A"))
    ... # doctest: +NORMALIZE_WHITESPACE
    On the customer value map Brand A offers better value: customers see its quality at 1.04
    times the market average and its price at 0.89 times.
    """
    if not _has(caps, "value_map"):
        return []
    pos = _get(results, "value_map_position")
    pos = pos if isinstance(pos, str) and pos.strip() else None
    q = _num(_get(results, "relative_quality"))
    p = _num(_get(results, "relative_price"))
    out = []
    if pos and q is not None and p is not None:
        out.append(f"On the customer value map {brand} offers {pos}: customers see its quality "
                   f"at {q:.2f} times the market average and its price at {p:.2f} times.")
    elif pos:
        out.append(f"On the customer value map {brand} offers {pos}.")
    zones = _get(results, "value_zones")
    if isinstance(zones, Mapping) and pos:
        same = sorted(str(b) for b, z in zones.items() if z == pos and b != brand)
        if same:
            out.append(f"{_join(same)} {'shares' if len(same) == 1 else 'share'} that zone.")
        elif len(zones) > 1:
            out.append("No competitor shares that zone.")
    return out


def _flat_by_segment(by_seg: Any) -> dict[str, float]:
    """``{level: value}`` from ``{level: value}`` or ``{column: {level: value}}``."""
    out: dict[str, float] = {}
    if not isinstance(by_seg, Mapping):
        return out
    for k, v in by_seg.items():
        if isinstance(v, Mapping):
            for level, x in v.items():
                if _num(x) is not None:
                    out[str(level)] = _num(x)
        elif _num(v) is not None:
            out[str(k)] = _num(v)
    return out


def summarize_loyalty(results: Mapping[str, Any], brand: str = "the brand",
                      caps: Mapping[str, Capability] | None = None) -> list[str]:
    """Sentences on NPS, its interval and — where the study has them — its trend between waves
    and its spread by segment.

    Reads notebook 05's ``nps``, ``nps_ci_low``, ``nps_ci_high``, ``nps_trend`` (``{from, to,
    change, ci_low, ci_high}``) and ``nps_by_segment``.

    Examples
    --------
    >>> for s in summarize_loyalty({"nps": 13.1, "nps_ci_low": 7.8, "nps_ci_high": 18.3,
    ...         "nps_trend": {"from": "1", "to": "2", "change": 14.1, "ci_low": 3.7,
    ...                       "ci_high": 24.6}}, brand="Brand A"):
    ...     print(s)  # doctest: +NORMALIZE_WHITESPACE
    Brand A's Net Promoter Score is +13 (95% interval +8 to +18).
    Between wave 1 and wave 2 it rose by 14 points (95% interval +4 to +25): a real change,
    not sampling noise.
    """
    nps = _num(_get(results, "nps"))
    lo = _num(_get(results, "nps_ci_low"))
    hi = _num(_get(results, "nps_ci_high"))
    out = []
    if nps is None or not _has(caps, "nps"):
        return out
    ci = (f" (95% interval {_signed(lo)} to {_signed(hi)})"
          if lo is not None and hi is not None else "")
    out.append(f"{brand}'s Net Promoter Score is {_signed(nps)}{ci}.")
    trend = _get(results, "nps_trend") if _has(caps, "waves") else None
    if isinstance(trend, Mapping) and _num(_get(trend, "change")) is not None:
        change = _num(trend["change"])
        a, b = _get(trend, "from"), _get(trend, "to")
        between = (f"Between wave {a} and wave {b}" if a not in (None, "") and b not in (None, "")
                   else "Between the last two waves")
        verb = "rose" if change > 0 else "fell" if change < 0 else "stayed"
        tlo, thi = _num(_get(trend, "ci_low")), _num(_get(trend, "ci_high"))
        ci = (f" (95% interval {_signed(tlo)} to {_signed(thi)})"
              if tlo is not None and thi is not None else "")
        verdict = ""
        if tlo is not None and thi is not None:
            verdict = (": a real change, not sampling noise" if tlo > 0 or thi < 0
                       else ": within sampling noise, not yet a trend")
        amount = f" by {abs(change):.0f} points" if change else " level"
        out.append(f"{between} it {verb}{amount}{ci}{verdict}.")
    vals = _flat_by_segment(_get(results, "nps_by_segment")) if _has(caps, "segments") else {}
    if len(vals) > 1:
        low = min(vals, key=vals.get)
        high = max(vals, key=vals.get)
        out.append(f"By segment it ranges from {_signed(vals[low])} ({low}) to "
                   f"{_signed(vals[high])} ({high}).")
    return out


def summarize_price(results: Mapping[str, Any], brand: str = "the brand",
                    currency: str = "",
                    caps: Mapping[str, Capability] | None = None) -> list[str]:
    """Sentences on the price range the value supports (Van Westendorp, Newton–Miller–Smith,
    Gabor–Granger), each only where the study asked its questions.

    Reads notebook 05's ``acceptable_range`` (``{low, high}``), ``optimal_price``,
    ``indifference_price``, ``revenue_max_price``, ``gabor_granger_best_price`` and
    ``currency``.

    Examples
    --------
    >>> for s in summarize_price({"acceptable_range": {"low": 2.1, "high": 4.39},
    ...         "optimal_price": 3.06, "indifference_price": 3.09, "currency": "£"}):
    ...     print(s)  # doctest: +NORMALIZE_WHITESPACE
    Customers find prices between £2.10 and £4.39 acceptable (the range of acceptable prices,
    Van Westendorp).
    Resistance to price is lowest at about £3.06, and at about £3.09 as many customers find
    the price cheap as expensive.
    These prices are interpolated between the prices customers named themselves; none was put
    to them.
    """
    cur = str(_get(results, "currency") or currency)
    out = []
    if _has(caps, "van_westendorp"):
        rng = _get(results, "acceptable_range")
        lo = hi = None
        if isinstance(rng, Mapping):
            lo, hi = _num(_get(rng, "low")), _num(_get(rng, "high"))
        elif len(_seq(rng)) == 2:
            lo, hi = _num(rng[0]), _num(rng[1])
        opp = _num(_get(results, "optimal_price"))
        ipp = _num(_get(results, "indifference_price"))
        if lo is not None and hi is not None:
            out.append(f"Customers find prices between {_money(lo, cur)} and "
                       f"{_money(hi, cur)} acceptable (the range of acceptable prices, "
                       "Van Westendorp).")
        if opp is not None and ipp is not None:
            out.append(f"Resistance to price is lowest at about {_money(opp, cur)}, and at "
                       f"about {_money(ipp, cur)} as many customers find the price cheap as "
                       "expensive.")
        elif opp is not None:
            out.append(f"Resistance to price is lowest at about {_money(opp, cur)}.")
        if lo is not None or opp is not None:
            out.append("These prices are interpolated between the prices customers named "
                       "themselves; none was put to them.")
    rev = _num(_get(results, "revenue_max_price"))
    if rev is not None and _has(caps, "purchase_likelihood"):
        out.append(f"Expected revenue is highest at about {_money(rev, cur)}, a price "
                   "interpolated from customers' answers rather than one they were asked about "
                   "(Newton–Miller–Smith).")
    gg = _num(_get(results, "gabor_granger_best_price"))
    if gg is not None and _has(caps, "gabor_granger"):
        out.append(f"Of the prices asked about directly, {_money(gg, cur)} brings in the most "
                   "revenue (Gabor–Granger).")
    return out


# ---------------------------------------------------------------------- the run
#: What each disagreement of management with its customers means, for a reader.
_VERDICT_WORDS = {
    "blind spot": "customers care more about {items} than management thinks (a blind spot)",
    "myth": "management rates {items} as more important than its customers do (a myth)",
    "overrated": "management believes {brand} does better on {items} than its customers say",
    "underrated": "management believes {brand} does worse on {items} than its customers say",
}


def summarize_management(results: Mapping[str, Any] | None, brand: str = "the brand",
                         labels: Mapping[str, str] | None = None) -> list[str]:
    """Where management's view of the attributes differs from its customers', in words.

    ``results`` is notebook 06's (``management_disagreements``: attribute, measure, verdict).
    The sentence states beliefs against answers, never an action: what to do with each
    attribute is the recommended actions' one frame (:func:`cvmkit.actions.recommend_actions`).

    Examples
    --------
    >>> res = {"management_disagreements": [
    ...     {"attribute": "speed", "measure": "importance", "verdict": "blind spot"},
    ...     {"attribute": "app", "measure": "importance", "verdict": "myth"}]}
    >>> for s in summarize_management(res, labels={"speed": "Fast service", "app": "Mobile app"}):
    ...     print(s)  # doctest: +NORMALIZE_WHITESPACE
    Customers care more about Fast service than management thinks (a blind spot); management
    rates Mobile app as more important than its customers do (a myth).
    """
    rows = _seq(_get(results, "management_disagreements"))
    if results is None or _get(results, "management_finding") is None and not rows:
        return []
    if not rows:
        return ["Management's view of what matters and how well the brand delivers agrees "
                "with its customers' on every attribute."]
    labels = labels or {}
    by: dict[str, list[str]] = {}
    for r in rows:
        if not isinstance(r, Mapping) or r.get("verdict") not in _VERDICT_WORDS:
            continue
        a = str(r.get("attribute"))
        by.setdefault(str(r["verdict"]), []).append(labels.get(a, a))
    parts = [_VERDICT_WORDS[v].format(items=_join(by[v]), brand=brand)
             for v in _VERDICT_WORDS if v in by]
    if not parts:
        return []
    text = "; ".join(parts)
    return [text[:1].upper() + text[1:] + "."]


def _study(run: Path) -> dict[str, Any]:
    p = run / "study.json"
    try:
        raw = json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def run_capabilities(run_dir: str | Path) -> dict[str, Capability] | None:
    """What the study of a run supports: the one answer the summary and the report use.

    The run's ``capabilities.json`` (notebook 01 writes it for the clean data); in a run
    without it, the study's own answer (:meth:`cvmkit.study.Study.capabilities`) from the
    run's ``study.json`` and, when present, its clean data.  ``None`` when the run holds no
    study either: then only the results decide what is said.
    """
    from .sections import read_capabilities

    run = Path(run_dir)
    try:
        caps = read_capabilities(run)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        caps = None
    if caps is not None:
        return caps
    if not (run / "study.json").is_file():
        return None
    try:
        from .study import Study

        study = Study.from_json(run / "study.json")
    except Exception:  # an unreadable study: say only what the results hold
        return None
    data = None
    if (run / "clean.parquet").is_file():
        try:
            data = pd.read_parquet(run / "clean.parquet")
        except Exception:
            data = None
    try:
        return study.capabilities(data)
    except Exception:
        return None


def brand_name(study: Mapping[str, Any]) -> str:
    """The focal brand's name in a run's study file (``brand`` is a name or a mapping)."""
    b = study.get("brand")
    return str((b.get("name") if isinstance(b, Mapping) else b) or "The brand")


def _context(run: Path) -> dict[str, Any]:
    study = _study(run)
    brand = brand_name(study)
    price = study.get("price") if isinstance(study.get("price"), Mapping) else {}
    labels = {str(a["id"]): str(a.get("label") or a["id"])
              for a in _seq(study.get("attributes"))
              if isinstance(a, Mapping) and "id" in a}
    outcomes = study.get("outcomes") if isinstance(study.get("outcomes"), Mapping) else {}
    overall = next((o for o in ("value", "csat", "nps") if o in outcomes), next(iter(outcomes),
                                                                                 None))
    results = {}
    for number in ("01", "02", "03", "04", "05", "06"):
        results[number] = find_results(run, number)
    from .actions import read_actions

    return {"brand": str(brand), "currency": str(price.get("currency", "") or ""),
            "labels": labels, "results": results, "caps": run_capabilities(run),
            "outcome": overall, "actions": read_actions(run)}


def _res(ctx: dict[str, Any], number: str) -> dict[str, Any] | None:
    r = ctx["results"][number][1]
    return r if isinstance(r, Mapping) else None


def _part_sample(ctx: dict[str, Any]) -> list[str]:
    return summarize_sample(_res(ctx, "01"), caps=ctx["caps"])


def _part_drivers(ctx: dict[str, Any]) -> list[str]:
    return summarize_drivers(_res(ctx, "03"), brand=ctx["brand"], labels=ctx["labels"],
                             caps=ctx["caps"], outcome=ctx["outcome"])


def _part_focus(ctx: dict[str, Any]) -> list[str]:
    if len(ctx["actions"]):
        return summarize_actions(ctx["actions"], brand=ctx["brand"])
    return summarize_focus(_res(ctx, "04"), brand=ctx["brand"], caps=ctx["caps"])


def _part_needs(ctx: dict[str, Any]) -> list[str]:
    return summarize_needs(_res(ctx, "02"), brand=ctx["brand"], labels=ctx["labels"],
                           maps=_res(ctx, "04"), caps=ctx["caps"],
                           actions=ctx["actions"] if len(ctx["actions"]) else None)


def _part_value_map(ctx: dict[str, Any]) -> list[str]:
    return summarize_value_map(_res(ctx, "04"), brand=ctx["brand"], caps=ctx["caps"])


def _part_loyalty(ctx: dict[str, Any]) -> list[str]:
    return summarize_loyalty(_res(ctx, "05"), brand=ctx["brand"], caps=ctx["caps"])


def _part_price(ctx: dict[str, Any]) -> list[str]:
    return summarize_price(_res(ctx, "05"), brand=ctx["brand"], currency=ctx["currency"],
                           caps=ctx["caps"])


def _finding(key: str) -> Callable[[dict[str, Any]], list[str]]:
    """A part stated by notebook 06's sentence ``key`` (written for a reader already)."""
    def build(ctx: dict[str, Any]) -> list[str]:
        sentence = _get(_res(ctx, "06"), key)
        return [sentence.strip()] if isinstance(sentence, str) and sentence.strip() else []
    return build


def _part_management(ctx: dict[str, Any]) -> list[str]:
    return summarize_management(_res(ctx, "06"), brand=ctx["brand"], labels=ctx["labels"])


def summarize_sentiment(results: Mapping[str, Any] | None) -> list[str]:
    """The sentiment of the open-ended answers: notebook 06's sentence on the most negative
    themes, or, without a code frame to sort answers into themes, the share negative overall.

    Examples
    --------
    >>> print(summarize_sentiment({"sentiment_share_negative": 0.19, "sentiment_mean": 0.22})[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    19% of the open-ended answers are negative; their mean sentiment is +0.22 on a scale from
    −1 (most negative) to +1.
    """
    found = _get(results, "sentiment_finding")
    if isinstance(found, str) and found.strip():
        return [found.strip()]
    share, mean = _num(_get(results, "sentiment_share_negative")), _num(_get(results,
                                                                           "sentiment_mean"))
    if share is None or mean is None:
        return []
    return [f"{_pct(share)} of the open-ended answers are negative; their mean sentiment is "
            f"{mean:+.2f} on a scale from −1 (most negative) to +1."]


def _part_sentiment(ctx: dict[str, Any]) -> list[str]:
    return summarize_sentiment(_res(ctx, "06"))


#: ``(part, notebook number, heading, builder)`` in the order of the summary.
PARTS: tuple[tuple[str, str, str, Callable[[dict[str, Any]], list[str]]], ...] = (
    ("sample", "01", "Who was analysed", _part_sample),
    ("drivers", "03", "What drives the overall rating", _part_drivers),
    ("focus", "04", "Where to concentrate", _part_focus),
    ("needs", "02", "Needs and wants", _part_needs),
    ("value_map", "04", "Place on the value map", _part_value_map),
    ("loyalty", "05", "Loyalty: the Net Promoter Score", _part_loyalty),
    ("price", "05", "The price the value supports", _part_price),
    ("segments", "06", "Needs-based segments", _finding("needs_segments_finding")),
    ("sentiment", "06", "What customers complain about", _part_sentiment),
    ("change", "06", "What changed since the last wave", _finding("change_finding")),
    ("management", "06", "Management's view against the customers'", _part_management),
)

#: The capabilities a part draws on: it runs when the study supports any of them; when it
#: supports none, the first one's sentence says why the part is left out.
REQUIRES: dict[str, tuple[str, ...]] = {
    "sample": (),
    "drivers": ("drivers",),
    "focus": ("stated_importance", "drivers"),
    "needs": ("kano", "stated_importance", "drivers"),
    "value_map": ("value_map",),
    "loyalty": ("nps",),
    "price": ("van_westendorp", "purchase_likelihood", "gabor_granger"),
    "segments": ("needs_segments",),
    "sentiment": ("sentiment",),
    "change": ("waves",),
    "management": ("management_map",),
}


def _unsupported(part: str, caps: Mapping[str, Capability] | None) -> Capability | None:
    """The capability whose sentence explains why ``part`` is left out, or None if it runs."""
    needs = [n for n in REQUIRES.get(part, ()) if caps is not None and n in caps]
    if not needs or any(caps[n].available for n in needs):
        return None
    return caps[needs[0]]


def executive_summary(run_dir: str | Path) -> pd.DataFrame:
    """The executive summary of a run, one row per sentence.

    Parameters
    ----------
    run_dir : str or Path
        A run directory holding ``results/*.json`` (and ``study.json`` for the brand's name
        and the attributes' labels, ``capabilities.json`` for what the study supports).

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
    >>> s.loc[~s.covered, ["part", "sentence"]].head(2).values.tolist()
    [['sample', 'notebook 01 did not run'], ['drivers', 'notebook 03 did not run']]
    """
    ctx = _context(Path(run_dir))
    rows = []
    for part, number, heading, build in PARTS:
        source, results = ctx["results"][number]
        missing = _unsupported(part, ctx["caps"])
        if missing is not None:
            rows.append({"part": part, "heading": heading, "source": source or f"{number}_*",
                         "covered": False, "sentence": missing.plain_sentence})
            continue
        if not isinstance(results, Mapping):
            rows.append({"part": part, "heading": heading, "source": source or f"{number}_*",
                         "covered": False, "sentence": f"notebook {number} did not run"})
            continue
        sentences = build(ctx)
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

    Only numbers the run wrote, and only for analyses the study supports.

    Returns
    -------
    DataFrame
        ``label``, ``value`` (formatted text) and ``source``.

    Examples
    --------
    >>> import tempfile
    >>> from cvmkit.io import write_results
    >>> run = tempfile.mkdtemp()
    >>> _ = write_results(run, "01_data_collection", {"n_clean": 1135})
    >>> at_a_glance(run)[["label", "value"]].values.tolist()
    [['respondents analysed', '1,135']]
    """
    ctx = _context(Path(run_dir))
    brand, cur, caps = ctx["brand"], ctx["currency"], ctx["caps"]
    rows = []
    src, r = ctx["results"]["01"]
    n = _num(_get(r, "n_clean"))
    if n is not None:
        rows.append({"label": "respondents analysed", "value": f"{n:,.0f}", "source": src})
    excl = _num(_get(r, "n_excluded"))
    if excl:
        rows.append({"label": "respondents excluded", "value": f"{excl:,.0f}", "source": src})
    src, r = ctx["results"]["03"]
    drivers = _labels(_get(r, "top_drivers"))
    if drivers and _has(caps, "drivers"):
        rows.append({"label": "top driver", "value": ctx["labels"].get(drivers[0], drivers[0]),
                     "source": src})
    src, r = ctx["results"]["05"]
    nps = _num(_get(r, "nps"))
    if nps is not None and _has(caps, "nps"):
        rows.append({"label": f"Net Promoter Score, {brand}", "value": _signed(nps),
                     "source": src})
    rng = _get(r, "acceptable_range")
    if isinstance(rng, Mapping) and _num(rng.get("low")) is not None \
            and _num(rng.get("high")) is not None and _has(caps, "van_westendorp"):
        c = str(_get(r, "currency") or cur)
        rows.append({"label": "acceptable price range (interpolated)",
                     "value": f"{_money(_num(rng['low']), c)}–{_money(_num(rng['high']), c)}",
                     "source": src})
    src, r = ctx["results"]["04"]
    pos = _get(r, "value_map_position")
    if isinstance(pos, str) and pos.strip() and _has(caps, "value_map"):
        rows.append({"label": "place on the value map", "value": pos, "source": src})
    return pd.DataFrame(rows, columns=["label", "value", "source"])
