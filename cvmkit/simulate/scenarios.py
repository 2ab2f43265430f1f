"""Teaching scenarios: small synthetic studies, each planting one lesson of customer value work.

Every scenario is a different (invented) market with its own brands and attributes, none of them
the demo's, and hides one thing a course teaches students to find:

=================  ==========================================================================
``halo``           hotel stays: a strong halo makes a genuine driver's regression coefficient
                   negative, while the LMG shares still rank the planted drivers first
``hidden_driver``  home insurance: one attribute customers rate as unimportant drives overall
                   value (stated low, derived high); another is stated high but derived low
``must_be``        a regional airline: a must-be attribute (Kano) on which the brand falls far
                   behind its competitors
``price_segment``  fitness clubs: one membership segment whose overall value is driven by the
                   fee above all, while the others care about the equipment and classes
``value_winner``   home internet: a competitor below the quality leader that still wins on
                   value, because customers see it as much cheaper
``nps_touchpoint`` parcel delivery: the Net Promoter Score falls between two waves because one
                   touchpoint (tracking updates) got worse while the others held steady
=================  ==========================================================================

:func:`simulate_scenario` draws a scenario's responses, study file and planted truth;
:func:`cvmkit.teach.write_scenario` writes them as ``study.yaml``, ``responses.csv`` and
``truth.json`` (the truth also lists the expected answer to every exercise question).  The
seed changes every number but not the lesson: the tests check it is recovered for many seeds.

Examples
--------
>>> from cvmkit.simulate.scenarios import SCENARIOS, simulate_scenario
>>> data, spec, truth = simulate_scenario("must_be", seed=3, n=120)
>>> truth["scenario"], sorted(truth["answers"])
('must_be', ['must_be.failed', 'must_be.must_be'])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CvmkitError
from ..study import slugify
from .survey import KANO_CELLS, KANO_NAMES, _kano_probs

__all__ = ["SCENARIOS", "Scenario", "simulate_scenario"]

Attr = tuple[str, str, str]  # id, label, component


@dataclass(frozen=True)
class Scenario:
    """A teaching scenario.

    Attributes
    ----------
    name : str
        The name ``cvmkit simulate --scenario`` takes.
    title : str
        The study's title.
    lesson : str
        What the scenario plants, in a sentence or two (shown by ``cvmkit simulate --list``).
    n : int
        Respondents by default.
    brands : tuple of str
        The brands rated, the focal brand first.
    attributes : tuple of (id, label, component)
    """

    name: str
    title: str
    lesson: str
    n: int
    brands: tuple[str, ...]
    attributes: tuple[Attr, ...]


# ----------------------------------------------------------------------------- shared pieces
def _rating(x: np.ndarray, lo: int = 1, hi: int = 10) -> np.ndarray:
    return np.clip(np.rint(x), lo, hi)


def _base_spec(sc: Scenario, *, importance: bool = False, kano: bool = False) -> dict[str, Any]:
    """The study file every scenario shares: brands, a 1–10 rating scale, the attributes and
    the overall value rating of each brand."""
    spec: dict[str, Any] = {"title": sc.title, "slug": slugify(sc.name), "data": "responses.csv",
                            "brand": sc.brands[0]}
    if len(sc.brands) > 1:
        spec["competitors"] = list(sc.brands[1:])
    spec["respondent_id"] = "rid"
    spec["scales"] = {"rating": {"min": 1, "max": 10}}
    if importance:
        spec["scales"]["importance"] = {"min": 1, "max": 5}
    single = len(sc.brands) == 1
    code = slugify(sc.brands[0])
    spec["attributes"] = []
    for aid, label, comp in sc.attributes:
        a: dict[str, Any] = {"id": aid, "label": label, "component": comp, "scale": "rating",
                             "performance": f"{aid}_{code}" if single else f"{aid}_{{brand}}"}
        if importance:
            a["importance"] = f"imp_{aid}"
        if kano:
            a["kano"] = {"functional": f"kf_{aid}", "dysfunctional": f"kd_{aid}"}
        spec["attributes"].append(a)
    spec["outcomes"] = {"value": {"column": f"overall_{code}" if single else "overall_{brand}",
                                  "scale": "rating"}}
    return spec


def _perf_column(sc: Scenario, aid: str, brand: str) -> str:
    return f"{aid}_{slugify(brand)}"


def _truth(sc: Scenario, seed: int, n: int, weights: dict[str, float],
           answers: dict[str, Any], **planted: Any) -> dict[str, Any]:
    ranking = sorted(weights, key=weights.get, reverse=True)
    return {"scenario": sc.name, "title": sc.title, "lesson": sc.lesson, "seed": seed,
            "n_respondents": n, "focal_brand": sc.brands[0], "brands": list(sc.brands),
            "labels": {a: lab for a, lab, _ in sc.attributes},
            "driver_weights": {k: round(float(v), 6) for k, v in weights.items()},
            "driver_ranking": ranking, **planted, "answers": answers}


def _linear_block(rng: np.random.Generator, n: int, means: np.ndarray, weights: np.ndarray,
                  *, halo: float = 0.8, noise: float = 1.1, error: float = 0.7,
                  centre: float = 6.5) -> tuple[np.ndarray, np.ndarray]:
    """One brand's ratings (a respondent halo plus attribute noise) and an overall value rating
    that is the planted weighted sum of the ratings plus error."""
    h = rng.normal(0, halo, n)
    x = _rating(means + h[:, None] + rng.normal(0, noise, (n, len(means))))
    latent = (x - means) @ weights * 1.6
    value = _rating(centre + latent + rng.normal(0, error, n))
    return x, value


# ----------------------------------------------------------------------------- the scenarios
_HALO = Scenario(
    "halo", "Hotel stays — guest value study",
    "A strong halo runs through every rating, and one attribute (quick check-in) carries far "
    "more of it than the rest: its regression coefficient turns negative although it is a "
    "genuine positive driver, while the LMG shares still put the two planted top drivers first.",
    300, ("Harbourview", "Meridian"),
    (("comfort", "Comfortable rooms", "quality"), ("quiet", "Quiet at night", "quality"),
     ("reception", "Helpful reception desk", "service"),
     ("checkin", "Quick check-in", "convenience"), ("breakfast", "Good breakfast", "quality"),
     ("decor", "Attractive decor", "experience")))
_HALO_WEIGHTS = (0.36, 0.30, 0.18, 0.10, 0.04, 0.02)
_HALO_TRAP = "checkin"


def _halo(sc: Scenario, rng: np.random.Generator, n: int):
    ids = [a[0] for a in sc.attributes]
    w = np.array(_HALO_WEIGHTS)
    load = np.where(np.array(ids) == _HALO_TRAP, 2.2, 0.6)  # how much halo each rating carries
    cols: dict[str, Any] = {"rid": np.arange(1, n + 1)}
    for j, brand in enumerate(sc.brands):
        h = rng.normal(0, 1.2, n)
        s = rng.normal(0, 1, (n, len(ids)))  # what each guest really experienced
        x = _rating(6.2 - 0.4 * j + h[:, None] * load + s + rng.normal(0, 0.3, s.shape))
        value = _rating(6.5 + 3 * s @ w + rng.normal(0, 0.5, n))
        for k, aid in enumerate(ids):
            cols[_perf_column(sc, aid, brand)] = x[:, k]
        cols[f"overall_{slugify(brand)}"] = value
    weights = dict(zip(ids, _HALO_WEIGHTS))
    top2 = sorted(weights, key=weights.get, reverse=True)[:2]
    answers = {"halo.top_drivers": top2, "halo.negative_coefficient": _HALO_TRAP}
    return (pd.DataFrame(cols), _base_spec(sc), weights, answers,
            {"halo_attribute": _HALO_TRAP,
             "halo_loadings": {a: float(v) for a, v in zip(ids, load)}})


_HIDDEN = Scenario(
    "hidden_driver", "Home insurance — policyholder value study",
    "Clear policy documents drive overall value strongly although policyholders rate them as "
    "unimportant (a hidden driver: stated low, derived high); an affordable premium is rated "
    "important but barely moves overall value (stated only).",
    300, ("Beacon Mutual", "Ashgrove", "Kestrel"),
    (("claims", "Fast claims handling", "service"), ("documents", "Clear policy documents",
                                                     "quality"),
     ("cover", "Comprehensive cover", "quality"), ("phone", "Easy to reach by phone", "service"),
     ("portal", "Useful online portal", "convenience"),
     ("renewal", "Fair renewal terms", "price"), ("premium", "Affordable premium", "price")))
_HIDDEN_WEIGHTS = (0.30, 0.28, 0.26, 0.04, 0.04, 0.04, 0.04)
_STATED_SHIFT = {"documents": -2.2, "premium": 2.4}


def _hidden(sc: Scenario, rng: np.random.Generator, n: int):
    ids = [a[0] for a in sc.attributes]
    w = np.array(_HIDDEN_WEIGHTS)
    cols: dict[str, Any] = {"rid": np.arange(1, n + 1)}
    for j, brand in enumerate(sc.brands):
        means = 6.8 - 0.3 * j + rng.normal(0, 0.3, len(ids))
        x, value = _linear_block(rng, n, means, w, halo=0.3)
        for k, aid in enumerate(ids):
            cols[_perf_column(sc, aid, brand)] = x[:, k]
        cols[f"overall_{slugify(brand)}"] = value
    for k, aid in enumerate(ids):
        cols[f"imp_{aid}"] = _rating(2.0 + 7.0 * w[k] + _STATED_SHIFT.get(aid, 0.0)
                                     + rng.normal(0, 0.7, n), 1, 5)
    answers = {"hidden_driver.hidden": ["documents"], "hidden_driver.stated_only": ["premium"]}
    return (pd.DataFrame(cols), _base_spec(sc, importance=True), dict(zip(ids, _HIDDEN_WEIGHTS)),
            answers, {"stated_vs_derived": {"documents": "hidden driver",
                                            "premium": "stated only"}})


_MUST_BE = Scenario(
    "must_be", "Regional airline — passenger value study",
    "Baggage that arrives with the passenger is a must-be attribute (Kano): nobody praises it, "
    "but failing it hurts. The focal airline fails it, far behind both competitors, while it "
    "does well on the attributes passengers talk about.",
    300, ("Skylark", "Bluefin", "Cirrus"),
    (("punctual", "On-time departures", "quality"), ("safety", "Well-maintained aircraft",
                                                     "quality"),
     ("baggage", "Baggage arrives with you", "service"), ("legroom", "Comfortable legroom",
                                                          "experience"),
     ("boarding", "Smooth boarding", "convenience"), ("snacks", "Free onboard snacks",
                                                      "experience"),
     ("screens", "Seat-back entertainment", "experience")))
_MUST_BE_KANO = {"punctual": "O", "safety": "M", "baggage": "M", "legroom": "O",
                 "boarding": "I", "snacks": "A", "screens": "A"}
_MUST_BE_WEIGHTS = (0.24, 0.18, 0.22, 0.14, 0.06, 0.08, 0.08)
_MUST_BE_MEANS = {"Skylark": {"baggage": 4.0, "snacks": 8.2, "screens": 8.0},
                  "Bluefin": {"baggage": 7.6}, "Cirrus": {"baggage": 7.4}}


def _must_be(sc: Scenario, rng: np.random.Generator, n: int):
    ids = [a[0] for a in sc.attributes]
    w = np.array(_MUST_BE_WEIGHTS)
    cols: dict[str, Any] = {"rid": np.arange(1, n + 1)}
    for j, brand in enumerate(sc.brands):
        means = np.array([_MUST_BE_MEANS[brand].get(a, 7.0 - 0.2 * j) for a in ids])
        h = rng.normal(0, 0.8, n)
        x = _rating(means + h[:, None] + rng.normal(0, 1.2, (n, len(ids))))
        d = x - 7.0
        effect = np.column_stack([  # must-be: only low ratings hurt; attractive: only high help
            2 * np.minimum(d[:, k], 0) if _MUST_BE_KANO[a] == "M"
            else 2 * np.maximum(d[:, k], 0) if _MUST_BE_KANO[a] == "A" else d[:, k]
            for k, a in enumerate(ids)])
        value = _rating(7.0 + 1.5 * effect @ w + rng.normal(0, 0.7, n))
        for k, aid in enumerate(ids):
            cols[_perf_column(sc, aid, brand)] = x[:, k]
        cols[f"overall_{slugify(brand)}"] = value
    for aid in ids:
        probs = _kano_probs(_MUST_BE_KANO[aid])
        drawn = rng.choice(list(probs), size=n, p=np.array(list(probs.values()))
                           / sum(probs.values()))
        pick = np.array([KANO_CELLS[c][rng.integers(len(KANO_CELLS[c]))] for c in drawn])
        cols[f"kf_{aid}"], cols[f"kd_{aid}"] = pick[:, 0] + 1, pick[:, 1] + 1
    kano = {a: KANO_NAMES[c] for a, c in _MUST_BE_KANO.items()}
    answers = {"must_be.must_be": sorted(a for a, c in _MUST_BE_KANO.items() if c == "M"),
               "must_be.failed": "baggage"}
    return (pd.DataFrame(cols), _base_spec(sc, kano=True), dict(zip(ids, _MUST_BE_WEIGHTS)),
            answers, {"kano": kano,
                      "focal_weaknesses": ["baggage"]})


_PRICE = Scenario(
    "price_segment", "Fitness clubs — member value study",
    "Students judge their club's value by the membership fee above all else; professionals "
    "and families care about the equipment and the classes and hardly about the fee. Pooled "
    "over everyone, the fee looks like a middling driver.",
    450, ("Pulse", "Ironbark"),
    (("equipment", "Modern equipment", "quality"), ("classes", "Varied classes", "experience"),
     ("fee", "Affordable membership fee", "price"), ("hours", "Long opening hours",
                                                     "convenience"),
     ("crowding", "Not overcrowded", "experience"), ("trainers", "Expert trainers", "service")))
_SEGMENT_SHARES = {"Students": 0.34, "Professionals": 0.36, "Families": 0.30}
_SEGMENT_WEIGHTS = {
    "Students": (0.10, 0.08, 0.56, 0.10, 0.08, 0.08),
    "Professionals": (0.32, 0.22, 0.04, 0.20, 0.12, 0.10),
    "Families": (0.26, 0.32, 0.06, 0.08, 0.12, 0.16)}
_PRICE_SEGMENT = "Students"


def _price_segment(sc: Scenario, rng: np.random.Generator, n: int):
    ids = [a[0] for a in sc.attributes]
    names = list(_SEGMENT_SHARES)
    seg = rng.choice(names, size=n, p=list(_SEGMENT_SHARES.values()))
    w = np.array([_SEGMENT_WEIGHTS[s] for s in seg])
    cols: dict[str, Any] = {"rid": np.arange(1, n + 1), "member_type": seg}
    for j, brand in enumerate(sc.brands):
        means = 6.6 - 0.3 * j + rng.normal(0, 0.3, len(ids))
        h = rng.normal(0, 0.7, n)
        x = _rating(means + h[:, None] + rng.normal(0, 1.3, (n, len(ids))))
        value = _rating(6.5 + 1.6 * ((x - means) * w).sum(axis=1) + rng.normal(0, 0.6, n))
        for k, aid in enumerate(ids):
            cols[_perf_column(sc, aid, brand)] = x[:, k]
        cols[f"overall_{slugify(brand)}"] = value
    pooled = {a: sum(_SEGMENT_SHARES[s] * _SEGMENT_WEIGHTS[s][k] for s in names)
              for k, a in enumerate(ids)}
    spec = _base_spec(sc)
    spec["segments"] = ["member_type"]
    answers = {"price_segment.segment": _PRICE_SEGMENT, "price_segment.top_driver": "fee"}
    return (pd.DataFrame(cols), spec, pooled, answers,
            {"segments": dict(_SEGMENT_SHARES), "price_sensitive_segment": _PRICE_SEGMENT,
             "segment_driver_weights": {s: dict(zip(ids, ws))
                                        for s, ws in _SEGMENT_WEIGHTS.items()}})


_VALUE = Scenario(
    "value_winner", "Home internet — subscriber value study",
    "Wavecrest leads on quality, but Openline, rated below both Wavecrest and the focal brand "
    "on quality, is seen as so much cheaper that it wins on value: the best position on the "
    "customer value map is not the best product.",
    300, ("Fibrelink", "Wavecrest", "Openline", "Brightnet"),
    (("downloads", "Fast downloads", "quality"), ("uptime", "Few outages", "quality"),
     ("install", "Easy installation", "convenience"), ("helpline", "Helpful helpline",
                                                       "service"),
     ("router", "Good router", "quality"), ("contract", "Flexible contract", "price")))
_QUALITY_LEVEL = {"Fibrelink": 7.0, "Wavecrest": 8.0, "Openline": 6.5, "Brightnet": 6.0}
_PRICE_LEVEL = {"Fibrelink": 7.0, "Wavecrest": 8.6, "Openline": 3.8, "Brightnet": 6.6}
_VALUE_WEIGHTS = (0.30, 0.26, 0.12, 0.16, 0.10, 0.06)


def _value_winner(sc: Scenario, rng: np.random.Generator, n: int):
    ids = [a[0] for a in sc.attributes]
    w = np.array(_VALUE_WEIGHTS)
    cols: dict[str, Any] = {"rid": np.arange(1, n + 1)}
    for brand in sc.brands:
        means = _QUALITY_LEVEL[brand] + rng.normal(0, 0.15, len(ids))
        x, value = _linear_block(rng, n, means, w, centre=6.5 + _QUALITY_LEVEL[brand] - 7.0)
        for k, aid in enumerate(ids):
            cols[_perf_column(sc, aid, brand)] = x[:, k]
        cols[f"overall_{slugify(brand)}"] = value
        cols[f"price_{slugify(brand)}"] = _rating(_PRICE_LEVEL[brand] + rng.normal(0, 1.2, n))
    for k, aid in enumerate(ids):
        cols[f"imp_{aid}"] = _rating(2.0 + 8.0 * w[k] + rng.normal(0, 0.7, n), 1, 5)
    spec = _base_spec(sc, importance=True)
    spec["price"] = {"perceived": "price_{brand}", "scale": "rating"}
    answers = {"value_winner.quality_leader": "Wavecrest",
               "value_winner.value_leader": "Openline"}
    return (pd.DataFrame(cols), spec, dict(zip(ids, _VALUE_WEIGHTS)), answers,
            {"quality_level": dict(_QUALITY_LEVEL), "perceived_price_level": dict(_PRICE_LEVEL),
             "value_zones": {"Openline": "better value"}})


_NPS = Scenario(
    "nps_touchpoint", "Parcel delivery — customer value study",
    "The Net Promoter Score falls between the two waves, and one touchpoint explains it: "
    "satisfaction with tracking updates collapsed in wave 2 while every other touchpoint held "
    "steady.",
    800, ("Swiftway",),
    (("ontime", "On-time delivery", "quality"), ("undamaged", "Parcels arrive undamaged",
                                                 "quality"),
     ("notices", "Clear delivery notices", "service"), ("fees", "Reasonable fees", "price")))
_TOUCHPOINTS = (("booking", "Booking online", "order", 7.4),
                ("collection", "Parcel collection", "send", 7.0),
                ("tracking", "Tracking updates", "wait", 7.6),
                ("doorstep", "Doorstep delivery", "receive", 7.2))
_TRACKING_DROP = 2.2
_NPS_WEIGHTS = (0.38, 0.30, 0.20, 0.12)


def _nps_draw(rng: np.random.Generator, n: int, wave: np.ndarray) -> dict[str, np.ndarray]:
    """Touchpoint satisfaction and the NPS answer (0–10) of ``n`` customers."""
    out: dict[str, np.ndarray] = {}
    mood = rng.normal(0, 0.8, n)
    latent = np.zeros(n)
    for tid, _, _, mean in _TOUCHPOINTS:
        mu = mean - np.where(wave == 2, _TRACKING_DROP, 0.0) if tid == "tracking" else mean
        sat = _rating(mu + mood + rng.normal(0, 1.2, n))
        out[f"tp_{tid}"] = sat
        latent += (sat - 7.0) / len(_TOUCHPOINTS)
    out["nps"] = _rating(7.6 + 1.4 * latent + 0.8 * mood + rng.normal(0, 1.0, n), 0, 10)
    return out


@lru_cache(maxsize=1)
def _planted_nps() -> dict[str, float]:
    """The population NPS of each wave (a fixed, very large draw; the same for every seed)."""
    rng = np.random.default_rng(0)
    out = {}
    for w in (1, 2):
        score = _nps_draw(rng, 400_000, np.full(400_000, w))["nps"]
        out[str(w)] = round(float(100 * ((score >= 9).mean() - (score <= 6).mean())), 1)
    return out


def _nps_touchpoint(sc: Scenario, rng: np.random.Generator, n: int):
    ids = [a[0] for a in sc.attributes]
    wave = np.where(np.arange(n) < n // 2, 1, 2)
    cols: dict[str, Any] = {"rid": np.arange(1, n + 1), "wave": wave}
    means = 7.0 + rng.normal(0, 0.3, len(ids))
    x, value = _linear_block(rng, n, means, np.array(_NPS_WEIGHTS))
    for k, aid in enumerate(ids):
        cols[_perf_column(sc, aid, sc.brands[0])] = x[:, k]
    cols[f"overall_{slugify(sc.brands[0])}"] = value
    cols.update(_nps_draw(rng, n, wave))
    spec = _base_spec(sc)
    spec["wave"] = "wave"
    spec["scales"]["nps"] = {"min": 0, "max": 10}
    spec["outcomes"]["nps"] = {"column": "nps", "scale": "nps"}
    spec["stages"] = [t[2] for t in _TOUCHPOINTS]
    spec["touchpoints"] = [{"id": t, "label": lab, "stage": st, "satisfaction": f"tp_{t}",
                            "scale": "rating"} for t, lab, st, _ in _TOUCHPOINTS]
    planted = _planted_nps()
    answers = {"nps_touchpoint.touchpoint": "tracking"}
    return (pd.DataFrame(cols), spec, dict(zip(ids, _NPS_WEIGHTS)), answers,
            {"touchpoint_labels": {t: lab for t, lab, _, _ in _TOUCHPOINTS},
             "nps": {"score_by_wave": planted,
                     "change": round(planted["2"] - planted["1"], 1)},
             "journey": {"changed_touchpoint": "tracking",
                         "touchpoints": {t: {"satisfaction_by_wave": {
                             "1": m, "2": m - (_TRACKING_DROP if t == "tracking" else 0.0)}}
                             for t, _, _, m in _TOUCHPOINTS}}})


_GENERATORS: dict[str, tuple[Scenario, Callable]] = {
    s.name: (s, g) for s, g in ((_HALO, _halo), (_HIDDEN, _hidden), (_MUST_BE, _must_be),
                                (_PRICE, _price_segment), (_VALUE, _value_winner),
                                (_NPS, _nps_touchpoint))}

#: The teaching scenarios, by name.
SCENARIOS: dict[str, Scenario] = {name: s for name, (s, _) in _GENERATORS.items()}


def _scenario(name: str) -> Scenario:
    if name not in SCENARIOS:
        raise CvmkitError(f"unknown scenario '{name}' (known: {', '.join(SCENARIOS)}; "
                          "`cvmkit simulate --list` describes them)")
    return SCENARIOS[name]


def simulate_scenario(name: str, seed: int = 1, n: int | None = None
                      ) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """Draw a teaching scenario: responses, the study file (as a mapping) and the planted truth.

    Parameters
    ----------
    name : str
        A key of :data:`SCENARIOS`.
    seed : int
        Each seed gives different numbers with the same lesson.
    n : int, optional
        Respondents (default: the scenario's own, :attr:`Scenario.n`).

    Returns
    -------
    data : DataFrame
    spec : dict
    truth : dict
        What was planted: ``scenario``, ``lesson``, ``seed``, ``driver_weights`` (of the focal
        brand's overall value), ``driver_ranking``, the scenario's own facts, and ``answers``
        (question id → the planted answer of each question that has one).

    Raises
    ------
    CvmkitError
        For an unknown scenario or fewer than 60 respondents.
    """
    sc = _scenario(name)
    n = sc.n if n is None else int(n)
    if n < 60:
        raise CvmkitError(f"scenario {name}: expected at least 60 respondents, got {n}")
    data, spec, weights, answers, planted = _GENERATORS[name][1](
        sc, np.random.default_rng(seed), n)
    return data, spec, _truth(sc, seed, n, weights, answers, **planted)
