"""A synthetic customer value survey with planted truth.

The demo study is a coffee-shop survey: a focal brand (Acme) and three competitors rated on twelve
attributes spread over the five value components.  Everything a later analysis should find is
planted here and written to ``truth.json``:

* **drivers** — overall value of a brand is a sum over attributes of ``weight × f(rating)``, with
  one weight profile per segment; the population weights are the segment-share-weighted average;
* **what changed between waves** — the focal brand's rating of one attribute rises in wave 2, and
  another attribute's weight in overall value falls to a tenth in wave 2, a change the
  bootstrap test of the drivers' shares finds in most samples of the demo's size, where half
  as much would be found in few (``truth["wave_changes"]``; the driver weights in
  ``truth.json`` average the two waves, ``driver_weights_by_wave`` holds each);
* **Kano categories** — each attribute has a category (must-be, one-dimensional, attractive,
  indifferent), Wi-Fi's differs by segment; the Kano answer pairs are drawn from it, and the shape
  ``f`` of an attribute's effect on value follows it (must-be: only low ratings hurt; attractive:
  only high ratings help), which is what penalty–reward analysis detects;
* **stated importance** — follows the segment's weights, except two planted distortions: a
  "stated only" attribute everyone says matters, and a "hidden driver" people under-state;
* **brand positions** — the focal brand is weak on two important attributes, and the brands sit in
  known zones of the customer value map (quality against perceived price);
* **experience** — NPS groups are drawn with planted promoter and detractor shares per wave (a
  Gaussian copula ties them to overall value without changing those shares), CSAT and CES
  likewise, so their population values are known exactly;
* **open-ended comments** — built from theme templates with planted incidence per NPS group, plus
  a theme the code frame does not know (parking) for the unsupervised suggestions to find, and a
  few comments carrying an e-mail address or phone number;
* **management's view** — a small CSV of what management believes about each attribute's
  importance and the focal brand's performance: close to what its customers say, except three
  planted misjudgements (a blind spot, a myth and an overrated performance);
* **data quality** — speeders, straight-liners, duplicate submissions and "don't know" codes.

Ratings are correlated as real ratings are: a respondent × brand halo and a respondent scale-use
bias are added to every rating.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["ATTRIBUTES", "BRANDS", "SEGMENTS", "management_view", "simulate_survey",
           "study_spec"]

BRANDS = ("Acme", "BeanCo", "Roastly", "Daily Grind")
BRAND_CODES = ("acme", "beanco", "roastly", "daily_grind")


@dataclass(frozen=True)
class _Attr:
    id: str
    label: str
    component: str
    weight: float
    kano: str  # M, O, A, I


#: The attributes with their planted population weight and Kano category.
ATTRIBUTES = (
    _Attr("taste", "Great-tasting coffee", "quality", 0.24, "O"),
    _Attr("hygiene", "Clean, hygienic shop", "service", 0.20, "M"),
    _Attr("freshness", "Fresh food and pastries", "quality", 0.17, "O"),
    _Attr("speed", "Fast service", "convenience", 0.15, "M"),
    _Attr("staff", "Friendly baristas", "service", 0.13, "O"),
    _Attr("app", "Easy mobile ordering", "convenience", 0.11, "A"),
    _Attr("consistency", "Consistent every visit", "quality", 0.09, "M"),
    _Attr("ambience", "Pleasant place to sit", "experience", 0.08, "A"),
    _Attr("value", "Good value for money", "price", 0.06, "O"),
    _Attr("location", "Convenient locations", "convenience", 0.05, "M"),
    _Attr("rewards", "Rewarding loyalty scheme", "price", 0.04, "A"),
    _Attr("wifi", "Reliable free Wi-Fi", "experience", 0.02, "I"),
)

#: Segments, their sample shares and how their weights depart from the population profile.
SEGMENTS = {
    "Connoisseurs": (0.40, {"taste": 1.5, "freshness": 1.4, "consistency": 1.4, "speed": 0.5,
                            "app": 0.6, "value": 0.5, "rewards": 0.6}),
    "Commuters": (0.35, {"speed": 1.8, "app": 1.7, "location": 1.9, "taste": 0.6,
                         "ambience": 0.5, "wifi": 2.5}),
    "Budget": (0.25, {"value": 2.8, "rewards": 2.6, "taste": 0.8, "ambience": 0.7,
                      "freshness": 0.7}),
}

#: Kano categories that differ by segment (the rest follow ATTRIBUTES).
SEGMENT_KANO = {"wifi": {"Commuters": "A"}}

KANO_NAMES = {"M": "must-be", "O": "one-dimensional", "A": "attractive", "I": "indifferent",
              "R": "reverse", "Q": "questionable"}
PRCA_CLASS = {"M": "basic", "O": "performance", "A": "excitement", "I": "low impact"}

# Brand means (1–10 scale) before halo: a base per brand plus attribute offsets.
_BRAND_BASE = {"Acme": 7.0, "BeanCo": 7.2, "Roastly": 6.4, "Daily Grind": 6.3}
_BRAND_OFFSETS = {
    "Acme": {"speed": -1.6, "hygiene": -1.3, "taste": 0.6, "staff": 0.8, "app": 0.9},
    "BeanCo": {"taste": 0.5, "ambience": 0.6, "freshness": 0.4},
    "Roastly": {"app": -0.8, "value": -0.6},
    "Daily Grind": {"location": 0.8, "speed": 0.5, "ambience": -0.6},
}
#: Planted changes between the two waves: the focal brand's rating of one attribute rises by
#: the given points in wave 2, and one attribute's weight in every brand's overall value is
#: multiplied by the given factor in wave 2 (stated importance is not changed: it is the derived
#: weight that moves).
WAVE_RATING_CHANGE = ("speed", 0.4)
WAVE_WEIGHT_CHANGE: tuple[str, float] | None = ("taste", 0.1)
#: Perceived price level (1 = very cheap … 10 = very expensive) by brand.
_PRICE_LEVEL = {"Acme": 5.6, "BeanCo": 7.0, "Roastly": 7.2, "Daily Grind": 5.0}
#: Planted value-map zones (relative quality against relative perceived price).
VALUE_ZONES = {"Acme": "better value", "Roastly": "worse value"}

#: Planted NPS group shares (detractor, passive, promoter) for the focal brand by wave.
NPS_SHARES = {1: (0.30, 0.36, 0.34), 2: (0.22, 0.34, 0.44)}
#: CSAT (1–5) and CES (1–7, asked reversed: 7 = very difficult) answer probabilities by wave.
CSAT_PROBS = {1: (0.05, 0.10, 0.25, 0.38, 0.22), 2: (0.04, 0.08, 0.22, 0.40, 0.26)}
CES_PROBS = {1: (0.20, 0.25, 0.20, 0.15, 0.10, 0.06, 0.04),
             2: (0.24, 0.27, 0.19, 0.13, 0.09, 0.05, 0.03)}

#: Theme incidence in the open-ended comments by NPS group (detractor, passive, promoter).
THEMES = {
    "taste": ((0.15, 0.30, 0.45), "quality", "thinks"),
    "waiting": ((0.45, 0.30, 0.12), "convenience", "does"),
    "staff": ((0.20, 0.25, 0.35), "service", "feels"),
    "price": ((0.35, 0.25, 0.12), "price", "says"),
    "app": ((0.15, 0.18, 0.20), "convenience", "does"),
    "cleanliness": ((0.25, 0.10, 0.04), "service", "feels"),
}
_UNCODED_THEME = ("parking", 0.10)

_TEMPLATES = {
    "taste": {"+": ["the coffee tastes great", "love the flavour of the flat white",
                    "best espresso in town"],
              "-": ["the coffee tasted burnt", "flavour is bland lately"]},
    "waiting": {"+": ["service is quick even at rush hour", "never have to wait long"],
                "-": ["the queue is always far too long", "waited ages for my order",
                      "service is slow in the morning"]},
    "staff": {"+": ["the baristas are friendly and remember my name", "staff are lovely"],
              "-": ["staff were rude to me", "the barista ignored me"]},
    "price": {"+": ["good value for the price"],
              "-": ["too expensive for what it is", "prices keep going up",
                    "a latte costs too much"]},
    "app": {"+": ["ordering on the app is easy", "the app saves me time"],
            "-": ["the app keeps crashing", "the app lost my order"]},
    "cleanliness": {"+": ["the shop is spotless"],
                    "-": ["tables were dirty", "the toilets were not clean",
                          "the floor looked filthy"]},
    "parking": {"+": ["easy parking outside"],
                "-": ["nowhere to park nearby", "parking is impossible round there",
                      "no parking spaces near the shop"]},
}
_FILLERS = ["nothing special to add", "it is fine", "no complaints", "ok overall"]

_REGION_SAMPLE = {"North": 0.34, "South": 0.28, "East": 0.22, "West": 0.16}
REGION_TARGETS = {"North": 0.25, "South": 0.30, "East": 0.20, "West": 0.25}
_AGE_SAMPLE = {"18-34": 0.45, "35-54": 0.35, "55+": 0.20}
AGE_TARGETS = {"18-34": 0.30, "35-54": 0.38, "55+": 0.32}

_FIRST = ["Alice", "Ben", "Chloe", "Dev", "Ella", "Farid", "Grace", "Hugo", "Isla", "Jamal",
          "Kara", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq"]
_LAST = ["Smith", "Jones", "Patel", "Nowak", "Garcia", "Okafor", "Chen", "Murphy", "Silva",
         "Kowalski", "Ahmed", "Brown", "Novak", "Rossi", "Müller"]

N_RESPONDENTS = 1200
PERF_MISSING = 99
KANO_CELLS = {
    # (functional, dysfunctional) answer indexes 0..4 = like, must-be, neutral, live-with, dislike
    "A": [(0, 2), (0, 1), (0, 3)],
    "O": [(0, 4)],
    "M": [(2, 4), (1, 4), (3, 4)],
    "I": [(2, 2), (1, 2), (2, 3), (1, 1), (3, 3), (2, 1), (3, 2), (1, 3), (3, 1)],
    "R": [(4, 0), (2, 0), (4, 2)],
    "Q": [(0, 0), (4, 4)],
}
_KANO_PLANTED = 0.55  # share of respondents whose answers follow the planted category
_KANO_OTHER = {"A": 0.25, "O": 0.25, "M": 0.25, "I": 0.25}  # the rest, before noise
_KANO_NOISE = {"R": 0.03, "Q": 0.02}


def _segment_weights() -> dict[str, dict[str, float]]:
    base = {a.id: a.weight for a in ATTRIBUTES}
    out = {}
    for seg, (_, mult) in SEGMENTS.items():
        raw = {k: w * mult.get(k, 1.0) for k, w in base.items()}
        total = sum(raw.values())
        out[seg] = {k: v / total for k, v in raw.items()}
    return out


def _population_weights(seg_w: dict[str, dict[str, float]]) -> dict[str, float]:
    return {a.id: sum(SEGMENTS[s][0] * seg_w[s][a.id] for s in SEGMENTS) for a in ATTRIBUTES}


def _later_wave(w: dict[str, float]) -> dict[str, float]:
    """Weights (shares) in wave 2: :data:`WAVE_WEIGHT_CHANGE` applied, then normalised."""
    if WAVE_WEIGHT_CHANGE is None:
        return dict(w)
    raw = {k: v * (WAVE_WEIGHT_CHANGE[1] if k == WAVE_WEIGHT_CHANGE[0] else 1.0)
           for k, v in w.items()}
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()}


def _both_waves(w: dict[str, float]) -> dict[str, float]:
    """The average of the two waves' shares (the waves are of equal size)."""
    later = _later_wave(w)
    return {k: (v + later[k]) / 2 for k, v in w.items()}


