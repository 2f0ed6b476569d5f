"""The shared INSEE-style CSV reader, its text decoding and its number parsing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.errors import InputError
from indicators.sources.csvfiles import read_insee_csv
from indicators.sources.numeric import parse_numbers

NNBSP, NBSP = "\u202f", "\u00a0"


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ----------------------------------------------------------------------- good inputs
def test_semicolon_decimal_comma_thousands_codes_and_markers(tmp_path):
    path = write(
        tmp_path,
        "codgeo;libgeo;pop;taux\n"
        f"01001;L'Abergement;1{NNBSP}600;18,8\n"
        f"62270;Divion;6{NBSP}830;s\n"
        "\n"  # a blank line is skipped, but still counted in line numbers
        "62178;Bruay;21 997;\n"
        "62194;Calonne;5416;NS\n",
    )
    frame = read_insee_csv(
        path, required=["codgeo", "pop"], codes=["codgeo"], numeric=["pop", "taux"]
    )
    assert frame["codgeo"].tolist() == ["01001", "62270", "62178", "62194"]
    assert frame["pop"].tolist() == [1600.0, 6830.0, 21997.0, 5416.0]
    assert frame["taux"].iloc[0] == 18.8
    assert frame["taux"].iloc[1:].isna().all()  # never 0
    assert frame["taux_marker"].tolist() == ["", "s", "", "NS"]
    assert frame["pop_marker"].tolist() == ["", "", "", ""]
    assert frame.index.tolist() == [2, 3, 5, 6]  # file lines, header = 1


def test_pandas_ignores_narrow_nbsp_thousands_but_we_do_not(tmp_path):
    path = write(tmp_path, f"a;b\nx;1{NNBSP}600\n")
    # The pitfall this module exists for: pandas' C engine leaves the value as text.
    naive = pd.read_csv(path, sep=";", thousands=NNBSP)
    assert naive["b"].iloc[0] != 1600
    assert read_insee_csv(path, numeric=["b"])["b"].iloc[0] == 1600.0


def test_comma_separator_with_quoted_decimal_commas(tmp_path):
    path = write(tmp_path, 'code,nom,taux\n"62270","Divion, Pas-de-Calais","18,8"\n')
    frame = read_insee_csv(path, required=["code", "nom", "taux"], numeric=["taux"])
    assert frame["nom"].iloc[0] == "Divion, Pas-de-Calais"
    assert frame["taux"].iloc[0] == 18.8
    assert frame.index.tolist() == [2]


def test_tab_separator_and_utf8_bom(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_bytes("\ufeffcode\tvaleur\n62270\t3,5\n".encode())
    frame = read_insee_csv(path, required=["code"], numeric=["valeur"])
    assert frame.columns.tolist()[:2] == ["code", "valeur"]
    assert frame["valeur"].iloc[0] == 3.5


def test_cp1252_is_read_like_utf8(tmp_path):
    text = "code;libellé\n62178;Bruay-la-Buissière\n"
    utf8 = read_insee_csv(write(tmp_path, text, "utf-8", "u.csv"), required=["libellé"])
    cp1252 = read_insee_csv(write(tmp_path, text, "cp1252", "w.csv"), required=["libellé"])
    pd.testing.assert_frame_equal(utf8, cp1252)
    assert cp1252["libellé"].iloc[0] == "Bruay-la-Buissière"


def test_crlf_line_ends(tmp_path):
    frame = read_insee_csv(write(tmp_path, "a;b\r\n1;2\r\n3;4\r\n"), numeric=["b"])
    assert frame["b"].tolist() == [2.0, 4.0]
    assert frame.index.tolist() == [2, 3]


def test_lowercase_and_usecols_only(tmp_path):
    path = write(tmp_path, "IdCar_200m;Ind;Autre\nx;1;z\n")
    frame = read_insee_csv(
        path,
        required=["idcar_200m"],
        optional=["ind"],
        numeric=["ind"],
        lowercase=True,
        usecols_only=True,
    )
    assert frame.columns.tolist() == ["idcar_200m", "ind", "ind_marker"]


def test_negative_numbers_with_true_minus_sign():
    values, _ = parse_numbers(pd.Series(["\u22122,5", "-3", "+4"]))
    assert values.tolist() == [-2.5, -3.0, 4.0]


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=99),
    st.sampled_from([" ", NBSP, NNBSP]),
)
def test_french_grouped_numbers_round_trip(integer, cents, space):
    grouped = f"{integer:,}".replace(",", space)
    text = f"{grouped},{cents:02d}"
    values, markers = parse_numbers(pd.Series([text]))
    assert values.iloc[0] == pytest.approx(integer + cents / 100)
    assert markers.iloc[0] == ""


# ------------------------------------------------------------------------ bad inputs
def test_missing_column_names_line_1_and_the_column(tmp_path):
    path = write(tmp_path, "code;nom\n62270;Divion\n")
    with pytest.raises(InputError) as info:
        read_insee_csv(path, required=["code", "population"])
    message = str(info.value)
    assert str(path) in message and "line 1" in message and "'population'" in message


def test_wrong_separator_is_named(tmp_path):
    path = write(tmp_path, "code|nom\n62270|Divion\n")
    with pytest.raises(InputError, match=r"line 1.*'code'.*single field.*separator"):
        read_insee_csv(path, required=["code"])


def test_unquoted_decimal_comma_in_comma_file_names_the_line(tmp_path):
    path = write(tmp_path, "code,taux\n62270,18\n62178,18,8\n")
    with pytest.raises(InputError, match=r"line 3: expected 2 fields .* found 3"):
        read_insee_csv(path, numeric=["taux"])


def test_short_record_names_the_line(tmp_path):
    path = write(tmp_path, "a;b;c\n1;2;3\n4;5\n")
    with pytest.raises(InputError, match=r"line 3: expected 3 fields"):
        read_insee_csv(path)


def test_unknown_secrecy_marker_names_line_and_column(tmp_path):
    path = write(tmp_path, "code;taux\n62270;12\n62178;secret\n")
    with pytest.raises(InputError) as info:
        read_insee_csv(path, numeric=["taux"])
    message = str(info.value)
    assert "line 3" in message and "column 'taux'" in message and "'secret'" in message


def test_markers_refused_where_not_allowed(tmp_path):
    path = write(tmp_path, "code;pop\n62270;s\n")
    with pytest.raises(InputError, match="line 2, column 'pop'"):
        read_insee_csv(path, numeric=["pop"], markers=None)
    path = write(tmp_path, "code;pop\n62270;\n", name="b.csv")
    with pytest.raises(InputError, match="line 2, column 'pop'"):
        read_insee_csv(path, numeric=["pop"], allow_blank=False)


def test_infinity_and_nan_words_are_not_numbers(tmp_path):
    with pytest.raises(InputError, match="'inf'"):
        read_insee_csv(write(tmp_path, "a\ninf\n"), numeric=["a"])
    with pytest.raises(InputError, match="'nan'"):
        read_insee_csv(write(tmp_path, "a\nnan\n", name="n.csv"), numeric=["a"])


def test_mojibake_is_refused_with_its_line(tmp_path):
    # UTF-8 text decoded as cp1252 then saved again as UTF-8.
    broken = "code;nom\n62270;Divion\n62178;Bruay-la-Buissière\n".encode().decode("cp1252")
    path = write(tmp_path, broken, "utf-8")
    with pytest.raises(InputError, match=r"line 3.*mojibake"):
        read_insee_csv(path)


def test_utf16_is_refused(tmp_path):
    path = write(tmp_path, "code;nom\n62270;Divion\n", "utf-16")
    with pytest.raises(InputError, match="NUL bytes"):
        read_insee_csv(path)


def test_bytes_neither_utf8_nor_cp1252(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"code;nom\n62270;\x81\x8d\n")  # undefined in cp1252
    with pytest.raises(InputError, match=r"line 2.*0x81"):
        read_insee_csv(path)


def test_duplicated_column_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="column 'a'"):
        read_insee_csv(write(tmp_path, "a;a\n1;2\n"))
    with pytest.raises(InputError, match="readable file"):
        read_insee_csv(tmp_path / "absent.csv")


def test_only_project_errors_escape_on_garbage(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(bytes(range(1, 256)) * 3)
    with pytest.raises(InputError):
        read_insee_csv(path, required=["code"], numeric=["x"])


def test_numbers_keep_float_dtype_when_all_missing():
    values, markers = parse_numbers(pd.Series(["s", ""], index=[2, 3]))
    assert values.dtype == np.float64 and values.isna().all()
    assert markers.tolist() == ["s", ""]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.sampled_from(list('ab;,\t"\n\r 1,.s\u202fé')), max_size=60))
def test_fuzz_only_project_errors_escape(tmp_path, text):
    path = tmp_path / "fuzz.csv"
    path.write_text(text, encoding="utf-8")
    try:
        frame = read_insee_csv(path, numeric=["b"])
    except InputError:
        return
    if "b" in frame.columns:
        assert frame["b"].dtype == np.float64
