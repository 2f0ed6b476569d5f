"""Fuzzing the readers: random and mutated inputs raise only the project's errors.

What the other fuzz tests do not cover: the CSV number parser (``insee.parse_numbers``)
on arbitrary text, and the file readers on *mutated real rows* — the DEPP IPS files
(three layouts), the CABBALR member list, the quartier → schools mapping and the
synthetic Filosofi grid fixture — plus a GeoJSON layer. A mutation drops or doubles a
separator, replaces a field by a secrecy marker or by odd text (quotes, newlines, HTML,
French and foreign number notations), duplicates, swaps or truncates lines, and writes
the result in one of several encodings. Whatever happens, only an
:class:`~indicators.errors.IndicatorsError` may escape, its message is one line, and a
table that is returned keeps its invariants (a missing value keeps its marker, never 0).
"""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.analysis.crosscheck import read_quartier_schools
from indicators.errors import IndicatorsError
from indicators.sources.communes import read_epci_members
from indicators.sources.csvfiles import read_insee_csv
from indicators.sources.filosofi import GRID_COLUMNS, read_filosofi_grid
from indicators.sources.ips import IPS_COLUMNS, IPS_MAX, IPS_MIN, read_ips
from indicators.sources.numeric import SECRECY_MARKERS, parse_numbers
from indicators.sources.perimeters import read_perimeters

from .conftest import FIXTURES, RAW

#: Examples per test; raise it for a longer hunt (``INDICATORS_FUZZ_EXAMPLES=2000 pytest …``).
EXAMPLES = int(os.environ.get("INDICATORS_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
_counter = itertools.count()


def _head(path: Path, rows: int, encoding: str = "utf-8") -> list[str]:
    """The header and ``rows`` records of a real file (spread over the file)."""
    lines = path.read_text(encoding=encoding).splitlines()
    step = max(1, (len(lines) - 1) // rows)
    return [lines[0], *lines[1::step][:rows]]


IPS_FILES = {
    "ecoles_2021": (RAW / "ips_ecoles" / "fr-en-ips_ecoles_2021-2022_dep62.csv", "ecole"),
    "ecoles_ap2022": (RAW / "ips_ecoles" / "fr-en-ips-ecoles-ap2022_dep62.csv", "ecole"),
    "colleges": (RAW / "ips_colleges" / "fr-en-ips-colleges-ap2022_dep62.csv", "college"),
}
IPS_SAMPLES = {name: _head(path, 12) for name, (path, _) in IPS_FILES.items()}
EPCI_SAMPLE = _head(RAW / "cabbalr_epci_members" / "cabbalr_communes_2026.csv", 12)
GRID_SAMPLE = (FIXTURES / "opendata" / "filosofi_2019.csv").read_text().splitlines()
MAPPING_SAMPLE = [
    "quartier_id;uai;commentaire",
    "cites-6-et-30;0620079Z;collège de secteur",
    "cite-du-transvaal;0620080A;école",
]
QUARTIER_IDS = ["cite-de-la-clarence", "cite-du-transvaal", "cites-6-et-30"]

ODD = [
    *SECRECY_MARKERS,
    "",
    " ",
    "S",
    "n.s.",
    "NA",
    "null",
    "-",
    "—",
    "1 600",
    "1\u202f600",
    "1\u00a0600,5",
    "18,8",
    "18.8",
    "\u22122",
    "-0",
    "1e309",
    "nan",
    "inf",
    "0x10",
    "١٢",
    '"',
    '""',
    '"a;b"',
    "<b>x</b>",
    "é",
    "Ã©",
    "\t",
    "\n",
    "\r",
    "\x00",
    "\ufeff",
    "=1+1",
]
# UTF-8 most often, so that most examples reach the parsing of the records.
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]


@st.composite
def mutated(draw, base: list[str], sep: str) -> bytes:
    """The lines ``base`` with a few random edits, encoded in a random encoding."""
    lines = list(base)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(
            st.sampled_from(
                [
                    "field",
                    "field",
                    "drop_sep",
                    "double_sep",
                    "duplicate",
                    "delete",
                    "swap",
                    "truncate",
                    "insert",
                ]
            )
        )
        fields = lines[i].split(sep)
        if action == "field":
            j = draw(st.integers(min_value=0, max_value=len(fields) - 1))
            fields[j] = draw(st.one_of(st.sampled_from(ODD), st.text(max_size=8)))
            lines[i] = sep.join(fields)
        elif action == "drop_sep" and len(fields) > 1:
            j = draw(st.integers(min_value=1, max_value=len(fields) - 1))
            lines[i] = sep.join(fields[:j]) + sep.join(fields[j:])
        elif action == "double_sep":
            j = draw(st.integers(min_value=0, max_value=len(fields)))
            lines[i] = sep.join([*fields[:j], "", *fields[j:]])
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "swap":
            k = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[i], lines[k] = lines[k], lines[i]
        elif action == "truncate":
            lines[i] = lines[i][: draw(st.integers(min_value=0, max_value=len(lines[i])))]
        elif action == "insert":
            lines.insert(i, draw(st.text(max_size=20)))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


def _write(directory: Path, data: bytes, name: str) -> Path:
    path = directory / f"{next(_counter)}-{name}"
    path.write_bytes(data)
    return path


def _only_project_errors(read, path: Path):
    """Call ``read(path)``; a project error must be one line naming the file."""
    try:
        return read(path)
    except IndicatorsError as error:
        message = str(error)
        assert "\n" not in message and "\r" not in message
        assert path.name in message or path.parent.name in message, message
        return None


def _markers_are_kept(table: pd.DataFrame, column: str) -> None:
    """A value with a marker is missing, never 0; a present value has no marker."""
    values, markers = table[column], table[f"{column}_marker"]
    assert values.dtype == np.float64
    flagged = markers.ne("")
    assert values[flagged].isna().all()
    assert markers[flagged].str.casefold().isin([m.casefold() for m in SECRECY_MARKERS]).all()


# ----------------------------------------------------------------------- the numbers
@settings(max_examples=EXAMPLES * 8, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(ODD), st.text(max_size=12)), min_size=1, max_size=8))
def test_parse_numbers_on_any_text(texts: list[str]) -> None:
    series = pd.Series(texts, index=range(2, 2 + len(texts)), dtype=str)
    try:
        values, markers = parse_numbers(series, path="fuzz.csv", column="x")
    except IndicatorsError as error:
        assert str(error).startswith("fuzz.csv, line ") and "\n" not in str(error)
        return
    assert values.dtype == np.float64 and len(values) == len(texts)
    for text, value, marker in zip(texts, values, markers, strict=True):
        if math.isnan(value):
            assert marker == text.strip()  # the marker as written ("" for a blank cell)
            assert marker == "" or marker.casefold() in {m.casefold() for m in SECRECY_MARKERS}
        else:
            assert math.isfinite(value) and marker == ""


