"""Words for people: captions of figures and headers of tables in the client documents.

Every figure and table the client report or deck shows is named here, and every column it
shows gets a header from :data:`COLUMN_LABELS`; a name missing from the map is turned into
words (underscores to spaces, first letter capital) rather than shown raw.
"""

from __future__ import annotations

__all__ = ["COLUMN_LABELS", "FIGURE_CAPTIONS", "TABLE_CAPTIONS", "caption", "column_label"]

#: Figure stem (without its notebook) → caption.
FIGURE_CAPTIONS = {
    "importance": "What drives the overall rating: each attribute's share, with its 95% interval",
    "needs_roles": "Needs and wants: the role of each attribute",
    "kano_shares": "How customers react to each attribute (Kano categories)",
    "penalty_reward": "What a shortfall costs and what excellence earns, by attribute",
    "ipa": "Importance against performance: where to act",
    "value_map": "Customer value map: quality against price, by brand",
    "benchmark_dots": "Ratings by brand, with 95% intervals",
    "benchmark_heat": "Ratings by brand and attribute",
    "perceptual_map": "How customers see the brands and attributes",
    "nps_by_segment": "Net Promoter Score by segment",
    "nps_trend": "Net Promoter Score over time",
    "touchpoints": "Satisfaction at each touchpoint",
    "price_sensitivity_meter": "Price sensitivity: the range of acceptable prices",
    "gabor_granger": "Demand and revenue at the prices asked",
    "nms_demand": "Expected demand and revenue by price",
    "value_ratio": "Value for money by brand",
    "segment_needs": "What each needs-based segment values, against the rest of the customers",
    "theme_sentiment": "Share of those answering who are negative about each theme, with its "
                       "95% interval",
    "performance_changes": "Change in each rating since the last wave, with its 95% interval",
    "headline_changes": "Change in the brand's ratings since the last wave, and any other "
                        "significant change, with 95% intervals",
    "management_map": "Management's view of importance and performance against the customers'",
}

#: Table stem → caption.
TABLE_CAPTIONS = {
    "importance": "The drivers of the overall rating",
    "needs_summary": "Needs and wants",
    "value_map": "Quality and price relative to the market",
    "benchmark": "Ratings by brand",
    "nps": "Net Promoter Score",
    "price_points": "Price points",
    "gabor_granger": "Demand at the prices asked",
    "actions": "Recommended actions",
    "segment_sizes": "The needs-based segments",
    "theme_sentiment": "The themes customers are most often negative about",
    "performance_changes": "The significant changes since the last wave",
    "management_gaps": "Where management's view differs from its customers'",
}

#: Column name → header.
COLUMN_LABELS = {
    "label": "Attribute",
    "attribute": "Attribute",
    "brand": "Brand",
    "share": "Share of explained variance (%)",
    "importance": "Importance",
    "lower": "95% interval from",
    "upper": "to",
    "rank": "Rank",
    "role": "Role",
    "agreement": "Agreement of the methods",
    "hierarchy": "Value level",
    "quality_ratio": "Quality vs market",
    "price_ratio": "Price vs market",
    "zone": "Value",
    "mean": "Mean rating",
    "nps": "NPS",
    "ci_low": "95% interval from",
    "ci_high": "to",
    "n": "Respondents",
    "promoters": "Promoters",
    "detractors": "Detractors",
    "point": "Price point",
    "price": "Price",
    "demand": "Share who would buy",
    "revenue": "Revenue index",
    "action_label": "Recommendation",
    "reasons": "Why",
    "group": "Group",
    "segment": "Segment",
    "verdict": "Against the brand",
    "values_most": "Values more than the rest",
    "mean_a": "Earlier wave",
    "mean_b": "Latest wave",
    "share_a": "Share in the earlier wave (%)",
    "share_b": "Share in the latest wave (%)",
    "measure": "What moved",
    "management": "Management's view",
    "customers": "Customers' view",
    "reach_negative": "Negative about it (% of those answering)",
    "share_negative": "Negative mentions (%)",
}


def column_label(name: str) -> str:
    """The header for column ``name``.

    Examples
    --------
    >>> column_label("quality_ratio"), column_label("gap_to_best")
    ('Quality vs market', 'Gap to best')
    """
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    s = str(name).replace("_", " ").strip()
    return s[:1].upper() + s[1:]


def caption(kind: str, stem: str) -> str:
    """The caption of a figure (``kind="figure"``) or table named ``stem`` (no notebook part).

    Examples
    --------
    >>> caption("figure", "ipa")
    'Importance against performance: where to act'
    """
    found = (FIGURE_CAPTIONS if kind == "figure" else TABLE_CAPTIONS).get(stem)
    return found or column_label(stem)
