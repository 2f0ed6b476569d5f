"""The IPS cross-check against the convention and the quartier → schools mapping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from indicators.analysis.crosscheck import (
    CHECK_COLUMNS,
    build_checks,
    ips_crosscheck,
    quartier_ips,
    read_quartier_schools,
)
from indicators.analysis.ips_means import combine_ips, ips_for_territory
from indicators.errors import InputError
from indicators.sources.ips import (
    read_ips_ap2022,
    read_ips_colleges,
)

REPO = Path(__file__).resolve().parents[1]
FIX = Path(__file__).resolve().parent / "fixtures" / "opendata"
QUARTIER_IDS = [
    "coteau-stade-parc-cite-34",
    "cites-6-et-30",
    "cite-de-la-clarence",
    "cite-du-transvaal",
]


def portrait(values: dict[str, float], reference: float = 104.0) -> pd.DataFrame:
    """The lead's portrait, reduced to the columns the cross-check reads."""
    rows = [
        {
            "quartier_id": q,
            "indicator_id": "school_ips",
            "value": v,
            "qualifier": "exact",
            "reference_value": reference,
            "reference_territory": "CABBALR",
        }
        for q, v in values.items()
    ]
    rows.append(
        {
            "quartier_id": "cites-6-et-30",
            "indicator_id": "poverty_rate",
            "value": 40.0,
            "qualifier": "exact",
            "reference_value": 20.0,
            "reference_territory": "CABBALR",
        }
    )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def ips() -> pd.DataFrame:
    # 2022-2023: écoles A 82 (62270), B NS (62270), C 118 (62178); collèges D 80 (62270),
    # E 90 (62178), F 120 (62001). 2023-2024: A 84, B 74.
    return combine_ips(
        [
            read_ips_ap2022(FIX / "ips_ecoles_ap2022.csv"),
            read_ips_colleges(FIX / "ips_colleges_ap2022.csv"),
        ]
    )


@pytest.fixture(scope="module")
def agg(ips) -> pd.DataFrame:
    return ips_for_territory(
        ips,
        ["62270", "62178"],
        territoire_type="epci",
        territoire_code="200072460",
        territoire_nom="CABBALR",
    )


def test_agglomeration_figure_against_open_data(ips, agg):
    checks = ips_crosscheck(portrait({"cites-6-et-30": 79.0}), agg)
    assert tuple(checks.columns) == CHECK_COLUMNS
    epci = checks[checks["quartier_id"].isna()].set_index("rentree")
    # 2022-2023, écoles (the level published every rentrée, so rentrées compare): A and C
    # (B is NS) → (82 + 118) / 2 = 100; the collèges are described in the method.
    row = epci.loc["2022-2023"]
    assert row["convention_value"] == 104.0
    assert row["open_data_value"] == pytest.approx(100.0)
    assert row["status"] == "écart"
    assert "2 écoles" in row["method"] and "1 exclu car" in row["method"]
    assert "82,5" in row["method"]  # collèges weighted by pupils: (300×80 + 100×90) / 400
    assert "100" in row["message"] and "\u22124" in row["message"]
    # 2023-2024: écoles only, A 84 and B 74 → 79.
    row = epci.loc["2023-2024"]
    assert row["open_data_value"] == pytest.approx(79.0)
    assert "2 écoles" in row["method"]
    assert row["check_id"] == "school_ips:CABBALR:2023-2024"


def test_agreement_within_tolerance_is_coherent(agg):
    checks = ips_crosscheck(portrait({"cites-6-et-30": 79.0}, reference=94.0), agg)
    status = checks[checks["quartier_id"].isna()].set_index("rentree")["status"]
    # Écoles: 100 (A, C) in 2022-2023 and 79 (A, B) in 2023-2024, against 94 ± 2.
    assert status.to_dict() == {"2022-2023": "écart", "2023-2024": "écart"}
    near = ips_crosscheck(portrait({"cites-6-et-30": 79.0}, reference=99.0), agg)
    status = near[near["quartier_id"].isna()].set_index("rentree")["status"]
    assert status.to_dict() == {"2022-2023": "cohérent", "2023-2024": "écart"}


def test_quartier_without_schools_is_not_verifiable(agg):
    checks = ips_crosscheck(portrait({"cites-6-et-30": 79.0, "cite-du-transvaal": 77.0}), agg)
    quartiers = checks[checks["quartier_id"].notna()]
    assert quartiers["quartier_id"].tolist() == ["cites-6-et-30", "cite-du-transvaal"]
    assert quartiers["status"].unique().tolist() == ["non vérifiable"]
    assert quartiers["open_data_value"].isna().all()
    assert quartiers["rentree"].isna().all()
    assert "liste des écoles de chaque quartier" in quartiers["message"].iloc[0]


