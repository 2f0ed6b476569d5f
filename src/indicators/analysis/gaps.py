"""Gaps between each quartier and its reference territory (the agglomeration).

For a rate or a share the gap is a difference in percentage points; for a level such
as the school IPS it is a difference and an index (quartier ÷ reference × 100). Each
indicator has a declared polarity (:mod:`indicators.catalog`) that gives the French
reading of the gap. Qualifiers propagate: a lower-bound value (« + de 30 % ») against an
exact reference gives a lower-bound gap (« au moins +11,2 points »), an approximate
value an approximate gap, and a gap whose sign cannot be known is read « indéterminé ».

>>> import pandas as pd
>>> portrait = pd.DataFrame({
...     "quartier_id": ["q"], "indicator_id": ["poverty_rate"], "value": [50.9],
...     "qualifier": ["exact"], "decimals": [1], "reference_value": [18.8],
...     "reference_qualifier": ["exact"], "reference_decimals": [1],
...     "reference_territory": ["CATEST"], "source": ["s"], "vintage": ["2022"],
...     "perimeter": [None]})
>>> gaps = compute_gaps(portrait)
>>> float(gaps.loc[0, "gap"]), gaps.loc[0, "reading"]
(32.1, 'défavorable')
"""

from __future__ import annotations

import math

import pandas as pd

from indicators.catalog import BY_ID
from indicators.numbers import format_number

GAP_COLUMNS = (
    "quartier_id",
    "indicator_id",
    "kind",
    "value",
    "value_qualifier",
    "reference_value",
    "reference_qualifier",
    "reference_territory",
    "gap",
    "gap_unit",
    "gap_qualifier",
    "rounding_margin",
    "index",
    "polarity",
    "reading",
    "label_fr",
    "source",
    "vintage",
    "perimeter",
)

# (value qualifier, reference qualifier) → qualifier of value − reference.
_GAP_QUALIFIER = {
    ("exact", "exact"): "exact",
    ("lower_bound", "exact"): "lower_bound",
    ("upper_bound", "exact"): "upper_bound",
    ("exact", "lower_bound"): "upper_bound",
    ("exact", "upper_bound"): "lower_bound",
    ("lower_bound", "upper_bound"): "lower_bound",
    ("upper_bound", "lower_bound"): "upper_bound",
    ("lower_bound", "lower_bound"): "undetermined",
    ("upper_bound", "upper_bound"): "undetermined",
}
_PREFIX = {
    "exact": "",
    "approx": "environ ",
    "lower_bound": "au moins ",
    "upper_bound": "au plus ",
}
# Rounding of stored gaps: the convention's figures have at most one decimal, so six
# decimals remove floating-point noise (50.9 − 18.8 = 32.099999…) without losing anything.
_STORED_DECIMALS = 6


def gap_qualifier(value_qualifier: str, reference_qualifier: str) -> str:
    """Qualifier of a difference from the qualifiers of its two terms.

    >>> gap_qualifier("lower_bound", "exact")
    'lower_bound'
    >>> gap_qualifier("approx", "exact")
    'approx'
    """
    if "approx" in (value_qualifier, reference_qualifier):
        return "approx"
    return _GAP_QUALIFIER.get((value_qualifier, reference_qualifier), "undetermined")


def _sign(gap: float, qualifier: str) -> int | None:
    """Sign of the true gap when it can be known, else ``None``."""
    if math.isnan(gap) or qualifier == "undetermined":
        return None
    if qualifier == "lower_bound":
        return 1 if gap > 0 else None
    if qualifier == "upper_bound":
        return -1 if gap < 0 else None
    return (gap > 0) - (gap < 0)


def rounding_margin(decimals: int, reference_decimals: int) -> float:
    """Largest gap that the rounding of the two published figures alone can explain.

    « 16 % » stands for any value in [15,5 ; 16,5[ and « 16,2 % » for [16,15 ; 16,25[, so
    a gap of −0,2 point between them may be nil: its sign is not known.

    >>> rounding_margin(0, 1)
    0.55
    """
    return round(0.5 * 10.0**-decimals + 0.5 * 10.0**-reference_decimals, 10)


