"""Communes: boundaries, the member communes of an EPCI, and the join of the two."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from indicators.errors import InputError
from indicators.sources.checks import check_pattern, check_unique, refuse_rows
from indicators.sources.csvfiles import read_insee_csv
from indicators.sources.vectorfiles import pick_field, read_layer, text_codes

__all__ = ["COMMUNE_PATTERN", "communes_of_epci", "read_communes", "read_epci_members"]

COMMUNE_PATTERN = r"\d{5}|2[AB]\d{3}"


def read_communes(path: str | os.PathLike[str]) -> gpd.GeoDataFrame:
    """Commune boundaries → ``code, nom, geometry`` in Lambert-93.

    Accepts the france-geojson layout (``code``, ``nom``) and IGN Admin Express
    (``INSEE_COM``, ``NOM`` or ``NOM_COM``).

    Parameters
    ----------
    path
        GeoJSON (WGS84 by RFC 7946 when it declares no CRS), GeoPackage or shapefile.

    Raises
    ------
    InputError
        Missing field, code not a 5-character INSEE code, duplicated code, CRS or
        geometry problem (see :func:`~indicators.sources.vectorfiles.read_layer`).
    """
    path = Path(path)
    frame = read_layer(path)
    code = pick_field(frame, ("code", "INSEE_COM", "insee_com"), path, "INSEE commune code")
    nom = pick_field(frame, ("nom", "NOM", "NOM_COM", "nom_com"), path, "commune name")
    text_codes(frame, code, path, COMMUNE_PATTERN, "a 5-character INSEE commune code")
    check_unique(frame, [code], path=path, feature=True)
    out = gpd.GeoDataFrame(
        {"code": frame[code].astype(str), "nom": frame[nom].astype(str)},
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    return out


def read_epci_members(
    csv_path: str | os.PathLike[str], *, keep_lines: bool = False, siren: str | None = None
) -> pd.DataFrame:
    """Member communes of an EPCI with their population (one EPCI per file).

    Parameters
    ----------
    csv_path
        CSV with ``epci_siren, epci_nom, code_insee, nom, population_municipale,
        population_totale`` (and optionally ``siren_commune, departement,
        arrondissement, codes_postaux``), as built from DGCL / ``decoupage-administratif``.
    keep_lines
        Index the result by the 1-based file line of each commune (index name ``line``)
        instead of 0, 1, 2..., so that later checks can name the line.
    siren
        The SIREN of the EPCI expected (the territory's); ``None``: any one EPCI.

    Returns
    -------
    pandas.DataFrame
        ``epci_siren, epci_nom, code, nom, population_municipale, population_totale``
        (``int64``) and the optional columns present, one row per commune.

    Raises
    ------
    InputError
        Missing column, malformed or duplicated code, more than one EPCI or another EPCI
        than ``siren``, a population that is missing, secret or not a non-negative integer.
    """
    path = Path(csv_path)
    required = [
        "epci_siren",
        "epci_nom",
        "code_insee",
        "nom",
        "population_municipale",
        "population_totale",
    ]
    optional = ["siren_commune", "departement", "arrondissement", "codes_postaux"]
    frame = read_insee_csv(
        path,
        required=required,
        optional=optional,
        codes=["epci_siren", "code_insee", "siren_commune", "departement", "arrondissement"],
        numeric=["population_municipale", "population_totale"],
        markers=None,
        allow_blank=False,
        usecols_only=True,
    )
    check_pattern(
        frame, "code_insee", COMMUNE_PATTERN, "a 5-character INSEE commune code", path=path
    )
    check_pattern(frame, "epci_siren", r"\d{9}", "a 9-digit SIREN", path=path)
    sirens = frame["epci_siren"].unique()
    if len(sirens) > 1:
        other = frame["epci_siren"].ne(sirens[0])
        expected = f"one EPCI per file ({sirens[0]} above)"
        refuse_rows(other, frame["epci_siren"], expected, path=path, column="epci_siren")
    if siren is not None and len(frame) and sirens[0] != siren:
        raise InputError(
            f"the EPCI of territory.toml (SIREN {siren})",
            path=path,
            line=int(frame.index[0]),
            column="epci_siren",
            found=str(sirens[0]),
        )
    check_unique(frame, ["code_insee"], path=path)
    for column in ("population_municipale", "population_totale"):
        values = frame[column]
        bad = (values < 0) | (values != np.floor(values))
        expected = "a non-negative whole number"
        refuse_rows(bad, values, expected, path=path, column=column, show="{:g}".format)
        frame[column] = values.astype("int64")
    frame = frame.drop(columns=[c for c in frame.columns if c.endswith("_marker")])
    frame = frame.rename(columns={"code_insee": "code"})
    order = [
        "epci_siren",
        "epci_nom",
        "code",
        "nom",
        "population_municipale",
        "population_totale",
        *[c for c in optional if c in frame.columns],
    ]
    frame = frame[order]
    return frame if keep_lines else frame.reset_index(drop=True)


def communes_of_epci(
    communes: gpd.GeoDataFrame,
    members: pd.DataFrame,
    *,
    members_path: str | os.PathLike[str] | None = None,
    communes_path: str | os.PathLike[str] | None = None,
) -> gpd.GeoDataFrame:
    """Join member communes to their boundaries on the INSEE code.

    Names come from ``members`` (the more recent source); the geometry from
    ``communes``.

    Parameters
    ----------
    communes
        :func:`read_communes` output.
    members
        :func:`read_epci_members` output (with ``keep_lines=True``, errors name the line).
    members_path, communes_path
        The two files, for error messages.

    Raises
    ------
    InputError
        When a member commune has no boundary in ``communes``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from indicators.sources.vectorfiles import LAMBERT93
    >>> communes = gpd.GeoDataFrame({"code": ["59999"], "nom": ["TESTVILLE"]},
    ...                             geometry=[box(0, 0, 1, 1)], crs=LAMBERT93)
    >>> members = pd.DataFrame({"epci_siren": ["299999999"], "code": ["59999"],
    ...                         "nom": ["Testville"], "population_municipale": [6700]})
    >>> communes_of_epci(communes, members)[["code", "nom"]].values.tolist()
    [['59999', 'Testville']]
    """
    absent = ~members["code"].isin(set(communes["code"]))
    if absent.any():
        i = int(absent.to_numpy().nonzero()[0][0])
        row = members.iloc[i]
        label = members.index[i]
        layer = f"the communes layer{f' {communes_path}' if communes_path else ''}"
        raise InputError(
            f"expected a boundary for every member commune; {row['code']} ({row['nom']}) "
            f"has none in {layer} ({int(absent.sum())} missing)",
            path=members_path,
            line=int(label) if members.index.name == "line" else None,
            column="code_insee" if members_path else None,
            raw=True,
        )
    geometry = communes.set_index("code").geometry
    out = members.copy()
    return gpd.GeoDataFrame(
        out, geometry=geometry.loc[out["code"]].to_numpy(), crs=communes.crs
    ).reset_index(drop=True)
