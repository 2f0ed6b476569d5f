"""The open-data part of the build: ``data/raw`` → processed tables, in memory.

:func:`build_open_data` is the one entry point the pipeline calls. It reads the files of
``data/raw`` laid out as below, checks ``data/raw/SHA256SUMS`` first, and returns the
tables by name; writing them is the pipeline's job.

==============================  =========  ================================================
``data/raw/…``                  required   used for
==============================  =========  ================================================
``ips_ecoles/*.csv``            yes        ``ips`` (niveau « ecole », any DEPP layout)
``ips_colleges/*.csv``          yes        ``ips`` (niveau « college »)
``cabbalr_epci_members/*.csv``  yes        member communes and population (one file)
``communes_62_geojson/*``       yes        commune boundaries (one vector file)
``quartier_schools.csv``        no         ``quartier → schools`` stated by the commune
``qpv/*.geojson|gpkg|shp``      no         official QPV contours (2024 or 2015 layout)
``qpv/correspondance.csv``      no         ``quartier_id;code_qp`` (e.g. 2024 ``QN…`` codes)
``perimeters/*.geojson|gpkg``   no         perimeters drawn by the commune
``filosofi/*.csv|gpkg``         no         Filosofi 200 m grid (one file)
==============================  =========  ================================================

An optional input that is absent gives no table and a line in ``opendata_notes``; it is
not an error. A malformed input is an :class:`~indicators.errors.InputError`.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from indicators.analysis.crosscheck import (
    build_checks,
    ips_crosscheck,
    quartier_ips,
    read_quartier_schools,
)
from indicators.errors import InputError
from indicators.sources.csvfiles import (
    check_pattern,
    check_raw_manifest,
    check_unique,
    read_insee_csv,
)
from indicators.sources.filosofi import read_filosofi_grid
from indicators.sources.geo import (
    LAMBERT93,
    QP_PATTERN,
    communes_of_epci,
    quartier_shapes,
    read_communes,
    read_epci_members,
    read_perimeters,
    read_qpv_contours,
)
from indicators.sources.ips import combine_ips, ips_by_commune, ips_for_territory, read_ips

__all__ = ["EPCI_LABEL", "NOTE_COLUMNS", "build_open_data"]

#: Name of the agglomeration in the convention (``reference_territory`` of the portrait).
EPCI_LABEL = "CABBALR"
NOTE_COLUMNS = ("source", "message")
_VECTOR = (".geojson", ".json", ".gpkg", ".shp")
_TABLE = (".csv", ".txt")
#: Share of a quartier's area that a commune must hold to be « concernée » by it.
MIN_AREA_SHARE = 0.01
_LEVELS = {"ecole": "écoles", "college": "collèges"}


def _files(folder: Path, suffixes: Iterable[str]) -> list[Path]:
    if not folder.is_dir():
        return []
    wanted = tuple(suffixes)
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in wanted and not p.name.startswith(".")
    )


def _one(folder: Path, suffixes: Iterable[str], what: str) -> Path:
    files = _files(folder, suffixes)
    if len(files) != 1:
        raise InputError(
            f"exactly one {what} file ({', '.join(suffixes)})",
            path=folder,
            found=", ".join(p.name for p in files) or "none",
        )
    return files[0]


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(text.replace("-", " ").replace("'", " ").lower().split())


def _quartier_table(portrait: pd.DataFrame, quartiers: pd.DataFrame | None) -> pd.DataFrame:
    if quartiers is not None:
        n = len(quartiers)
        table = pd.DataFrame(
            {
                "quartier_id": quartiers["quartier_id"].astype(str).to_numpy(),
                "code_qp": quartiers.get("code", pd.Series([None] * n)).to_numpy(),
                "communes": quartiers.get("communes", pd.Series([None] * n)).to_numpy(),
            }
        )
    else:
        ids = list(dict.fromkeys(portrait["quartier_id"].dropna().astype(str)))
        table = pd.DataFrame({"quartier_id": ids, "code_qp": None, "communes": None})
    table["code_qp"] = table["code_qp"].where(table["code_qp"].notna(), None)
    return table


def _read_correspondance(path: Path, quartier_ids: list[str]) -> dict[str, str]:
    frame = read_insee_csv(path, required=["quartier_id", "code_qp"], usecols_only=True)
    unknown = ~frame["quartier_id"].isin(quartier_ids)
    if unknown.any():
        i = int(unknown.to_numpy().nonzero()[0][0])
        raise InputError(
            f"a known quartier id ({', '.join(sorted(quartier_ids))})",
            path=path,
            line=int(frame.index[i]),
            column="quartier_id",
            found=str(frame["quartier_id"].iloc[i]),
        )
    check_pattern(frame, "code_qp", QP_PATTERN, "a QPV code such as 'QN06201M'", path=path)
    check_unique(frame, ["quartier_id"], path=path)
    return dict(zip(frame["quartier_id"], frame["code_qp"], strict=True))


def _concerned(
    epci: gpd.GeoDataFrame, table: pd.DataFrame, shapes: gpd.GeoDataFrame | None
) -> tuple[pd.Series, list[str]]:
    """Communes named by the convention for a quartier, or holding ≥ 1 % of its shape."""
    notes: list[str] = []
    by_name = {_fold(n): c for n, c in zip(epci["nom"], epci["code"], strict=True)}
    codes: set[str] = set()
    for text in table["communes"].dropna():
        for name in str(text).split(";"):
            name = name.strip()
            if not name:
                continue
            if _fold(name) in by_name:
                codes.add(by_name[_fold(name)])
            else:
                notes.append(f"Commune « {name} » de la convention absente de la CABBALR.")
    if shapes is not None and len(shapes):
        for _, shape in shapes.iterrows():
            area = shape.geometry.area
            if area <= 0:
                continue
            shared = epci.geometry.intersection(shape.geometry).area / area
            codes.update(epci.loc[shared >= MIN_AREA_SHARE, "code"])
    return epci["code"].isin(codes), notes


def build_open_data(
    raw_dir: str | os.PathLike[str],
    portrait: pd.DataFrame,
    quartiers: pd.DataFrame | None = None,
    *,
    check_manifest: bool = True,
    epci_label: str = EPCI_LABEL,
) -> dict[str, pd.DataFrame]:
    """Read the open data in ``raw_dir`` and compute the open-data tables.

    Parameters
    ----------
    raw_dir
        The ``data/raw`` folder.
    portrait
        The convention's portrait (long format, with ``school_ips`` rows).
    quartiers
        The convention's quartiers (``quartier_id``, ``code`` = QPV code or missing,
        ``communes`` = « ; »-separated names). Without it, quartier ids come from the
        portrait and no QPV code is known.
    check_manifest
        Verify ``SHA256SUMS`` first (see :func:`indicators.sources.csvfiles.check_raw_manifest`).
    epci_label
        Name of the agglomeration in the portrait's ``reference_territory``.

    Returns
    -------
    dict of str to DataFrame
        ``ips`` (school × rentrée), ``ips_communes`` (commune and CABBALR means),
        ``ips_quartiers`` (means over the schools listed per quartier; may be empty),
        ``communes`` (GeoDataFrame, EPSG:2154, the CABBALR communes with population and
        ``concerne_quartiers``), ``checks``, ``opendata_notes``; and, when their inputs
        are present, ``quartier_shapes`` (GeoDataFrame) and ``grid`` (Filosofi cells).

    Raises
    ------
    InputError
        A raw file changed (manifest), is missing, or is malformed.
    """
    raw = Path(raw_dir)
    notes: list[tuple[str, str]] = []
    if check_manifest:
        for name in check_raw_manifest(raw):
            notes.append((name, "Fichier absent de data/raw/SHA256SUMS : utilisé, non vérifié."))

    # School IPS.
    frames = [read_ips(p, niveau="ecole") for p in _files(raw / "ips_ecoles", _TABLE)]
    frames += [read_ips(p, niveau="college") for p in _files(raw / "ips_colleges", _TABLE)]
    if not frames:
        raise InputError(
            "DEPP IPS files (ips_ecoles/*.csv, ips_colleges/*.csv)", path=raw, found="none"
        )
    ips = combine_ips(frames)
    for (rentree, niveau), group in ips.groupby(["rentree", "niveau"], sort=True):
        n_ns = int(group["ips_marker"].eq("NS").sum())
        n_blank = int(group["ips"].isna().sum()) - n_ns
        notes.append(
            (
                ", ".join(sorted(group["source"].unique())),
                f"IPS des {_LEVELS[niveau]} {rentree} : {len(group)} établissements, "
                f"{n_ns} IPS « NS » (non significatif) et {n_blank} IPS vide(s), "
                "traités comme manquants (jamais 0).",
            )
        )

    # Communes and the EPCI.
    members_path = _one(raw / "cabbalr_epci_members", _TABLE, "member list")
    members = read_epci_members(members_path, keep_lines=True)
    boundaries_path = _one(raw / "communes_62_geojson", _VECTOR, "commune boundary")
    boundaries = read_communes(boundaries_path)
    epci = communes_of_epci(
        boundaries, members, members_path=members_path, communes_path=boundaries_path.name
    )
    members = members.reset_index(drop=True)
    siren = str(members["epci_siren"].iloc[0])

    ips_agg = pd.concat(
        [
            ips_by_commune(ips, members[["code", "nom"]]),
            ips_for_territory(
                ips,
                members["code"],
                territoire_type="epci",
                territoire_code=siren,
                territoire_nom=epci_label,
            ),
        ],
        ignore_index=True,
    )

    # Quartiers: schools, shapes.
    table = _quartier_table(portrait, quartiers)
    ids = table["quartier_id"].tolist()
    mapping_path = raw / "quartier_schools.csv"
    if mapping_path.exists():
        mapping = read_quartier_schools(mapping_path, ids)
    else:
        mapping = pd.DataFrame(columns=["quartier_id", "uai", "commentaire"], dtype=str)
        notes.append(("quartier_schools.csv", "Fichier absent : aucun IPS de quartier recalculé."))
    if mapping.empty:
        notes.append(
            (
                "quartier_schools.csv",
                "Aucun établissement associé aux quartiers : IPS des quartiers non vérifiables.",
            )
        )
    ips_quartiers = quartier_ips(ips, mapping)

    checks = build_checks(
        ips_crosscheck(
            portrait,
            ips_agg,
            quartier_agg=ips_quartiers,
            mapping=mapping,
            ips=ips,
            reference_code=siren,
        )
    )

    tables: dict[str, pd.DataFrame] = {
        "ips": ips,
        "ips_communes": ips_agg,
        "ips_quartiers": ips_quartiers,
    }

    codes = dict(zip(table["quartier_id"], table["code_qp"], strict=True))
    contour_files = _files(raw / "qpv", _VECTOR)
    correspondance = raw / "qpv" / "correspondance.csv"
    if correspondance.exists():
        codes.update(_read_correspondance(correspondance, ids))
    contours = None
    if contour_files:
        contours = pd.concat([read_qpv_contours(p) for p in contour_files], ignore_index=True)
        contours = gpd.GeoDataFrame(contours, geometry="geometry", crs=LAMBERT93)
        check_unique(contours, ["code_qp"], path=raw / "qpv", feature=True)
        for quartier_id, code in codes.items():
            if code and code not in set(contours["code_qp"]):
                notes.append(
                    (
                        "qpv",
                        f"Code {code} ({quartier_id}) absent des contours QPV fournis "
                        f"({', '.join(p.name for p in contour_files)}) : les contours 2024 "
                        f"utilisent des codes « QN… » ; indiquez la correspondance dans "
                        f"data/raw/qpv/correspondance.csv.",
                    )
                )
    else:
        notes.append(("qpv", "Aucun contour QPV officiel dans data/raw/qpv/ : non cartographié."))
    perimeter_files = _files(raw / "perimeters", _VECTOR)
    perimeters = None
    if perimeter_files:
        perimeters = pd.concat([read_perimeters(p) for p in perimeter_files], ignore_index=True)
        perimeters = gpd.GeoDataFrame(perimeters, geometry="geometry", crs=LAMBERT93)
        check_unique(perimeters, ["quartier_id"], path=raw / "perimeters", feature=True)
    else:
        notes.append(
            ("perimeters", "Aucun périmètre fourni par la commune dans data/raw/perimeters/.")
        )
    shapes = None
    if contours is not None or perimeters is not None:
        shapes = quartier_shapes(codes, contours, perimeters)
        tables["quartier_shapes"] = shapes
        for quartier_id in ids:
            if quartier_id not in set(shapes["quartier_id"]):
                notes.append(
                    (
                        "quartier_shapes",
                        f"Quartier {quartier_id} : aucune forme fournie, rien n'est dessiné.",
                    )
                )

    flag, more = _concerned(epci, table, shapes)
    notes.extend(("communes", n) for n in more)
    communes = epci.assign(concerne_quartiers=flag.to_numpy())
    tables["communes"] = communes.sort_values("code", ignore_index=True)
    tables["checks"] = checks

    grid_files = _files(raw / "filosofi", (*_TABLE, ".gpkg"))
    if len(grid_files) > 1:
        raise InputError(
            "one Filosofi grid file",
            path=raw / "filosofi",
            found=", ".join(p.name for p in grid_files),
        )
    if grid_files:
        tables["grid"] = read_filosofi_grid(grid_files[0])
    else:
        notes.append(
            ("filosofi", "Aucune grille Filosofi dans data/raw/filosofi/ : pas de carroyage.")
        )

    tables["opendata_notes"] = pd.DataFrame(notes, columns=list(NOTE_COLUMNS))
    return tables
