"""Key driver analysis: regression models and relative importance with honest uncertainty.

* :func:`relative_importance` — LMG/Shapley (exact, compiled), Johnson's relative weights, general
  dominance, Pratt, betasq, first, last, CAR; bootstrap percentile intervals.
* :func:`dominance`, :func:`conditional_dominance` — complete, conditional, general dominance.
* :func:`bootstrap_importance`, :func:`outrank_probabilities` — replicate shares and the odds
  that one driver outranks another.
* :func:`segment_importance`, :func:`compare_segments` — the same per segment, and a bootstrap
  test of share differences between segments.
* :func:`ols_coefficients`, :func:`ordered_logit_coefficients`, :func:`logit_coefficients` —
  statsmodels fits as tidy coefficient tables; :func:`logit_dominance` — dominance over
  McFadden's pseudo-R² for a binary outcome (on a seeded subsample above 5,000 respondents;
  :func:`subsample_note` says so in a sentence).
* :func:`collinearity`, :func:`collinearity_message`, :func:`prepare_drivers` — diagnostics and
  data checks.
"""

from .bootstrap import bootstrap_importance
from .diagnostics import (
    PreparedDrivers,
    collinearity,
    collinearity_message,
    condition_number,
    prepare_drivers,
    weighted_corr,
)
from .importance import (
    IMPORTANCE_COLUMNS,
    METHODS,
    conditional_dominance,
    dominance,
    relative_importance,
)
from .lmg import all_subset_fits, lmg_exact, shapley_from_fits, shapley_sampled
from .models import (
    COEFFICIENT_COLUMNS,
    LOGIT_DOMINANCE_SUBSAMPLE,
    logit_coefficients,
    logit_dominance,
    mcfadden_fits,
    ols_coefficients,
    ordered_logit_coefficients,
    subsample_note,
)
from .outrank import outrank_probabilities
from .segments import compare_segments, segment_importance

__all__ = [
    "COEFFICIENT_COLUMNS",
    "IMPORTANCE_COLUMNS",
    "LOGIT_DOMINANCE_SUBSAMPLE",
    "METHODS",
    "PreparedDrivers",
    "all_subset_fits",
    "bootstrap_importance",
    "collinearity",
    "collinearity_message",
    "condition_number",
    "conditional_dominance",
    "dominance",
    "compare_segments",
    "lmg_exact",
    "logit_coefficients",
    "logit_dominance",
    "mcfadden_fits",
    "ols_coefficients",
    "ordered_logit_coefficients",
    "outrank_probabilities",
    "prepare_drivers",
    "relative_importance",
    "segment_importance",
    "shapley_from_fits",
    "shapley_sampled",
    "subsample_note",
    "weighted_corr",
]
