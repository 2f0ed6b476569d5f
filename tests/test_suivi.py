"""The yearly cycle: ids, the follow-up form, recording, two synthetic years, the dossier.

The filled workbooks are the SYNTHETIC fixtures of tests/fixtures/suivi (see its README
and make_fixtures.py): the first actions of « cites-6-et-30 » in template order, with
2024 = réalisée, engagée, non engagée, non engagée, reportée and 2025 = réalisée,
réalisée, engagée, non engagée, abandonnée, engagée. Expected counts and changes below
are worked out by hand from that list.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from indicators.analysis.suivi import changes, money, not_started, state_counts, year_view
from indicators.cli import main
from indicators.config import Paths
from indicators.convention.ids import id_changes, text_id, with_ids
from indicators.convention.parse import read_convention
from indicators.sources.suivi import COLUMNS, STATES

from .conftest import CONVENTION, FIXTURES, RAW, REFERENCE

SUIVI = FIXTURES / "suivi"
Q = "cites-6-et-30"


@pytest.fixture(scope="module")
def objectives() -> pd.DataFrame:
    return read_convention(CONVENTION, reference_label=REFERENCE).objectives


def test_ids_are_stable_and_follow_the_wording(objectives) -> None:
    again = read_convention(CONVENTION, reference_label=REFERENCE).objectives
    assert list(again["action_id"]) == list(objectives["action_id"])
    actions = objectives.dropna(subset=["action_id"])
    assert len(actions) == 205
    assert not actions.duplicated(["quartier_id", "action_id"]).any()
    assert actions["action_id"].str.fullmatch(r"A[123]-[0-9a-f]{6}").all()
    row = actions.iloc[0]
    assert row["action_id"] == text_id("A", row["enjeu"], row["action"])
    assert text_id("A", 1, row["action"].upper()) == row["action_id"]  # case is not wording
    edited = objectives.copy()
    edited.loc[edited.index[0], "action"] = row["action"] + " et les aînés"
    rebuilt = with_ids(edited.drop(columns=["enjeu_id", "objective_id", "action_id"]))
    assert rebuilt["action_id"].iloc[0] != row["action_id"]
    notes = id_changes(objectives, rebuilt)
    assert len(notes) == 2 and "disparue" in notes[0] and "nouvelle" in notes[1]


def test_follow_up_form(project_root: Path, objectives) -> None:
    assert main(["--root", str(project_root), "suivi", "--annee", "2025"]) == 0
    path = project_root / "modeles" / "suivi_2025.xlsx"
    book = load_workbook(path)
    sheet = book["Suivi"]
    assert book.sheetnames == ["Suivi", "Mode d'emploi"]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet.max_row == 1 + 205 and sheet.freeze_panes == "B2"
    assert sheet.protection.sheet
    col = {c.key: i for i, c in enumerate(COLUMNS, start=1)}
    assert sheet.cell(2, col["action_id"]).protection.locked
    assert not sheet.cell(2, col["etat"]).protection.locked
    assert all(sheet.cell(r, col["etat"]).value is None for r in range(2, 207))  # no invented state
    rules = {dv.type: dv for dv in sheet.data_validations.dataValidation}
    letter = "ABCDEFGHIJKLMNOP"[col["etat"] - 1]
    assert rules["list"].formula1 == '"' + ",".join(STATES) + '"'
    assert str(rules["list"].sqref) == f"{letter}2:{letter}206"
    assert rules["decimal"].formula1 == "0"


def test_form_is_prefilled_from_last_year(project_root: Path) -> None:
    (project_root / "data" / "raw" / "suivi").mkdir()
    shutil.copy(SUIVI / "suivi_2024.xlsx", project_root / "data" / "raw" / "suivi")
    out = project_root / "out.xlsx"
    assert main(["--root", str(project_root), "suivi", "--annee", "2025", "--out", str(out)]) == 0
    sheet = load_workbook(out)["Suivi"]
    col = {c.key: i - 1 for i, c in enumerate(COLUMNS, start=1)}
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[col["quartier_id"]] == Q]
    states = [r[col["etat"]] for r in rows[:6]]
    assert states == ["réalisée", "engagée", "non engagée", "non engagée", "reportée", None]
    assert [r[col["etat_precedent"]] for r in rows[:2]] == ["réalisée", "engagée"]
    assert all(r[col["financement_prevu"]] is None for r in rows)  # amounts start empty


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_form_opens_in_libreoffice_with_its_dropdowns(tmp_path: Path) -> None:
    out = tmp_path / "lo"
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(SUIVI / "suivi_2025.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    sheet = load_workbook(out / "suivi_2025.xlsx")["Suivi"]
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"' + ",".join(STATES) + '"'
    assert sheet.protection.sheet


def test_record_adds_then_updates_the_line(project_root: Path, capsys) -> None:
    target = project_root / "data" / "raw" / "suivi" / "suivi_2024.xlsx"
    target.parent.mkdir()
    shutil.copy(SUIVI / "suivi_2024.xlsx", target)
    assert main(["--root", str(project_root), "record", str(target)]) == 0
    assert "ajouté" in capsys.readouterr().out
    lines = (project_root / "data" / "raw" / "SHA256SUMS").read_text().splitlines()
    from indicators.hashing import sha256_file

    assert f"{sha256_file(target)}  suivi/suivi_2024.xlsx" in lines
    assert lines == sorted(lines, key=lambda s: s[66:])
    shutil.copy(SUIVI / "suivi_2025.xlsx", target)
    assert main(["--root", str(project_root), "record", str(target)]) == 0
    assert "mis à jour" in capsys.readouterr().out
    assert main(["--root", str(project_root), "record", str(RAW / "territory.toml")]) == 2


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cycle") / "project"
    shutil.copytree(RAW, root / "data" / "raw")
    (root / "data" / "processed").mkdir(parents=True)
    for name, folder in (
        ("suivi_2024.xlsx", "suivi"),
        ("suivi_2025.xlsx", "suivi"),
        ("indicateurs_commune.csv", "indicateurs_commune"),
    ):
        (root / "data" / "raw" / folder).mkdir(exist_ok=True)
        shutil.copy(SUIVI / name, root / "data" / "raw" / folder / name)
        assert main(["--root", str(root), "record", f"{root}/data/raw/{folder}/{name}"]) == 0
    assert main(["--root", str(root), "build", "--no-figures"]) == 0
    return root


def test_two_years_counts_and_changes(two_years: Path) -> None:
    from indicators.report.tables import load_tables

    tables = load_tables(Paths(two_years))
    suivi = tables.suivi
    assert sorted(suivi["annee"].unique()) == [2024, 2025]
    assert (suivi.groupby("annee").size() == 205).all()
    y24 = year_view(tables.objectives, suivi, 2024)
    y25 = year_view(tables.objectives, suivi, 2025)
    counts = state_counts(y25)
    mine = counts[(counts["quartier_id"] == Q) & (counts["enjeu"] == 1)]
    n_enjeu1 = int(
        (
            (tables.objectives["quartier_id"] == Q)
            & (tables.objectives["enjeu"] == 1)
            & tables.objectives["action_id"].notna()
        ).sum()
    )
    assert dict(zip(mine["etat"], mine["actions"], strict=True)) == {
        "réalisée": 2,
        "engagée": 2,
        "non engagée": 1,
        "abandonnée": 1,
        "non renseignée": n_enjeu1 - 6,
    }
    other = counts[counts["quartier_id"] != Q]
    assert set(other["etat"]) == {"non renseignée"}
    moved = changes(y24, y25)
    assert list(zip(moved["etat_avant"], moved["etat"], strict=True)) == [
        ("engagée", "réalisée"),
        ("non engagée", "engagée"),
        ("reportée", "abandonnée"),
        ("non renseignée", "engagée"),
    ]
    assert set(moved["quartier_id"]) == {Q}
    assert len(not_started(y25)) == 1 and len(not_started(y24)) == 2
    cash = money(y25).set_index(["quartier_id", "enjeu"])
    assert cash.loc[(Q, 1), "financement_prevu"] == 1500 + 3000 + 250
    assert cash.loc[(Q, 1), "financement_realise"] == 1500 + 1000
    assert pd.isna(cash.loc[(Q, 2), "financement_prevu"])  # nothing given: missing, not 0
    cash24 = money(y24).set_index(["quartier_id", "enjeu"])
    assert cash24.loc[(Q, 1), "financement_realise"] == 800 + 0


def test_commune_indicators_table(two_years: Path) -> None:
    series = pd.read_parquet(two_years / "data" / "processed" / "series_commune.parquet")
    raw = pd.read_csv(SUIVI / "indicateurs_commune.csv", sep=";", dtype=str)
    assert len(series) == len(raw) == 5
    pre = series[series["indicator_id"] == "commune_familles_suivies_par_le_pre"]
    assert list(zip(pre["territory"], pre["vintage"], pre["value"], strict=True)) == [
        (Q, "2023", 40.0),
        (Q, "2024", 45.0),
        (Q, "2025", 52.0),
        ("coteau-stade-parc-cite-34", "2024", 30.0),
    ]
    assert set(pre["polarity"]) == {1}
    approx = series[
        (series["territory"] == Q)
        & (series["vintage"] == "2024")
        & (series["indicator_id"] != "poverty_rate")
    ]
    assert list(approx["qualifier"]) == ["approx"]
    poverty = series[series["indicator_id"] == "poverty_rate"]
    assert list(poverty["value"]) == [51.5] and list(poverty["polarity"]) == [-1]
    assert {
        "territory",
        "indicator_id",
        "vintage",
        "value",
        "qualifier",
        "source",
        "method",
    } <= set(series.columns)


def test_dossier_fragment_of_the_year(two_years: Path) -> None:
    from indicators.report.suivi import comite_title, commune_indicators_html, suivi_html
    from indicators.report.tables import load_tables

    tables = load_tables(Paths(two_years))
    html = suivi_html(tables, 2025)
    assert "Changements depuis 2024" in html and "reportée" in html
    assert "4\u00a0750\u00a0€" in html.replace("\u202f", "\u00a0")
    assert "Aucun fichier de suivi des actions n'a été transmis pour 2023" in suivi_html(
        tables, 2023
    )
    assert "Pas de suivi 2023" in suivi_html(tables, 2024)
    assert "12 juin 2026" in comite_title(2025, "2026-06-12")
    assert commune_indicators_html(tables).count("<img") == 2
