"""The territory file: the shipped values, another territory, and one-line refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from indicators.config import Paths
from indicators.convention.parse import read_convention
from indicators.errors import InputError
from indicators.territory import Commune, load_territory

from .conftest import FIXTURES, RAW, REFERENCE

SHIPPED = RAW / "territory.toml"
OTHER = FIXTURES / "territory" / "other.toml"


def _codes_of(convention: Path) -> dict[str, str | None]:
    quartiers = read_convention(convention, reference_label=REFERENCE).quartiers
    return {
        row.quartier_id: (None if pd.isna(row.code) else row.code) for row in quartiers.itertuples()
    }


def test_shipped_territory() -> None:
    territory = load_territory(SHIPPED)
    assert territory.communes == (Commune("62270", "Divion"),)
    assert territory.epci.siren == "200072460"
    assert territory.epci.name == ("Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane")
    assert territory.epci.label == territory.reference_label == "CABBALR"
    assert territory.epci.member_count == 100
    assert (territory.departement.code, territory.departement.name) == ("62", "Pas-de-Calais")
    assert territory.academie == "Lille"
    assert territory.convention_file == "convention/convention-divion-2024.txt"
    assert territory.epci_members_dir == "cabbalr_epci_members"
    assert territory.commune_boundaries_dir == "communes_62_geojson"
    assert territory.quartier_codes == {
        "coteau-stade-parc-cite-34": "QP062013",
        "cites-6-et-30": "QP062014",
        "cite-de-la-clarence": None,
        "cite-du-transvaal": None,
    }


def test_shipped_territory_agrees_with_the_raw_files() -> None:
    territory = load_territory(SHIPPED)
    assert (RAW / territory.convention_file).is_file()
    assert (RAW / territory.epci_members_dir).is_dir()
    assert (RAW / territory.commune_boundaries_dir).is_dir()
    # The quartier ids and codes are those the parser reads from the convention.
    assert _codes_of(RAW / territory.convention_file) == territory.quartier_codes
    members = pd.read_csv(next((RAW / territory.epci_members_dir).glob("*.csv")), dtype=str)
    assert set(members["epci_siren"]) == {territory.epci.siren}
    assert len(members) == territory.epci.member_count
    names = dict(zip(members["code_insee"], members["nom"], strict=True))
    for commune in territory.communes:
        assert names[commune.insee] == commune.name


def test_paths_read_the_convention_from_the_territory(tmp_path: Path) -> None:
    paths = Paths.from_root(tmp_path)
    raw = paths.raw
    (raw / "convention").mkdir(parents=True)
    text = OTHER.read_text(encoding="utf-8")
    paths.territory_file.write_text(text, encoding="utf-8")
    assert paths.territory_file == tmp_path / "data" / "raw" / "territory.toml"
    assert paths.convention == raw / "convention" / "template_minimal.txt"
    assert Paths.from_root(RAW.parent.parent).convention == (
        RAW / "convention" / "convention-divion-2024.txt"
    )


def test_another_territory_loads_and_matches_its_convention() -> None:
    territory = load_territory(OTHER)
    assert [c.name for c in territory.communes] == ["Testville", "Autreville"]
    assert territory.epci.siren == "299999999"
    convention = FIXTURES / "convention" / Path(territory.convention_file).name
    assert (
        _codes_of(convention)
        == territory.quartier_codes
        == {
            "les-tilleuls": "QP059001",
            "le-bourg": None,
        }
    )


def _edit(old: str, new: str, *, count: int = 1):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return edit


BAD = [
    (
        "missing key",
        _edit('insee = "62270"\n', ""),
        "key 'communes[0].insee': expected an INSEE code of 5 characters, found no such key",
    ),
    (
        "missing table",
        _edit('[academie]\nname = "Lille"\n', ""),
        "key 'academie': expected a table [academie], found no such key",
    ),
    (
        "code as a number",
        _edit('insee = "62270"', "insee = 62270"),
        "key 'communes[0].insee': expected an INSEE code of 5 characters (in quotes), found 62270",
    ),
    (
        "short INSEE",
        _edit('insee = "62270"', 'insee = "6227"'),
        "key 'communes[0].insee': expected an INSEE code of 5 characters, found '6227'",
    ),
    (
        "bad SIREN",
        _edit('siren = "200072460"', 'siren = "20007246X"'),
        "key 'epci.siren': expected a SIREN of 9 digits, found '20007246X'",
    ),
    (
        "SIREN as a number",
        _edit('siren = "200072460"', "siren = 200072460"),
        "key 'epci.siren': expected a SIREN of 9 digits (in quotes), found 200072460",
    ),
    (
        "bad QPV code",
        _edit('code = "QP062013"', 'code = "QP 06 20 13"'),
        "key 'quartiers.coteau-stade-parc-cite-34.code': expected a QPV code such as"
        " 'QP062013' or 'QN06201M', found 'QP 06 20 13'",
    ),
    (
        "unknown key",
        _edit("[academie]", '[academie]\ncode = "A12"'),
        "key 'academie.code': expected no such key (known: name)",
    ),
    (
        "unknown table",
        _edit("[raw]", '[region]\nname = "x"\n\n[raw]'),
        "key 'region': expected no such key",
    ),
    (
        "count as text",
        _edit("member_count = 100", 'member_count = "100"'),
        "key 'epci.member_count': expected a positive whole number, found '100'",
    ),
    (
        "absolute path",
        _edit('file = "convention/', 'file = "/etc/'),
        "key 'convention.file': expected a path relative to data/raw, '/'-separated,"
        " found '/etc/convention-divion-2024.txt'",
    ),
    (
        "bad quartier id",
        _edit("cites-6-et-30 =", '"Cités 6 et 30" ='),
        "key 'quartiers.Cités 6 et 30': expected a quartier id such as 'cites-6-et-30',"
        " found 'Cités 6 et 30'",
    ),
    (
        "not TOML",
        _edit("[epci]", "[epci"),
        "line 10: expected valid TOML (Expected ']' at the end of a table declaration, column 6)",
    ),
]


@pytest.mark.parametrize(("case", "edit", "message"), BAD, ids=[case for case, _, _ in BAD])
def test_bad_territory_gives_one_line(tmp_path: Path, case: str, edit, message: str) -> None:
    path = tmp_path / "territory.toml"
    lines = SHIPPED.read_text(encoding="utf-8").splitlines(keepends=True)
    data = "".join(line for line in lines if not line.startswith("#"))  # edit keys only
    path.write_text(edit(data), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_territory(path)
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith(f"{path}, key" if "key" in message else f"{path}, "), text
    assert message in text, text


def test_missing_territory_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape("territory.toml: expected the territory")):
        load_territory(tmp_path / "territory.toml")
    with pytest.raises(InputError, match="no such file"):
        _ = Paths.from_root(tmp_path).convention
