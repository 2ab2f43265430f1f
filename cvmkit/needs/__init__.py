"""Needs and wants: Kano classification, penalty–reward contrast, stated vs derived importance.

Each function takes a tidy respondent-level DataFrame (or a per-attribute table) and returns one
tidy DataFrame, one row per attribute (per segment and attribute when ``by`` is given).
"""

from .stated_derived import (
    SVD_CLASSES,
    derived_importance,
    stated_and_derived,
    stated_importance,
    stated_vs_derived,
)

__all__ = [
    "SVD_CLASSES",
    "derived_importance",
    "stated_and_derived",
    "stated_importance",
    "stated_vs_derived",
]