def test_quartier_recomputed_from_the_mapping(ips, agg):
    mapping = pd.DataFrame(
        {
            "quartier_id": ["cites-6-et-30", "cites-6-et-30", "cites-6-et-30"],
            "uai": ["0629901Z", "0629911Z", "0629999W"],
            "commentaire": ["", "", "maternelle"],
        }
    )
    by_quartier = quartier_ips(ips, mapping)
    assert set(by_quartier["territoire_code"]) == {"cites-6-et-30"}
    checks = ips_crosscheck(
        portrait({"cites-6-et-30": 79.0}), agg, quartier_agg=by_quartier, mapping=mapping, ips=ips
    )
    rows = checks[checks["quartier_id"].eq("cites-6-et-30")].set_index("rentree")
    # 2022-2023: école A 82 and collège D 80 → 81, within 2 points of 79.
    assert rows.loc["2022-2023", "open_data_value"] == pytest.approx(81.0)
    assert rows.loc["2022-2023", "status"] == "cohérent"
    # 2023-2024: only école A is published (84) → gap of 5.
    assert rows.loc["2023-2024", "open_data_value"] == pytest.approx(84.0)
    assert rows.loc["2023-2024", "status"] == "écart"
    assert "0629999W" in rows.loc["2023-2024", "message"]  # listed UAI without IPS


def test_quartier_whose_schools_have_no_ips(ips, agg):
    mapping = pd.DataFrame(
        {"quartier_id": ["cite-du-transvaal"], "uai": ["0629999W"], "commentaire": [""]}
    )
    checks = ips_crosscheck(
        portrait({"cite-du-transvaal": 77.0}),
        agg,
        quartier_agg=quartier_ips(ips, mapping),
        mapping=mapping,
        ips=ips,
    )
    row = checks[checks["quartier_id"].eq("cite-du-transvaal")].iloc[0]
    assert row["status"] == "non vérifiable" and np.isnan(row["open_data_value"])


def test_no_school_ips_in_portrait_gives_no_rows(agg):
    frame = portrait({})
    assert ips_crosscheck(frame, agg).empty


def test_build_checks_refuses_duplicates_and_unknown_status(agg):
    checks = ips_crosscheck(portrait({"cites-6-et-30": 79.0}), agg)
    assert len(build_checks(checks)) == len(checks)
    with pytest.raises(ValueError, match="duplicated check_id"):
        build_checks(checks, checks)
    with pytest.raises(ValueError, match="unknown check status"):
        build_checks(checks.assign(status="ok"))
    assert build_checks().columns.tolist() == list(CHECK_COLUMNS)


# ------------------------------------------------------------------------- mapping file
def test_shipped_template_is_empty_on_purpose():
    mapping = read_quartier_schools(REPO / "data" / "raw" / "quartier_schools.csv", QUARTIER_IDS)
    assert mapping.empty
    assert mapping.columns.tolist() == ["quartier_id", "uai", "commentaire"]


def test_filled_mapping(tmp_path):
    path = tmp_path / "quartier_schools.csv"
    path.write_text(
        "quartier_id;uai;commentaire\ncites-6-et-30;0620079z;collège de secteur\n"
        "cite-du-transvaal;0620079Z;\n",
        encoding="utf-8",
    )
    mapping = read_quartier_schools(path, QUARTIER_IDS)
    assert mapping["uai"].tolist() == ["0620079Z", "0620079Z"]
    assert mapping["commentaire"].tolist() == ["collège de secteur", ""]


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        ("cite-inconnue;0620079Z;", r"line 2, column 'quartier_id': expected a known quartier"),
        ("cites-6-et-30;620079Z;", r"line 2, column 'uai': expected a UAI code"),
        (
            "cites-6-et-30;0620079Z;\ncites-6-et-30;0620079Z;x",
            r"line 3, column 'quartier_id': expected each quartier_id×uai once",
        ),
    ],
)
def test_bad_mapping(tmp_path, line, pattern):
    path = tmp_path / "quartier_schools.csv"
    path.write_text(f"quartier_id;uai;commentaire\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError, match=pattern):
        read_quartier_schools(path, QUARTIER_IDS)