def _kano_category(attr: _Attr, segment: str) -> str:
    return SEGMENT_KANO.get(attr.id, {}).get(segment, attr.kano)


def _kano_probs(category: str) -> dict[str, float]:
    """Probability of each observed category for a respondent whose planted category is given."""
    body = 1.0 - sum(_KANO_NOISE.values())
    probs = {c: body * (1 - _KANO_PLANTED) * p / (1 - _KANO_OTHER[category])
             for c, p in _KANO_OTHER.items() if c != category}
    probs[category] = body * _KANO_PLANTED
    probs.update(_KANO_NOISE)
    return probs


def _shape(x: np.ndarray, category: str, centre: float) -> np.ndarray:
    """The effect of a rating on overall value: asymmetric for must-be and attractive."""
    d = x - centre
    if category == "M":
        return 2.0 * np.minimum(d, 0)
    if category == "A":
        return 2.0 * np.maximum(d, 0)
    return d


def _likert_copula(z: np.ndarray, probs: tuple[float, ...], rho: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Answers 1..K with exact marginal ``probs`` and latent correlation ``rho`` with ``z``."""
    u = stats.norm.cdf(rho * z + np.sqrt(1 - rho**2) * rng.standard_normal(len(z)))
    cuts = np.cumsum(probs)[:-1]
    return np.searchsorted(cuts, u, side="right") + 1


def simulate_survey(n: int = N_RESPONDENTS, seed: int = 2026) -> tuple[pd.DataFrame, dict]:
    """Simulate the demo survey.

    Parameters
    ----------
    n : int
        Number of respondents (before the few duplicate submissions are appended).
    seed : int
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    responses : DataFrame
        One row per submission, in the wide shape of a survey export.
    truth : dict
        The planted truth (JSON-ready).
    """
    rng = np.random.default_rng(seed)
    seg_names = list(SEGMENTS)
    seg = rng.choice(seg_names, size=n, p=[SEGMENTS[s][0] for s in seg_names])
    wave = np.where(np.arange(n) < n // 2, 1, 2)
    region = rng.choice(list(_REGION_SAMPLE), size=n, p=list(_REGION_SAMPLE.values()))
    age = rng.choice(list(_AGE_SAMPLE), size=n, p=list(_AGE_SAMPLE.values()))
    df: dict[str, Any] = {
        "resp_id": [f"R{i + 1:05d}" for i in range(n)],
        "wave": wave, "segment": seg, "region": region, "age_band": age,
    }

    # --- PII (fake) ----------------------------------------------------------------------
    first = rng.choice(_FIRST, size=n)
    last = rng.choice(_LAST, size=n)
    df["name"] = [f"{f} {la}" for f, la in zip(first, last)]
    df["email"] = [f"{f.lower()}.{la.lower().replace('ü', 'u')}{i % 97}@example.com"
                   for i, (f, la) in enumerate(zip(first, last))]
    df["phone"] = [f"07700 9{rng.integers(0, 100000):05d}" for _ in range(n)]

    seg_w = _segment_weights()
    pop_w = _population_weights(seg_w)
    w_mat = np.array([[seg_w[s][a.id] for a in ATTRIBUTES] for s in seg])  # n × k
    # the planted driver-weight change: one attribute counts more (or less) in the later wave's
    # overall value; no random draw depends on it, so every other column's draws are unchanged
    wave_factor = np.ones((n, len(ATTRIBUTES)))
    if WAVE_WEIGHT_CHANGE is not None:
        k_changed = [a.id for a in ATTRIBUTES].index(WAVE_WEIGHT_CHANGE[0])
        wave_factor[wave == 2, k_changed] = WAVE_WEIGHT_CHANGE[1]

    # --- performance ratings -------------------------------------------------------------
    scale_bias = rng.normal(0, 0.5, n)
    centre = 7.0
    value_cols = {}
    for b, code in zip(BRANDS, BRAND_CODES):
        halo = rng.normal(0, 0.9, n)
        aware = np.ones(n, bool) if b == BRANDS[0] else rng.random(n) < 0.85
        contrib = np.zeros(n)
        before = np.zeros(n)  # the same without the wave-2 weight change
        for k, a in enumerate(ATTRIBUTES):
            mu = _BRAND_BASE[b] + _BRAND_OFFSETS[b].get(a.id, 0.0)
            if b == BRANDS[0] and a.id == WAVE_RATING_CHANGE[0]:  # the focal brand improved
                mu = mu + np.where(wave == 2, WAVE_RATING_CHANGE[1], 0.0)
            latent = mu + halo + scale_bias + rng.normal(0, 1.3, n)
            x = np.clip(np.rint(latent), 1, 10)
            cats = np.array([_kano_category(a, s) for s in seg])
            effect = np.zeros(n)
            for c in np.unique(cats):
                m = cats == c
                effect[m] = _shape(x[m], c, centre)
            contrib += w_mat[:, k] * effect * wave_factor[:, k]
            before += w_mat[:, k] * effect
            col = np.where(aware, x, np.nan)
            df[f"perf_{code}_{a.id}"] = col
        noise = 0.35 * scale_bias + rng.normal(0, 0.75, n)
        value = np.clip(np.rint(6.9 + 2.2 * contrib + noise), 1, 10)
        # the experience measures below follow overall value before the weight change, so the
        # planted change touches the overall value ratings only and every later draw (comments,
        # quality flags, "don't know"s) is the one it would have been without it
        value_cols[b] = np.clip(np.rint(6.9 + 2.2 * before + noise), 1, 10)
        df[f"overall_value_{code}"] = np.where(aware, value, np.nan)
        df[f"price_{code}"] = np.where(
            aware, np.clip(np.rint(_PRICE_LEVEL[b] + 0.4 * scale_bias + rng.normal(0, 1.2, n)),
                           1, 10), np.nan)

    # --- stated importance (1–5) with two planted distortions ------------------------------
    stated_shift = {"value": 1.6, "freshness": -1.4}
    for k, a in enumerate(ATTRIBUTES):
        latent = 1.6 + 14.0 * w_mat[:, k] + stated_shift.get(a.id, 0.0) + rng.normal(0, 0.7, n)
        df[f"imp_{a.id}"] = np.clip(np.rint(latent), 1, 5)

    # --- Kano pairs -------------------------------------------------------------------------
    kano_truth_seg: dict[str, dict[str, str]] = {s: {} for s in seg_names}
    for a in ATTRIBUTES:
        func = np.empty(n, int)
        dysf = np.empty(n, int)
        for s in seg_names:
            m = seg == s
            cat = _kano_category(a, s)
            kano_truth_seg[s][a.id] = KANO_NAMES[cat]
            probs = _kano_probs(cat)
            drawn = rng.choice(list(probs), size=m.sum(), p=list(probs.values()))
            cells = np.array([KANO_CELLS[c][0] if rng.random() < 0.7
                              else KANO_CELLS[c][rng.integers(len(KANO_CELLS[c]))]
                              for c in drawn])
            func[m], dysf[m] = cells[:, 0] + 1, cells[:, 1] + 1
        df[f"kf_{a.id}"], df[f"kd_{a.id}"] = func, dysf

    # --- experience: NPS, CSAT, CES via a Gaussian copula on overall value ------------------
    focal_value = value_cols[BRANDS[0]]
    nps = np.empty(n, int)
    csat = np.empty(n, int)
    ces = np.empty(n, int)
    for w in (1, 2):
        m = wave == w
        z = stats.zscore(focal_value[m] + rng.normal(0, 0.01, m.sum()))
        group = _likert_copula(z, NPS_SHARES[w], 0.7, rng)  # 1 detractor, 2 passive, 3 promoter
        score = np.where(group == 1, rng.integers(0, 7, m.sum()),
                         np.where(group == 2, rng.integers(7, 9, m.sum()),
                                  rng.integers(9, 11, m.sum())))
        nps[m] = score
        csat[m] = _likert_copula(z, CSAT_PROBS[w], 0.6, rng)
        ease = _likert_copula(z, CES_PROBS[w][::-1], 0.5, rng)  # 1 hard … 7 easy
        ces[m] = 8 - ease  # asked reversed: 1 very easy … 7 very difficult
    df["nps"], df["csat"], df["ces"] = nps, csat, ces

    # --- price questions: Van Westendorp, Newton–Miller–Smith, Gabor–Granger ----------------
    mid = rng.lognormal(np.log(3.2), 0.28, n)  # each respondent's acceptable price
    tc = np.round(mid * rng.uniform(0.45, 0.65, n), 1)
    ch = np.round(np.maximum(mid * rng.uniform(0.70, 0.88, n), tc + 0.1), 1)
    ex = np.round(np.maximum(mid * rng.uniform(1.10, 1.30, n), ch + 0.1), 1)
    te = np.round(np.maximum(mid * rng.uniform(1.40, 1.75, n), ex + 0.1), 1)
    swap = rng.random(n) < 0.015  # a few inconsistent answers: cheap above expensive
    ch[swap], ex[swap] = ex[swap], ch[swap]
    df["vw_too_cheap"], df["vw_cheap"], df["vw_expensive"], df["vw_too_expensive"] = tc, ch, ex, te
    df["nms_cheap"] = np.clip(np.rint(rng.normal(3.9, 0.8, n)), 1, 5)
    df["nms_expensive"] = np.clip(np.rint(rng.normal(2.3, 0.9, n)), 1, 5)
    gg_prices = (2.5, 3.0, 3.5, 4.0, 4.5)
    # one willingness to pay per respondent, so answers fall monotonically with the price
    uplift = [rng.uniform(1.0, 1.5, n) for _ in gg_prices]
    wtp = mid * uplift[0]
    for p in gg_prices:
        df[f"gg_{int(p * 100)}"] = (wtp >= p).astype(int)

    # --- journey touchpoints (satisfaction 1–10, importance 1–5) ----------------------------
    tp_truth = {"website": (7.4, 2.4), "app": (5.1, 4.3), "queue": (4.8, 4.6),
                "barista": (8.1, 4.1), "pickup": (7.0, 3.2), "rewards": (6.6, 2.2)}
    for t, (sat, imp) in tp_truth.items():
        aware = rng.random(n) < 0.9
        s_ = np.clip(np.rint(sat + scale_bias + rng.normal(0, 1.5, n)), 1, 10)
        i_ = np.clip(np.rint(imp + rng.normal(0, 0.8, n)), 1, 5)
        df[f"tp_{t}_sat"] = np.where(aware, s_, np.nan)
        df[f"tp_{t}_imp"] = np.where(aware, i_, np.nan)

    # --- open-ended comments ------------------------------------------------------------------
    group_idx = np.where(nps <= 6, 0, np.where(nps <= 8, 1, 2))
    comments = []
    for i in range(n):
        parts = []
        for th, (probs, _, _) in THEMES.items():
            if rng.random() < probs[group_idx[i]]:
                sign = "+" if rng.random() < _POSITIVE_MENTION[group_idx[i]] else "-"
                parts.append(rng.choice(_TEMPLATES[th][sign]))
        if rng.random() < _UNCODED_THEME[1]:
            parts.append(rng.choice(_TEMPLATES["parking"]["-"]))
        if not parts:
            parts.append(rng.choice(_FILLERS))
        text = ". ".join(parts)
        text = text[0].upper() + text[1:] + "."
        r = rng.random()
        if r < 0.02:
            text += f" Email me at {df['email'][i]}"
        elif r < 0.04:
            text += f" Call me on {df['phone'][i]}"
        elif r < 0.05:
            text += f" - {df['name'][i]}"
        comments.append(text)
    df["why_score"] = comments

    # --- durations, speeders, straight-liners, don't-knows ---------------------------------
    duration = np.round(rng.lognormal(np.log(840), 0.35, n))
    speeders = rng.random(n) < 0.03
    duration[speeders] = np.round(rng.uniform(90, 220, speeders.sum()))
    df["duration_sec"] = duration
    out = pd.DataFrame(df)
    perf_cols = [f"perf_{BRAND_CODES[0]}_{a.id}" for a in ATTRIBUTES]
    straight = rng.random(n) < 0.025
    flat = rng.integers(5, 11, straight.sum()).astype(float)
    out.loc[straight, perf_cols] = np.repeat(flat[:, None], len(perf_cols), axis=1)
    rated = [c for c in out.columns if c.startswith(("perf_", "imp_", "tp_"))]
    dk = rng.random((n, len(rated))) < 0.015
    block = out[rated].to_numpy(float, copy=True)
    block[dk & ~np.isnan(block)] = PERF_MISSING
    out[rated] = block
    # a few duplicate submissions of the same respondent
    dup_rows = rng.choice(n, size=4, replace=False)
    out = pd.concat([out, out.iloc[dup_rows]], ignore_index=True)

    truth = _truth(seg_w, pop_w, kano_truth_seg, tp_truth, gg_prices, seed, n,
                   speeders.sum(), straight.sum(), [out["resp_id"][i] for i in dup_rows])
    return out, truth


#: Planted sign of a mention by NPS group: probability it is positive.
_POSITIVE_MENTION = (0.2, 0.5, 0.85)
#: Planted misjudgements in management's view: {verdict: attributes} and management's values.
MANAGEMENT_MISJUDGEMENTS = {"blind spot": ("hygiene",), "myth": ("wifi",),
                            "overrated": ("speed",)}
_MANAGEMENT_VALUES = {("hygiene", "importance"): 2.0, ("wifi", "importance"): 4.5,
                      ("speed", "performance"): 8.5}


def management_view(responses: pd.DataFrame) -> pd.DataFrame:
    """Management's view of the demo: the customers' own means (to one decimal) except the
    planted misjudgements (:data:`MANAGEMENT_MISJUDGEMENTS`)."""
    rows = []
    for a in ATTRIBUTES:
        row: dict[str, Any] = {"attribute": a.id}
        for measure, col in (("importance", f"imp_{a.id}"),
                             ("performance", f"perf_{BRAND_CODES[0]}_{a.id}")):
            x = responses[col].replace(PERF_MISSING, np.nan)
            row[measure] = _MANAGEMENT_VALUES.get((a.id, measure), round(float(x.mean()), 1))
        rows.append(row)
    return pd.DataFrame(rows)


def _most_negative_theme() -> str:
    """The coded theme whose mentions are most often negative, from the planted incidence by NPS
    group and the planted sign of a mention."""
    share = {}
    for th, (probs, _, _) in THEMES.items():
        mention = neg = 0.0
        for w in NPS_SHARES:
            for g in range(3):
                m = NPS_SHARES[w][g] * probs[g]
                mention += m
                neg += m * (1 - _POSITIVE_MENTION[g])
        share[th] = neg / mention
    return max(share, key=share.get)


def _theme_marginals() -> dict[str, float]:
    out = {}
    for th, (probs, _, _) in THEMES.items():
        out[th] = float(np.mean([sum(p * s for p, s in zip(probs, NPS_SHARES[w]))
                                 for w in NPS_SHARES]))
    return out


def _population_kano() -> dict[str, str]:
    out = {}
    for a in ATTRIBUTES:
        share: dict[str, float] = {}
        for s, (p, _) in SEGMENTS.items():
            for c, q in _kano_probs(_kano_category(a, s)).items():
                share[c] = share.get(c, 0.0) + p * q
        out[a.id] = KANO_NAMES[max(share, key=share.get)]
    return out


def _nps_score(shares: tuple[float, float, float]) -> float:
    return 100 * (shares[2] - shares[0])


def _truth(seg_w, pop_w, kano_seg, tp_truth, gg_prices, seed, n, n_speed, n_straight, dups):
    pop_kano = _population_kano()
    by_wave = {"1": pop_w, "2": _later_wave(pop_w)}
    pop_w = _both_waves(pop_w)  # what the whole sample's drivers estimate
    seg_w = {s: _both_waves(w) for s, w in seg_w.items()}
    ranking = sorted(pop_w, key=pop_w.get, reverse=True)
    mean_w = np.mean(list(pop_w.values()))
    focal_perf = {a.id: _BRAND_BASE["Acme"] + _BRAND_OFFSETS["Acme"].get(a.id, 0.0)
                  for a in ATTRIBUTES}
    mean_perf = np.mean(list(focal_perf.values()))
    weaknesses = [a for a in ranking if pop_w[a] > mean_w and focal_perf[a] < mean_perf]
    csat_top2 = {w: float(sum(CSAT_PROBS[w][3:])) for w in CSAT_PROBS}
    return {
        "seed": seed,
        "n_respondents": n,
        "focal_brand": BRANDS[0],
        "brands": list(BRANDS),
        "segments": {s: p for s, (p, _) in SEGMENTS.items()},
        "driver_weights": {k: round(v, 6) for k, v in pop_w.items()},
        "driver_ranking": ranking,
        "segment_driver_weights": {s: {k: round(v, 6) for k, v in w.items()}
                                   for s, w in seg_w.items()},
        "kano": pop_kano,
        "segment_kano": kano_seg,
        "penalty_reward": {a.id: PRCA_CLASS[a.kano] for a in ATTRIBUTES},
        "stated_vs_derived": {"value": "stated only", "freshness": "hidden driver"},
        "focal_weaknesses": weaknesses,
        "focal_strengths": ["taste", "staff", "app"],
        "value_zones": dict(VALUE_ZONES),
        "perceived_price_level": dict(_PRICE_LEVEL),
        "nps": {
            "shares_by_wave": {str(w): dict(zip(("detractor", "passive", "promoter"), s))
                               for w, s in NPS_SHARES.items()},
            "score_by_wave": {str(w): round(_nps_score(s), 6) for w, s in NPS_SHARES.items()},
            "change": round(_nps_score(NPS_SHARES[2]) - _nps_score(NPS_SHARES[1]), 6),
        },
        "csat_top2_by_wave": {str(w): round(v, 6) for w, v in csat_top2.items()},
        "ces_reversed": True,
        "themes": {
            "incidence": {k: round(v, 6) for k, v in _theme_marginals().items()},
            "incidence_by_nps_group": {
                th: dict(zip(("detractor", "passive", "promoter"), probs))
                for th, (probs, _, _) in THEMES.items()},
            "most_negative": _most_negative_theme(),
            "uncoded_theme": _UNCODED_THEME[0],
            "uncoded_incidence": _UNCODED_THEME[1],
        },
        "management": {k: list(v) for k, v in MANAGEMENT_MISJUDGEMENTS.items()},
        "driver_weights_by_wave": {w: {k: round(v, 6) for k, v in x.items()}
                                   for w, x in by_wave.items()},
        "wave_changes": {
            "performance": [[BRANDS[0], WAVE_RATING_CHANGE[0]]],
            "drivers": [WAVE_WEIGHT_CHANGE[0]] if WAVE_WEIGHT_CHANGE else [],
            "driver_weight_factor": WAVE_WEIGHT_CHANGE[1] if WAVE_WEIGHT_CHANGE else None,
        },
        "needs_segments": {"column": "segment", "k": len(SEGMENTS),
                           "basis": "stated importance"},
        "journey": {
            "touchpoints": {t: {"satisfaction": s, "importance": i}
                            for t, (s, i) in tp_truth.items()},
            "pain_points": ["app", "queue"],
        },
        "price": {"gabor_granger_prices": list(gg_prices), "median_acceptable": 3.2},
        "weighting": {"region": REGION_TARGETS, "age_band": AGE_TARGETS},
        "quality": {"speeders": int(n_speed), "straightliners": int(n_straight),
                    "duplicate_ids": dups, "dont_know_code": PERF_MISSING},
    }


def study_spec() -> dict:
    """The demo's study file as a mapping (written to ``study.yaml`` by :func:`write_demo`)."""
    attrs = []
    for a in ATTRIBUTES:
        attrs.append({
            "id": a.id, "label": a.label, "component": a.component,
            "performance": f"perf_{{brand}}_{a.id}", "importance": f"imp_{a.id}",
            "kano": {"functional": f"kf_{a.id}", "dysfunctional": f"kd_{a.id}"},
        })
    tps = [
        ("website", "Website and menu", "consideration"),
        ("app", "Mobile app", "purchase"),
        ("queue", "Queue and ordering", "purchase"),
        ("barista", "Barista service", "experience"),
        ("pickup", "Collecting the order", "experience"),
        ("rewards", "Loyalty rewards", "loyalty"),
    ]
    return {
        "title": "Coffee shops — customer value study 2026",
        "slug": "demo",
        "client": "Acme Coffee",
        "data": "responses.csv",
        "brand": BRANDS[0],
        "competitors": list(BRANDS[1:]),
        "respondent_id": "resp_id",
        "segments": ["segment", "region"],
        "wave": "wave",
        "weights": {"targets": {"region": REGION_TARGETS, "age_band": AGE_TARGETS},
                    "trim": [0.3, 3.0]},
        "scales": {
            "performance": {"min": 1, "max": 10, "missing": [PERF_MISSING],
                            "labels": {1: "Very poor", 10: "Excellent"}},
            "importance": {"min": 1, "max": 5, "missing": [PERF_MISSING],
                           "labels": {1: "Not at all important", 5: "Extremely important"}},
            "kano": {"min": 1, "max": 5},
            "nps": {"min": 0, "max": 10},
            "csat": {"min": 1, "max": 5},
            "ces": {"min": 1, "max": 7},
        },
        "attributes": attrs,
        "kano": {"codes": {"like": 1, "must_be": 2, "neutral": 3, "live_with": 4,
                           "dislike": 5}},
        "outcomes": {
            "value": {"column": "overall_value_{brand}", "scale": "performance"},
            "nps": {"column": "nps", "scale": "nps"},
            "csat": {"column": "csat", "scale": "csat"},
            "ces": {"column": "ces", "scale": "ces"},
        },
        "reverse": ["ces"],
        "price": {
            "perceived": "price_{brand}",
            "scale": "performance",
            "currency": "£",
            "van_westendorp": {"too_cheap": "vw_too_cheap", "cheap": "vw_cheap",
                               "expensive": "vw_expensive", "too_expensive": "vw_too_expensive"},
            "purchase_likelihood": {"at_cheap": "nms_cheap", "at_expensive": "nms_expensive"},
            "gabor_granger": {"prices": [2.5, 3.0, 3.5, 4.0, 4.5],
                              "columns": ["gg_250", "gg_300", "gg_350", "gg_400", "gg_450"]},
        },
        "stages": ["consideration", "purchase", "experience", "loyalty"],
        "touchpoints": [{"id": t, "label": lab, "stage": st, "satisfaction": f"tp_{t}_sat",
                         "importance": f"tp_{t}_imp"} for t, lab, st in tps],
        "verbatims": ["why_score"],
        "codeframe": [
            {"id": "taste", "label": "Taste of the coffee", "quadrant": "thinks",
             "patterns": [r"\btast", r"flavou?r", r"espresso"]},
            {"id": "waiting", "label": "Waiting and speed", "quadrant": "does",
             "patterns": [r"\bqueue", r"\bwait", r"\bslow\b", r"\bquick"]},
            {"id": "staff", "label": "Staff and baristas", "quadrant": "feels",
             "patterns": [r"\bstaff\b", r"barista", r"\brude\b"]},
            {"id": "price", "label": "Price and value", "quadrant": "says",
             "patterns": [r"expensive", r"\bprices?\b", r"\bcosts?\b", r"good value"]},
            {"id": "app", "label": "Mobile app", "quadrant": "does",
             "patterns": [r"\bapp\b"]},
            {"id": "cleanliness", "label": "Cleanliness", "quadrant": "feels",
             "patterns": [r"\bclean", r"\bdirty\b", r"spotless", r"filthy"]},
        ],
        "pii": ["name", "email", "phone"],
        "management": "management.csv",
        "needs_segment": "needs_segment",
        "quality": {"duration": "duration_sec", "speeder_fraction": 0.33,
                    "straightline_min_items": 8, "max_missing": 0.5,
                    # the demo plants speeders and straight-liners, and opts in to drop them
                    "exclude": ["duplicate", "speeder", "straightliner", "high_missing"]},
    }
