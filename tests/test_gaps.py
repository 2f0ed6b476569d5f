"""Gaps to the agglomeration: values checked by hand against the convention."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.analysis.gaps import compute_gaps, gap_qualifier, reading
from indicators.convention.parse import read_convention

from .conftest import CONVENTION, REFERENCE


@pytest.fixture(scope="module")
def gaps() -> pd.DataFrame:
    return compute_gaps(read_convention(CONVENTION, reference_label=REFERENCE).portrait).set_index(
        ["quartier_id", "indicator_id"]
    )


def test_hand_checked_gaps(gaps) -> None:
    # Cités 6 et 30: poverty 50,9 vs 18,8; employment 38,1 vs 58,8; IPS 79 vs 104.
    assert gaps.loc[("cites-6-et-30", "poverty_rate"), "gap"] == pytest.approx(32.1)
    assert gaps.loc[("cites-6-et-30", "employment_rate_15_64"), "gap"] == pytest.approx(-20.7)
    ips = gaps.loc[("cites-6-et-30", "school_ips")]
    assert ips["gap"] == -25 and ips["kind"] == "level"
    assert ips["index"] == pytest.approx(79 / 104 * 100)
    # Coteau Stade Parc - Cité 34: poverty 38 vs 18,8.
    assert gaps.loc[("coteau-stade-parc-cite-34", "poverty_rate"), "gap"] == pytest.approx(19.2)


def test_readings_follow_polarity(gaps) -> None:
    assert gaps.loc[("cites-6-et-30", "poverty_rate"), "reading"] == "défavorable"
    assert gaps.loc[("cites-6-et-30", "employment_rate_15_64"), "reading"] == "défavorable"
    assert gaps.loc[("cites-6-et-30", "school_ips"), "reading"] == "défavorable"
    # Social housing has no declared polarity: the reading only says above or below.
    assert gaps.loc[("cites-6-et-30", "social_housing_share"), "reading"] == "supérieur"


def test_lower_bound_gives_bounded_gap(gaps) -> None:
    row = gaps.loc[("cite-du-transvaal", "poverty_rate")]
    assert row["gap"] == pytest.approx(11.2)
    assert row["gap_qualifier"] == "lower_bound"
    assert row["label_fr"] == "au moins +11,2\u00a0points"
    assert row["reading"] == "défavorable"
    housing = gaps.loc[("cites-6-et-30", "social_housing_share")]
    assert housing["label_fr"] == "au moins +69,4\u00a0points"


def test_french_labels(gaps) -> None:
    assert gaps.loc[("cites-6-et-30", "poverty_rate"), "label_fr"] == "+32,1\u00a0points"
    assert gaps.loc[("cites-6-et-30", "employment_rate_15_64"), "label_fr"] == (
        "\u221220,7\u00a0points"
    )
    assert gaps.loc[("cites-6-et-30", "school_ips"), "label_fr"] == "\u221225\u00a0points"


def test_counts_and_missing_references_have_no_gap(gaps) -> None:
    indicators = set(gaps.index.get_level_values("indicator_id"))
    assert "population" not in indicators and "area_ha" not in indicators
    # Clarence: only its two surviving lines have gaps; nothing is invented.
    clarence = gaps.loc["cite-de-la-clarence"]
    assert set(clarence.index) == {"school_ips", "social_housing_share"}
    assert len(gaps) == 18


def test_gap_within_rounding_is_equivalent(gaps) -> None:
    # Transvaal: « 16% » of single-parent families (0 decimal: 15,5 to 16,5) against 16,2 %
    # (16,15 to 16,25): the −0,2 point gap is within the rounding of the published figures.
    row = gaps.loc[("cite-du-transvaal", "single_parent_families_share")]
    assert row["gap"] == pytest.approx(-0.2)
    assert row["rounding_margin"] == pytest.approx(0.55)
    assert row["reading"] == "équivalent"
    # « 38 % » vs 18,8 %: far beyond the margin.
    assert gaps.loc[("coteau-stade-parc-cite-34", "poverty_rate"), "rounding_margin"] == (
        pytest.approx(0.55)
    )


def test_qualifier_propagation() -> None:
    assert gap_qualifier("exact", "exact") == "exact"
    assert gap_qualifier("approx", "lower_bound") == "approx"
    assert gap_qualifier("exact", "lower_bound") == "upper_bound"
    assert gap_qualifier("lower_bound", "lower_bound") == "undetermined"
    # A lower bound below the reference says nothing about the sign of the gap.
    assert reading(-3.0, "lower_bound", -1) == "indéterminé"
    assert reading(0.0, "exact", 1) == "équivalent"


@given(
    value=st.floats(min_value=0, max_value=100, allow_nan=False),
    indicator=st.sampled_from(["poverty_rate", "employment_rate_15_64", "social_housing_share"]),
)
def test_gap_of_reference_to_itself_is_zero(value: float, indicator: str) -> None:
    portrait = pd.DataFrame(
        {
            "quartier_id": ["agglo"],
            "indicator_id": [indicator],
            "value": [value],
            "qualifier": ["exact"],
            "decimals": [1],
            "reference_value": [value],
            "reference_decimals": [1],
            "reference_qualifier": ["exact"],
            "reference_territory": ["CABBALR"],
            "source": [None],
            "vintage": [None],
            "perimeter": [None],
        }
    )
    row = compute_gaps(portrait).iloc[0]
    assert row["gap"] == 0 and not math.isnan(row["gap"])
    assert row["reading"] == "équivalent"