@settings(
    max_examples=EXAMPLES * 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.binary(max_size=300))
def test_read_insee_csv_on_random_bytes(tmp_path_factory, data: bytes) -> None:
    directory = tmp_path_factory.getbasetemp()
    path = _write(directory, data, "random.csv")
    frame = _only_project_errors(lambda p: read_insee_csv(p, numeric=["b"]), path)
    if frame is not None and "b" in frame.columns:
        _markers_are_kept(frame, "b")


# ------------------------------------------------------------------------ the readers
@pytest.mark.parametrize("layout", sorted(IPS_FILES))
@FUZZ
@given(data=st.data())
def test_ips_reader_on_mutated_real_rows(tmp_path, layout: str, data) -> None:
    raw = data.draw(mutated(IPS_SAMPLES[layout], ";"))
    path = _write(tmp_path, raw, IPS_FILES[layout][0].name)
    niveau = IPS_FILES[layout][1]
    table = _only_project_errors(lambda p: read_ips(p, niveau=niveau), path)
    if table is None:
        return
    assert tuple(table.columns) == IPS_COLUMNS
    ips = table["ips"].dropna()
    assert ((ips >= IPS_MIN) & (ips <= IPS_MAX)).all()
    _markers_are_kept(table, "ips")
    assert not table.duplicated(["uai", "rentree"]).any()


@FUZZ
@given(data=st.data())
def test_epci_reader_on_mutated_real_rows(tmp_path, data) -> None:
    raw = data.draw(mutated(EPCI_SAMPLE, ","))
    path = _write(tmp_path, raw, "cabbalr_communes_2026.csv")
    members = _only_project_errors(read_epci_members, path)
    if members is None:
        return
    for column in ("population_municipale", "population_totale"):
        assert members[column].dtype == np.int64 and (members[column] >= 0).all()
    assert members["code"].str.fullmatch(r"\d{5}|2[AB]\d{3}").all()
    assert members["epci_siren"].nunique() == 1 and not members["code"].duplicated().any()


@FUZZ
@given(data=st.data())
def test_grid_csv_reader_on_mutated_rows(tmp_path, data) -> None:
    raw = data.draw(mutated(GRID_SAMPLE, ";"))
    path = _write(tmp_path, raw, "carreaux.csv")
    grid = _only_project_errors(read_filosofi_grid, path)
    if grid is None:
        return
    assert tuple(grid.columns) == GRID_COLUMNS
    assert (grid["x"] % 200 == 0).all() and (grid["y"] % 200 == 0).all()
    assert grid["i_est"].isin([0, 1]).all()
    for column in ("ind", "men", "men_pauv", "ind_snv", "log_soc", "log_total"):
        assert (grid[column].dropna() >= 0).all()
    assert not grid["idcar_200m"].duplicated().any()


@FUZZ
@given(data=st.data())
def test_mapping_reader_on_mutated_rows(tmp_path, data) -> None:
    raw = data.draw(mutated(MAPPING_SAMPLE, ";"))
    path = _write(tmp_path, raw, "quartier_schools.csv")
    mapping = _only_project_errors(lambda p: read_quartier_schools(p, QUARTIER_IDS), path)
    if mapping is None:
        return
    assert mapping["quartier_id"].isin(QUARTIER_IDS).all()
    assert mapping["uai"].str.fullmatch(r"\d{7}[A-Z]").all()
    assert not mapping.duplicated(["quartier_id", "uai"]).any()


PERIMETERS = (FIXTURES / "opendata" / "perimeters.geojson").read_text(encoding="utf-8")


@pytest.mark.filterwarnings("ignore:Unsupported geometry type:RuntimeWarning")
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=len(PERIMETERS)),
    insert=st.one_of(st.sampled_from(ODD), st.text(max_size=6)),
    encoding=st.sampled_from(ENCODINGS),
)
def test_perimeter_reader_on_mutated_geojson(tmp_path_factory, cut, insert, encoding) -> None:
    text = PERIMETERS[:cut] + insert + PERIMETERS[cut:]
    path = _write(
        tmp_path_factory.getbasetemp(),
        text.encode(encoding, errors="replace"),
        "perimetres.geojson",
    )
    layer = _only_project_errors(read_perimeters, path)
    if layer is not None:
        assert layer.crs.to_epsg() == 2154
        assert layer.geometry.is_valid.all()