def reading(gap: float, qualifier: str, polarity: int, margin: float = 0.0) -> str:
    """French reading of a gap for an indicator of the given polarity.

    A gap within the rounding ``margin`` of the published figures reads « équivalent ».

    >>> reading(-20.7, "exact", +1)
    'défavorable'
    >>> reading(11.2, "lower_bound", -1)
    'défavorable'
    >>> reading(-3.0, "lower_bound", -1)
    'indéterminé'
    >>> reading(-0.2, "exact", -1, margin=0.55)
    'équivalent'
    """
    if qualifier == "exact" and not math.isnan(gap) and abs(gap) < margin:
        return "équivalent"
    sign = _sign(gap, qualifier)
    if sign is None:
        return "indéterminé"
    if sign == 0:
        return "équivalent"
    if polarity == 0:
        return "supérieur" if sign > 0 else "inférieur"
    return "favorable" if sign * polarity > 0 else "défavorable"


def gap_label(gap: float, qualifier: str, kind: str) -> str:
    """French label of a gap: « +32,1 points », « au moins +11,2 points », « −25 points ».

    >>> gap_label(11.2, "lower_bound", "rate") == "au moins +11,2\\u00a0points"
    True
    """
    if math.isnan(gap) or qualifier == "undetermined":
        return "écart indéterminé"
    decimals = 1 if kind == "rate" else (0 if float(gap).is_integer() else 1)
    text = format_number(gap, decimals, sign=True) + "\u00a0points"
    return _PREFIX[qualifier] + text


def compute_gaps(portrait: pd.DataFrame) -> pd.DataFrame:
    """Gaps of every portrait row that has a reference value.

    Parameters
    ----------
    portrait
        The ``portrait`` table (see :mod:`indicators.convention.parse`).

    Returns
    -------
    pandas.DataFrame
        One row per quartier × indicator with a reference, columns :data:`GAP_COLUMNS`.
        Counts (population, area) have no gap.
    """
    records = []
    with_reference = portrait[portrait["reference_value"].notna()]
    for row in with_reference.itertuples(index=False):
        indicator = BY_ID[row.indicator_id]
        if indicator.kind == "count":
            continue
        qualifier = gap_qualifier(row.qualifier, row.reference_qualifier)
        gap = round(float(row.value) - float(row.reference_value), _STORED_DECIMALS)
        if qualifier == "undetermined":
            gap = math.nan
        # Without the published precision (a hand-built portrait), no rounding margin.
        decimals = getattr(row, "decimals", None)
        reference_decimals = getattr(row, "reference_decimals", None)
        margin = (
            0.0
            if decimals is None or reference_decimals is None or pd.isna(reference_decimals)
            else rounding_margin(int(decimals), int(reference_decimals))
        )
        index = math.nan
        if indicator.kind == "level" and row.reference_value:
            index = round(float(row.value) / float(row.reference_value) * 100, _STORED_DECIMALS)
        records.append(
            {
                "quartier_id": row.quartier_id,
                "indicator_id": row.indicator_id,
                "kind": indicator.kind,
                "value": float(row.value),
                "value_qualifier": row.qualifier,
                "reference_value": float(row.reference_value),
                "reference_qualifier": row.reference_qualifier,
                "reference_territory": row.reference_territory,
                "gap": gap,
                "gap_unit": "points de pourcentage" if indicator.kind == "rate" else "points",
                "gap_qualifier": qualifier,
                "rounding_margin": margin,
                "index": index,
                "polarity": indicator.polarity,
                "reading": reading(gap, qualifier, indicator.polarity, margin),
                "label_fr": gap_label(gap, qualifier, indicator.kind),
                "source": row.source,
                "vintage": row.vintage,
                "perimeter": row.perimeter,
            }
        )
    gaps = pd.DataFrame.from_records(records, columns=list(GAP_COLUMNS))
    for column in ("value", "reference_value", "gap", "rounding_margin", "index"):
        gaps[column] = gaps[column].astype("float64")
    gaps["polarity"] = gaps["polarity"].astype("int64")
    for column in gaps.columns:
        if gaps[column].dtype == object:
            gaps[column] = gaps[column].astype("str")
    return gaps
