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
    derived_from_drivers,
    derived_importance,
    stated_and_derived,
    stated_importance,
    stated_vs_derived,
)
from .summary import HIERARCHY, ROLES, needs_summary, segment_contrasts

__all__ = [
    "HIERARCHY",
    "KANO_CATEGORIES",
    "KANO_TABLE",
    "PRCA_CLASSES",
    "ROLES",
    "SVD_CLASSES",
    "default_thresholds",
    "derived_from_drivers",
    "derived_importance",
    "fong_test",
    "kano_classify",
    "kano_continuous",
    "kano_table",
    "needs_summary",
    "penalty_reward",
    "segment_contrasts",
    "stated_and_derived",
    "stated_importance",
    "stated_vs_derived",
]
