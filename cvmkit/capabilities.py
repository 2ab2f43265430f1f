"""What a study holds, decided once: which analyses its inputs allow, and why not the others.

Studies come in many shapes: one brand or six, with or without Kano pairs, stated importance,
segments, waves, price questions, touchpoints or open-ended answers.  :func:`study_capabilities`
answers, for every analysis the kit offers, whether the study supports it and, when it does not,
one sentence saying what it would need.  ``cvmkit validate`` prints the answer, each notebook
section asks it (a notebook cell tagged ``requires-<name>`` runs only when ``<name>`` is
supported; the pipeline replaces a skipped section by its sentence), and the executive summary
and the report use it to leave out what did not run.  Nothing else guesses from columns.

Examples
--------
>>> from cvmkit.study import Study
>>> study = Study.from_dict({
...     "title": "T", "brand": "B", "scales": {"r": {"min": 1, "max": 5}},
...     "attributes": [{"id": "a", "performance": "a", "scale": "r"},
...                    {"id": "b", "performance": "b", "scale": "r"}],
...     "outcomes": {"value": {"column": "v", "scale": "r"}}})
>>> caps = study.capabilities()
>>> caps["drivers"].available, caps["kano"].available
(True, False)
>>> caps["kano"].reason.split(" (")[0]
'the study has no Kano question pairs'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .study import Study

__all__ = ["CAPABILITIES", "DOMINANCE_MAX", "LOGIT_DOMINANCE_MAX", "Capability",
           "missing_sentence", "study_capabilities"]

#: Most drivers for complete and conditional dominance (2^p R² fits).
DOMINANCE_MAX = 20
#: Most drivers for dominance analysis of a top-box logit (2^p logit fits).
LOGIT_DOMINANCE_MAX = 12

#: Every analysis a study may or may not support, with its name for a reader.
CAPABILITIES: dict[str, str] = {
    "overall": "Analyses of an overall rating",
    "drivers": "Driver analysis",
    "dominance": "Complete and conditional dominance",
    "logit_dominance": "Dominance analysis of the top box",
    "kano": "Kano analysis",
    "stated_importance": "Stated importance",
    "needs": "Needs and wants",
    "importance": "Importance–performance analysis",
    "competitors": "Competitor comparison",
    "perceptual_map": "Perceptual map",
    "perceived_price": "Perceived price",
    "value_map": "Customer value map",
    "van_westendorp": "Van Westendorp price sensitivity",
    "purchase_likelihood": "Newton–Miller–Smith purchase likelihood",
    "gabor_granger": "Gabor–Granger demand curve",
    "segments": "Segment comparisons",
    "waves": "Comparison of waves",
    "weights": "Weighting",
    "nps": "Net Promoter Score",
    "csat": "Customer satisfaction (CSAT)",
    "ces": "Customer effort (CES)",
    "touchpoints": "Customer journey",
    "open_ends": "Open-ended feedback",
    "codeframe": "Coding of open-ended feedback by theme",
    "transactions": "Customer economics",
    "needs_segments": "Needs-based segmentation",
    "sentiment": "Sentiment of open-ended feedback",
    "management_map": "Management's map against the customers'",
    "truth": "Check against the planted truth",
}


@dataclass(frozen=True)
class Capability:
    """Whether a study supports one analysis.

    Attributes
    ----------
    name : str
        A key of :data:`CAPABILITIES`.
    label : str
        The analysis, named for a reader ("Kano analysis").
    available : bool
    reason : str
        Empty when available; otherwise what is missing, as the end of a sentence
        ("the study has no Kano question pairs ...").
    """

    name: str
    label: str
    available: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.available

    @property
    def sentence(self) -> str:
        """One sentence for a reader: ``"Kano analysis — not run: the study has …."``."""
        if self.available:
            return f"{self.label} runs on this study."
        return missing_sentence(self.label, self.reason)


    @property
    def plain_sentence(self) -> str:
        """:attr:`sentence` without the study-file keys in parentheses, for a client's report
        (``"Kano analysis — not run: the study has no Kano question pairs."``)."""
        if self.available:
            return self.sentence
        return missing_sentence(self.label, _HINT.sub("", self.reason))


#: A parenthesised hint naming study-file keys, e.g. "(`competitors:`)".
_HINT = re.compile(r"\s*\([^()]*`[^()]*\)")


def missing_sentence(label: str, reason: str) -> str:
    """``"<label> — not run: <reason>."`` — the one sentence shown for a skipped analysis."""
    return f"{label} — not run: {reason.rstrip('.')}."


def _levels(data: pd.DataFrame | None, column: str) -> int | None:
    if data is None or column not in data.columns:
        return None
    return int(data[column].nunique(dropna=True))


def study_capabilities(study: Study, data: pd.DataFrame | None = None
                       ) -> dict[str, Capability]:
    """Every analysis of :data:`CAPABILITIES`, available or not, for ``study``.

    Parameters
    ----------
    study : Study
    data : DataFrame, optional
        The (clean) responses.  When given, segment and wave columns must have at least two
        levels, and an outcome column at least one answer.

    Returns
    -------
    dict
        ``{name: Capability}`` in the order of :data:`CAPABILITIES`.
    """
    why: dict[str, str] = {}
    n_brands = len(study.brands)
    overall = study.overall_outcome
    if overall is None:
        why["overall"] = ("the study declares no overall rating (an `outcomes:` entry such as "
                          "`value:` or `csat:`)")
    elif data is not None:
        col = study.outcome_column(overall)
        if col in data.columns and data[col].notna().sum() == 0:
            why["overall"] = f"the overall rating '{col}' has no answers"
    if "overall" in why:
        why["drivers"] = why["overall"]
    elif len(study.attributes) < 2:
        why["drivers"] = "driver analysis needs at least two attributes"
    p = len(study.attributes)
    for name, most, fits in (("dominance", DOMINANCE_MAX, "R²"),
                             ("logit_dominance", LOGIT_DOMINANCE_MAX, "logit")):
        if "drivers" in why:
            why[name] = why["drivers"]
        elif p > most:
            why[name] = (f"it compares all 2^p {fits} models, which is done for up to {most} "
                         f"attributes (the study has {p}); the relative-importance shares "
                         "still rank every attribute")
    if not study.kano_pairs():
        why["kano"] = ("the study has no Kano question pairs (a `kano:` pair of functional and "
                       "dysfunctional columns under an attribute)")
    if not study.importance_columns():
        why["stated_importance"] = ("the study has no stated-importance questions (an "
                                    "`importance:` column under an attribute)")
    if "kano" in why and "overall" in why:
        why["needs"] = ("the study has neither Kano question pairs nor an overall rating to "
                        "derive needs and wants from")
    if "stated_importance" in why and "drivers" in why:
        why["importance"] = ("the study has neither stated-importance questions nor an overall "
                             "rating to derive importance from")
    if n_brands < 2:
        why["competitors"] = ("the study rates one brand only (competitors are listed under "
                              "`competitors:`)")
    if n_brands < 3:
        why["perceptual_map"] = (f"a perceptual map needs at least three brands rated on the "
                                 f"same attributes (the study has {n_brands}; two brands give a "
                                 "single axis)")
    if not study.price.get("perceived"):
        why["perceived_price"] = ("the study has no perceived-price question (`price: "
                                  "perceived:`)")
    if "competitors" in why or "perceived_price" in why:
        why["value_map"] = why.get("competitors") or why["perceived_price"]
    if not study.price.get("van_westendorp"):
        why["van_westendorp"] = ("the study has no Van Westendorp price questions (`price: "
                                 "van_westendorp:`)")
    if not study.price.get("purchase_likelihood") or "van_westendorp" in why:
        why["purchase_likelihood"] = ("the study has no purchase-likelihood questions at the "
                                      "Van Westendorp prices (`price: purchase_likelihood:`)")
    if not study.price.get("gabor_granger"):
        why["gabor_granger"] = ("the study has no Gabor–Granger questions (`price: "
                                "gabor_granger:`)")
    if not study.segments:
        why["segments"] = "the study declares no segment column (`segments:`)"
    elif data is not None:
        levels = {s: _levels(data, s) for s in study.segments}
        if all(n is not None and n < 2 for n in levels.values()):
            why["segments"] = ("every segment column has a single level ("
                               + ", ".join(f"'{s}'" for s in levels) + ")")
    if not study.wave:
        why["waves"] = "the study declares no wave column (`wave:`)"
    else:
        n = _levels(data, study.wave)
        if n is not None and n < 2:
            why["waves"] = f"the wave column '{study.wave}' holds a single wave"
    if not (study.weights.get("column") or study.weights.get("targets")):
        why["weights"] = ("the study declares no weights (`weights:` a weight column or raking "
                          "targets), so every respondent counts the same")
    for name, what in (("nps", "0–10 likelihood-to-recommend question"),
                       ("csat", "satisfaction question"), ("ces", "customer-effort question")):
        if name not in study.outcomes:
            why[name] = f"the study has no {what} (`outcomes: {name}:`)"
    if not study.touchpoints:
        why["touchpoints"] = "the study has no journey touchpoints (`touchpoints:`)"
    if not study.verbatims:
        why["open_ends"] = "the study has no open-ended questions (`verbatims:`)"
    if "open_ends" in why:
        why["codeframe"] = why["open_ends"]
    elif not study.codeframe:
        why["codeframe"] = "the study has no code frame of themes (`codeframe:`)"
    if not study.transactions:
        why["transactions"] = ("the study has no transaction records (`transactions:`), so "
                               "customer lifetime value and churn are not estimated")
    n_needs = max(len(study.importance_columns()), len(study.kano_pairs()))
    if n_needs < 3:
        why["needs_segments"] = (f"segmenting customers by what they value needs at least three "
                                 f"stated-importance questions or Kano pairs (the study has "
                                 f"{n_needs})")
    if "open_ends" in why:
        why["sentiment"] = why["open_ends"]
    if not study.management:
        why["management_map"] = ("the study holds no view of management's to compare with the "
                                 "customers' (`management:` a CSV of attribute, importance, "
                                 "performance)")
    elif not (Path(study.root) / study.management).is_file():
        why["management_map"] = f"management's view '{study.management}' was not found"
    if not (Path(study.root) / "truth.json").is_file():
        why["truth"] = "the study is not a simulated one with a planted truth (truth.json)"
    return {name: Capability(name, label, name not in why, why.get(name, ""))
            for name, label in CAPABILITIES.items()}
