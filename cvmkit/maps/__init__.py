"""The numbers behind the value maps, as tidy DataFrames.

==========================  ==========================================================
module                      holds
==========================  ==========================================================
:mod:`.importance`          stated or derived attribute importance (falls back to stated)
:mod:`.ipa`                 importance–performance analysis (Martilla & James)
:mod:`.benchmark`           brand means with intervals, competitors vs the focal brand
:mod:`.value_map`           Gale's customer value map and quality profile
:mod:`.perceptual`          correspondence analysis, perceptual map with ideal points
:mod:`.segments`            segment × attribute importance
:mod:`.journey`             touchpoints in stage order, pain points
==========================  ==========================================================

Every function takes the respondent-level data and the :class:`~cvmkit.study.Study` (or a
table) and returns one tidy DataFrame; :mod:`cvmkit.plots` draws them.  The examples in the
function docstrings use ``data`` and ``study`` as a notebook has them:

>>> from cvmkit.io import open_run
>>> data, study = open_run("reports/lab", study_path="data/demo/study.yaml")  # doctest: +SKIP
>>> from cvmkit.maps import importance_performance
>>> ipa = importance_performance(data, study, weights="weight")  # doctest: +SKIP
"""

from .benchmark import CORRECTIONS, VERDICTS, brand_performance, competitive_benchmark
from .importance import (
    IMPORTANCE_SOURCES,
    attribute_importance,
    computed_importance,
    derived_importance,
)
from .ipa import CROSSHAIRS, QUADRANTS, importance_performance, quadrant
from .journey import journey_map
from .perceptual import (
    brand_attribute_table,
    ca_eigenvalues,
    correspondence_analysis,
    perceptual_map,
    segment_ideal_profiles,
)
from .segments import segment_importance
from .value_map import ZONES, perceived_price, quality_profile, value_map

__all__ = [
    "CORRECTIONS",
    "CROSSHAIRS",
    "IMPORTANCE_SOURCES",
    "QUADRANTS",
    "VERDICTS",
    "ZONES",
    "attribute_importance",
    "computed_importance",
    "brand_attribute_table",
    "brand_performance",
    "ca_eigenvalues",
    "competitive_benchmark",
    "correspondence_analysis",
    "derived_importance",
    "importance_performance",
    "journey_map",
    "perceived_price",
    "perceptual_map",
    "quadrant",
    "quality_profile",
    "segment_ideal_profiles",
    "segment_importance",
    "value_map",
]
