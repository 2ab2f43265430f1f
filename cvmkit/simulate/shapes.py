"""Synthetic studies of many shapes, for checking that every analysis copes with real studies.

Real studies differ from the demo: one brand or six, 3 attributes or 30, with or without Kano
pairs, stated importance, price questions, segments, waves, weights, NPS/CSAT/CES, journey
touchpoints, open-ended answers or respondent ids.  :class:`StudyShape` says which of these a
study has; :func:`simulate_shape` draws responses and the matching study file; :data:`SHAPES`
names the shapes the tests run end to end.

The vocabulary is neutral (a subscription service with brands named Northwind, Lumen …) and
shares no word with the coffee-shop demo, so a report that still carries the demo's words is
caught.  Each shape plants a known truth, written to ``planted.json`` (not ``truth.json``, which
turns on the demo's own recovery checks): the driver weights of the focal brand's overall rating
and each attribute's Kano category.

Examples
--------
>>> from cvmkit.simulate.shapes import SHAPES, simulate_shape
>>> data, spec, planted = simulate_shape(SHAPES["minimal"], n=50, seed=1)
>>> sorted(spec)
['attributes', 'brand', 'data', 'outcomes', 'scales', 'slug', 'title']
>>> data.shape
(50, 7)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..study import slugify
from .survey import KANO_CELLS, KANO_NAMES, _kano_probs

__all__ = ["SHAPES", "StudyShape", "simulate_shape", "write_shape"]

_BRANDS = ("Northwind", "Lumen", "Corvid", "Halcyon", "Tessera", "Quill")

#: (id, label, component) of the attributes a shape draws from, in order.
_ATTRIBUTES = (
    ("reliability", "Reliable service", "quality"),
    ("support", "Helpful support team", "service"),
    ("ease", "Easy to use", "convenience"),
    ("pricing", "Clear pricing", "price"),
    ("delivery", "On-time delivery", "convenience"),
    ("range", "Wide product range", "quality"),
    ("billing", "Simple billing", "price"),
    ("trust", "Trustworthy brand", "experience"),
    ("resolution", "Problems solved first time", "service"),
    ("account", "Useful online account", "convenience"),
    ("coverage", "Good coverage", "quality"),
    ("plans", "Flexible plans", "price"),
    ("security", "Secure payments", "quality"),
    ("advice", "Knowledgeable advisers", "service"),
    ("updates", "Proactive updates", "experience"),
    ("design", "Modern design", "experience"),
    ("accuracy", "Accurate information", "quality"),
    ("hours", "Convenient opening hours", "convenience"),
    ("fees", "Transparent fees", "price"),
    ("cancel", "Easy cancellation", "convenience"),
    ("green", "Sustainable practices", "experience"),
    ("personal", "Personal attention", "service"),
    ("returns", "Hassle-free returns", "convenience"),
    ("communication", "Clear communication", "service"),
    ("accessibility", "Accessible for everyone", "experience"),
    ("durability", "Durable products", "quality"),
    ("onboarding", "Smooth sign-up", "convenience"),
    ("discounts", "Fair discounts", "price"),
    ("privacy", "Respect for privacy", "experience"),
    ("warranty", "Generous warranty", "service"),
)
_KANO_CYCLE = ("M", "O", "A", "O", "I", "M", "A", "O")
_THEMES = {"support": ("Support", [r"\bsupport\b", r"\bhelp"]),
           "billing": ("Billing", [r"\bbill", r"\binvoice"]),
           "delivery": ("Delivery", [r"\bdeliver", r"\blate\b"])}
_COMMENTS = {"support": ["support was very helpful", "could not get help on the phone"],
             "billing": ["the bill was confusing", "invoices are clear"],
             "delivery": ["delivery was late again", "delivered on time"]}


@dataclass(frozen=True)
class StudyShape:
    """What a synthetic study holds.

    Parameters
    ----------
    name : str
        The study's slug.
    brands : int
        Brands rated, 1–6 (the first is the focal brand).
    attributes : int
        Attributes rated, 3–30.
    kano : {"all", "some", "none"}
        Kano question pairs for every attribute, every other one, or none.
    importance : bool
        Stated importance questions.
    price : bool
        Perceived price per brand, Van Westendorp (with purchase likelihood) and Gabor–Granger.
    segments : int
        Levels of the segment column (0: no segment column).
    waves : bool
        Two waves.
    weights : {"none", "column", "raking"}
        No weights, a weight column, or raking targets.
    nps, csat, ces : bool
        The experience outcomes.
    touchpoints, open_ends : bool
        Journey touchpoints; an open-ended question with a code frame.
    ids : bool
        A respondent id column.
    quality : bool
        A duration column and planted speeders, straight-liners and duplicates.
    """

    name: str = "full"
    brands: int = 4
    attributes: int = 12
    kano: str = "all"
    importance: bool = True
    price: bool = True
    segments: int = 3
    waves: bool = True
    weights: str = "raking"
    nps: bool = True
    csat: bool = True
    ces: bool = True
    touchpoints: bool = True
    open_ends: bool = True
    ids: bool = True
    quality: bool = True

    def __post_init__(self) -> None:
        from ..errors import CvmkitError

        problems = []
        if not 1 <= self.brands <= len(_BRANDS):
            problems.append(f"brands: expected 1 to {len(_BRANDS)}, got {self.brands}")
        if not 3 <= self.attributes <= len(_ATTRIBUTES):
            problems.append(f"attributes: expected 3 to {len(_ATTRIBUTES)}, got "
                            f"{self.attributes}")
        if self.kano not in ("all", "some", "none"):
            problems.append(f"kano: expected all, some or none, got {self.kano!r}")
        if self.weights not in ("none", "column", "raking"):
            problems.append(f"weights: expected none, column or raking, got {self.weights!r}")
        if self.segments < 0:
            problems.append(f"segments: expected 0 or more levels, got {self.segments}")
        if problems:
            raise CvmkitError("study shape: " + "; ".join(problems))


_MINIMAL = StudyShape("minimal", brands=1, kano="none", importance=False, price=False,
                      segments=0, waves=False, weights="none", nps=False, csat=False, ces=False,
                      touchpoints=False, open_ends=False, ids=False, quality=False)

#: The named shapes ``cvmkit simulate --shape`` writes and the tests run end to end.
SHAPES: dict[str, StudyShape] = {s.name: s for s in (
    StudyShape("full"),
    _MINIMAL,
    StudyShape("one_brand_full", brands=1),
    StudyShape("two_brands", brands=2),
    StudyShape("six_brands", brands=6, attributes=8),
    StudyShape("no_segments", segments=0),
    StudyShape("one_segment_level", segments=1),
    StudyShape("partial_kano", kano="some"),
    replace(_MINIMAL, name="three_attributes", attributes=3, ids=True),
    StudyShape("thirty_attributes", attributes=30, brands=3, kano="some"),
    StudyShape("no_price_no_experience", price=False, nps=False, csat=False, ces=False),
    StudyShape("column_weights_no_waves", weights="column", waves=False, touchpoints=False,
               open_ends=False, importance=False),
    replace(_MINIMAL, name="minimal_with_nps", nps=True, segments=2),
)}


def _spec(shape: StudyShape, attrs: list[tuple[str, str, str]]) -> dict[str, Any]:
    brands = list(_BRANDS[:shape.brands])
    single = shape.brands == 1
    spec: dict[str, Any] = {
        "title": f"Subscription service study ({shape.name.replace('_', ' ')})",
        "slug": shape.name, "data": "responses.csv", "brand": brands[0]}
    if not single:
        spec["competitors"] = brands[1:]
    if shape.ids:
        spec["respondent_id"] = "id"
    if shape.segments:
        spec["segments"] = ["group"]
    if shape.waves:
        spec["wave"] = "wave"
    if shape.weights == "column":
        spec["weights"] = {"column": "wgt"}
    elif shape.weights == "raking":
        spec["weights"] = {"targets": {"area": {"Area 1": 0.4, "Area 2": 0.35,
                                                "Area 3": 0.25}}}
    spec["scales"] = {"rating": {"min": 1, "max": 10}}
    if shape.importance:
        spec["scales"]["importance"] = {"min": 1, "max": 5}
    spec["attributes"] = []
    for i, (aid, label, comp) in enumerate(attrs):
        a: dict[str, Any] = {"id": aid, "label": label, "component": comp,
                             "performance": f"{aid}_{brands[0].lower()}" if single
                             else f"{aid}_{{brand}}", "scale": "rating"}
        if shape.importance:
            a["importance"] = f"imp_{aid}"
        if shape.kano == "all" or (shape.kano == "some" and i % 2 == 0):
            a["kano"] = {"functional": f"kf_{aid}", "dysfunctional": f"kd_{aid}"}
        spec["attributes"].append(a)
    outcome = f"overall_{brands[0].lower()}" if single else "overall_{brand}"
    spec["outcomes"] = {"value": {"column": outcome, "scale": "rating"}}
    for name, lo, hi in (("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)):
        if getattr(shape, name):
            spec["scales"][name] = {"min": lo, "max": hi}
            spec["outcomes"][name] = {"column": name, "scale": name}
    if shape.price:
        spec["price"] = {
            "perceived": f"price_{brands[0].lower()}" if single else "price_{brand}",
            "scale": "rating", "currency": "€",
            "van_westendorp": {"too_cheap": "vw1", "cheap": "vw2", "expensive": "vw3",
                               "too_expensive": "vw4"},
            "purchase_likelihood": {"at_cheap": "pl_cheap", "at_expensive": "pl_expensive"},
            "gabor_granger": {"prices": [10, 15, 20, 25], "columns": ["gg1", "gg2", "gg3",
                                                                      "gg4"]}}
    if shape.touchpoints:
        spec["touchpoints"] = [
            {"id": "web", "label": "Website", "stage": "choose", "satisfaction": "tp_web",
             "scale": "rating"},
            {"id": "signup", "label": "Signing up", "stage": "join", "satisfaction": "tp_signup",
             "scale": "rating"},
            {"id": "helpdesk", "label": "Help desk", "stage": "use",
             "satisfaction": "tp_helpdesk", "scale": "rating"}]
    if shape.open_ends:
        spec["verbatims"] = ["comment"]
        spec["codeframe"] = [{"id": k, "label": lab, "patterns": pats}
                             for k, (lab, pats) in _THEMES.items()]
        spec["pii"] = ["email"]
    if shape.quality:
        spec["quality"] = {"duration": "seconds"}
    return spec


def simulate_shape(shape: StudyShape, n: int = 600, seed: int = 1
                   ) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """Draw a study of ``shape``: responses, the study file (as a mapping) and the planted truth.

    Parameters
    ----------
    shape : StudyShape
    n : int
        Respondents (before planted duplicates).
    seed : int
        The same shape, ``n`` and seed give the same data.

    Returns
    -------
    data : DataFrame
    spec : dict
        The study file's content.
    planted : dict
        ``driver_weights`` (attribute id → weight of the focal brand's overall rating) and
        ``kano`` (attribute id → planted Kano category, for attributes with a pair).
    """
    from ..errors import CvmkitError

    if n < 10:
        raise CvmkitError(f"simulate: expected at least 10 respondents, got {n}")
    rng = np.random.default_rng(seed)
    attrs = list(_ATTRIBUTES[:shape.attributes])
    brands = _BRANDS[:shape.brands]
    spec = _spec(shape, attrs)
    p = len(attrs)
    weights = np.sort(rng.dirichlet(np.full(p, 2.0)))[::-1]
    cols: dict[str, Any] = {}
    if shape.ids:
        cols["id"] = np.arange(1001, 1001 + n)
    if shape.segments:
        levels = [f"Group {chr(65 + k)}" for k in range(shape.segments)]
        cols["group"] = rng.choice(levels, size=n)
    if shape.waves:
        cols["wave"] = rng.choice([1, 2], size=n)
    if shape.weights == "column":
        cols["wgt"] = np.round(rng.lognormal(0, 0.3, n), 4)
    elif shape.weights == "raking":
        cols["area"] = rng.choice(["Area 1", "Area 2", "Area 3"], size=n, p=[0.5, 0.3, 0.2])
    bias = rng.normal(0, 0.6, n)  # scale use, shared by every rating of a respondent
    focal_value = None
    for j, b in enumerate(brands):
        code = b.lower()
        halo = rng.normal(0, 1.0, n)
        offsets = rng.normal(0, 0.7, p)
        base = 6.8 - 0.3 * j
        ratings = np.clip(np.rint(base + offsets + (halo + bias)[:, None]
                                  + rng.normal(0, 1.2, (n, p))), 1, 10)
        for k, a in enumerate(spec["attributes"]):
            cols[a["performance"].format(brand=code)] = ratings[:, k]
        latent = ratings @ weights + rng.normal(0, 0.55, n)
        value = np.clip(np.rint(latent - latent.mean() + 6.5), 1, 10)
        cols[spec["outcomes"]["value"]["column"].format(brand=code)] = value
        if shape.price:
            cols[spec["price"]["perceived"].format(brand=code)] = np.clip(
                np.rint(rng.normal(5 + j * 0.6, 1.5, n)), 1, 10)
        if j == 0:
            focal_value = latent
    z = (focal_value - focal_value.mean()) / focal_value.std()
    if shape.nps:
        cols["nps"] = np.clip(np.rint(7 + 2.2 * z + rng.normal(0, 1.2, n)), 0, 10)
    if shape.csat:
        cols["csat"] = np.clip(np.rint(3.7 + 0.9 * z + rng.normal(0, 0.6, n)), 1, 5)
    if shape.ces:
        cols["ces"] = np.clip(np.rint(3 - 1.0 * z + rng.normal(0, 1.0, n)), 1, 7)
    if shape.importance:
        for k, (aid, _, _) in enumerate(attrs):
            cols[f"imp_{aid}"] = np.clip(np.rint(2 + 6 * weights[k] * p / 4
                                                 + rng.normal(0, 0.8, n)), 1, 5)
    kano: dict[str, str] = {}
    for k, a in enumerate(spec["attributes"]):
        if "kano" not in a:
            continue
        cat = _KANO_CYCLE[k % len(_KANO_CYCLE)]
        kano[a["id"]] = KANO_NAMES[cat]
        probs = _kano_probs(cat)
        drawn = rng.choice(list(probs), size=n, p=np.array(list(probs.values()))
                           / sum(probs.values()))
        f, d = np.empty(n), np.empty(n)
        for c in set(drawn):
            rows = np.flatnonzero(drawn == c)
            cells = KANO_CELLS[c]
            pick = rng.integers(0, len(cells), len(rows))
            f[rows] = [cells[i][0] + 1 for i in pick]
            d[rows] = [cells[i][1] + 1 for i in pick]
        cols[a["kano"]["functional"]], cols[a["kano"]["dysfunctional"]] = f, d
    if shape.price:
        mid = rng.lognormal(np.log(17), 0.25, n)
        cols["vw1"], cols["vw2"] = np.round(mid * 0.5, 2), np.round(mid * 0.8, 2)
        cols["vw3"], cols["vw4"] = np.round(mid * 1.2, 2), np.round(mid * 1.6, 2)
        cols["pl_cheap"] = np.clip(np.rint(rng.normal(3.9, 0.8, n)), 1, 5)
        cols["pl_expensive"] = np.clip(np.rint(rng.normal(2.3, 0.9, n)), 1, 5)
        for c, price in zip(spec["price"]["gabor_granger"]["columns"],
                            spec["price"]["gabor_granger"]["prices"]):
            cols[c] = (mid * rng.uniform(1.0, 1.3, n) >= price).astype(int)
    if shape.touchpoints:
        for t in spec["touchpoints"]:
            cols[t["satisfaction"]] = np.clip(np.rint(rng.normal(7, 1.8, n)), 1, 10)
    if shape.open_ends:
        themes = list(_COMMENTS)
        cols["email"] = [f"person{i}@example.org" for i in range(n)]
        cols["comment"] = [
            _COMMENTS[themes[i % 3]][int(rng.random() < 0.5)]
            + (f" write to person{i}@example.org" if i % 50 == 0 else "") for i in range(n)]
    data = pd.DataFrame(cols)
    if shape.quality:
        data["seconds"] = np.round(rng.lognormal(np.log(600), 0.3, n))
        fast = rng.random(n) < 0.03
        data.loc[fast, "seconds"] = np.round(rng.uniform(60, 150, int(fast.sum())))
        data = pd.concat([data, data.iloc[:3]], ignore_index=True)  # duplicate submissions
    planted = {"shape": asdict(shape), "seed": seed, "n_respondents": n,
               "driver_weights": {a[0]: round(float(w), 6) for a, w in zip(attrs, weights)},
               "kano": kano}
    return data, spec, planted


def write_shape(out_dir: str | Path, shape: StudyShape | str, n: int = 600,
                seed: int = 1) -> dict[str, Path]:
    """Write a study of ``shape`` (a :class:`StudyShape` or a name of :data:`SHAPES`).

    Writes ``study.yaml``, ``responses.csv`` and ``planted.json`` into ``out_dir``.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_shape(tempfile.mkdtemp(), "two_brands", n=40)
    >>> sorted(paths)
    ['planted', 'responses', 'study']
    """
    from ..errors import CvmkitError
    from ..io.artifacts import atomic_write_text

    if isinstance(shape, str):
        if shape not in SHAPES:
            raise CvmkitError(f"unknown study shape '{shape}' (known: {', '.join(SHAPES)})")
        shape = SHAPES[shape]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data, spec, planted = simulate_shape(shape, n=n, seed=seed)
    paths = {"study": out / "study.yaml", "responses": out / "responses.csv",
             "planted": out / "planted.json"}
    atomic_write_text(paths["responses"], data.to_csv(index=False, lineterminator="\n",
                                                      float_format="%.10g"))
    header = (f"# A synthetic study of shape '{shape.name}', written by `cvmkit simulate "
              f"--shape {slugify(shape.name)}`; planted truth in planted.json.\n")
    atomic_write_text(paths["study"], header + yaml.safe_dump(spec, sort_keys=False,
                                                              allow_unicode=True, width=100))
    atomic_write_text(paths["planted"], json.dumps(planted, indent=2) + "\n")
    return paths
