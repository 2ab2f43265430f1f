"""Needs and wants: Kano classification, penalty–reward contrast, stated vs derived importance.

Each function takes a tidy respondent-level DataFrame (or a per-attribute table) and returns one
tidy DataFrame, one row per attribute (per segment and attribute when ``by`` is given).
"""

from .kano import (
    KANO_CATEGORIES,
    KANO_TABLE,
    fong_test,
    kano_classify,
    kano_continuous,
    kano_table,
)
from .penalty_reward import PRCA_CLASSES, default_thresholds, penalty_reward
from .stated_derived import (
    SVD_CLASSES,
    derived_importance,
    stated_and_derived,
    stated_importance,
    stated_vs_derived,
)
from .summary import HIERARCHY, ROLES, needs_summary, segment_contrasts

__all__ = [
    "KANO_CATEGORIES",
    "HIERARCHY",
    "KANO_TABLE",
    "ROLES",
    "needs_summary",
    "segment_contrasts",
    "PRCA_CLASSES",
    "default_thresholds",
    "penalty_reward",
    "fong_test",
    "kano_classify",
    "kano_continuous",
    "kano_table",
    "SVD_CLASSES",
    "derived_importance",
    "stated_and_derived",
    "stated_importance",
    "stated_vs_derived",
]
