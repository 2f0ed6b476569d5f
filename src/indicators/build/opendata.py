"""The open-data part of the build: ``data/raw`` → processed tables, in memory.

:func:`build_open_data` is the one entry point the pipeline calls. It checks
``data/raw/SHA256SUMS`` first, then reads the sources of the registry
(:data:`indicators.build.sources.SOURCES`) family by family, one small step each
(:data:`STEPS`), and returns the tables by name; writing them is the pipeline's job.

An optional input that is absent gives no table and a line in ``opendata_notes``; it is
not an error. A malformed input is an :class:`~indicators.errors.InputError`.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from indicators.analysis.crosscheck import build_checks, ips_crosscheck, quartier_ips
from indicators.analysis.ips_means import combine_ips, ips_by_commune, ips_for_territory
from indicators.build.qpv_contours import contour_files, territory_contours
from indicators.build.raw_manifest import check_raw_manifest
from indicators.build.references import references_step
from indicators.build.sources import BY_PATH, SHIPPED_GRID, one_file
from indicators.errors import InputError
from indicators.french import plural_word
from indicators.sources.checks import check_unique
from indicators.sources.communes import communes_of_epci
from indicators.sources.perimeters import quartier_shapes
from indicators.sources.vectorfiles import LAMBERT93
from indicators.territory import Territory

__all__ = ["NOTE_COLUMNS", "STEPS", "build_open_data"]

NOTE_COLUMNS = ("source", "message")
#: Share of a quartier's area that a commune must hold to be « concernée » by it.
MIN_AREA_SHARE = 0.01
_LEVELS = {"ecole": "écoles", "college": "collèges"}


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


def _concerned(
    epci: gpd.GeoDataFrame, table: pd.DataFrame, shapes: gpd.GeoDataFrame | None, label: str
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
                notes.append(f"Commune « {name} » de la convention absente de la {label}.")
    if shapes is not None and len(shapes):
        for _, shape in shapes.iterrows():
            area = shape.geometry.area
            if area <= 0:
                continue
            shared = epci.geometry.intersection(shape.geometry).area / area
            codes.update(epci.loc[shared >= MIN_AREA_SHARE, "code"])
    return epci["code"].isin(codes), notes


@dataclass
class _State:
    """What the steps share: inputs, notes, tables so far and intermediate results."""

    raw: Path
    portrait: pd.DataFrame
    quartiers: pd.DataFrame | None
    territory: Territory
    notes: list[tuple[str, str]] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    ips: pd.DataFrame = field(default_factory=pd.DataFrame)
    members: pd.DataFrame = field(default_factory=pd.DataFrame)
    epci: gpd.GeoDataFrame = field(default_factory=gpd.GeoDataFrame)
    siren: str = ""
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    shapes: gpd.GeoDataFrame | None = None


def _school_ips(state: _State) -> None:
    """``ips_ecoles`` and ``ips_colleges``: the ``ips`` table, one note per rentrée."""
    raw = state.raw
    ecoles, colleges = BY_PATH["ips_ecoles"], BY_PATH["ips_colleges"]
    frames = [ecoles.reader(p, niveau="ecole") for p in ecoles.files(raw)]
    frames += [colleges.reader(p, niveau="college") for p in colleges.files(raw)]
    if not frames:
        raise InputError(
            "DEPP IPS files (ips_ecoles/*.csv, ips_colleges/*.csv)", path=raw, found="none"
        )
    ips = combine_ips(frames)
    for (rentree, niveau), group in ips.groupby(["rentree", "niveau"], sort=True):
        n_ns = int(group["ips_marker"].eq("NS").sum())
        n_blank = int(group["ips"].isna().sum()) - n_ns
        state.notes.append(
            (
                ", ".join(sorted(group["source"].unique())),
                f"IPS des {_LEVELS[niveau]} {rentree} : {len(group)} établissements, "
                f"{n_ns} IPS « NS » (non significatif) et {n_blank} "
                f"{plural_word(n_blank, 'IPS vide', 'IPS vides')}, "
                "traités comme manquants (jamais 0).",
            )
        )
    state.ips = ips
    state.tables["ips"] = ips


def _epci(state: _State) -> None:
    """Member list and boundaries: the EPCI's communes and the ``ips_communes`` means."""
    raw, territory = state.raw, state.territory
    members_source = BY_PATH["{epci_members}"]
    boundaries_source = BY_PATH["{commune_boundaries}"]
    members_path = one_file(
        members_source.folder(raw, territory), members_source.suffixes, "member list"
    )
    members = members_source.reader(members_path, keep_lines=True, siren=territory.epci.siren)
    boundaries_path = one_file(
        boundaries_source.folder(raw, territory), boundaries_source.suffixes, "commune boundary"
    )
    boundaries = boundaries_source.reader(boundaries_path)
    state.epci = communes_of_epci(
        boundaries, members, members_path=members_path, communes_path=boundaries_path.name
    )
    if len(members) != territory.epci.member_count:
        raise InputError(
            f"the {territory.epci.member_count} member communes of epci.member_count "
            "in territory.toml",
            path=members_path,
            found=f"{len(members)} communes",
        )
    members = members.reset_index(drop=True)
    state.members = members
    state.siren = siren = territory.epci.siren
    state.tables["ips_communes"] = pd.concat(
        [
            ips_by_commune(state.ips, members[["code", "nom"]]),
            ips_for_territory(
                state.ips,
                members["code"],
                territoire_type="epci",
                territoire_code=siren,
                territoire_nom=territory.epci.label,
            ),
        ],
        ignore_index=True,
    )


def _quartier_schools(state: _State) -> None:
    """``quartier_schools.csv``: ``ips_quartiers`` and the cross-checks of the portrait."""
    state.table = table = _quartier_table(state.portrait, state.quartiers)
    ids = table["quartier_id"].tolist()
    source = BY_PATH["quartier_schools.csv"]
    found = source.files(state.raw)
    if found:
        mapping = source.reader(
            found[0],
            ids,
            school_communes=dict(zip(state.ips["uai"], state.ips["commune_code"], strict=True)),
            territory=set(state.epci["code"]),
        )
    else:
        mapping = pd.DataFrame(columns=["quartier_id", "uai", "commentaire"], dtype=str)
        state.notes.append(
            ("quartier_schools.csv", "Fichier absent : aucun IPS de quartier recalculé.")
        )
    if mapping.empty:
        state.notes.append(
            (
                "quartier_schools.csv",
                "Aucun établissement associé aux quartiers : IPS des quartiers non vérifiables.",
            )
        )
    ips_quartiers = quartier_ips(state.ips, mapping)
    state.checks = build_checks(
        ips_crosscheck(
            state.portrait,
            state.tables["ips_communes"],
            quartier_agg=ips_quartiers,
            mapping=mapping,
            ips=state.ips,
            reference_code=state.siren,
        )
    )
    state.tables["ips_quartiers"] = ips_quartiers


def _shapes(state: _State) -> None:
    """``qpv`` contours (with ``correspondance.csv``) and ``perimeters``: quartier shapes."""
    raw, table, notes = state.raw, state.table, state.notes
    ids = table["quartier_id"].tolist()
    # A QIC has no code (missing in the table): None, never the text « nan ».
    codes = {
        q: (c if isinstance(c, str) and c else None)
        for q, c in zip(table["quartier_id"], table["code_qp"], strict=True)
    }
    old_codes = [c for c in codes.values() if c]  # the convention's own (2015) codes
    correspondance = BY_PATH["qpv/correspondance.csv"]
    for path in correspondance.files(raw):
        codes.update(correspondance.reader(path, ids))
    files, dropped_note = contour_files(raw)
    contours = None
    if dropped_note:
        notes.append(("qpv", dropped_note))
    if files:
        contours, qpv_tables, repair_note = territory_contours(
            files, raw, state.siren, [*old_codes, *codes.values()]
        )
        state.tables.update(qpv_tables)
        notes.append(("qpv", repair_note))
        # A 2015 file dropped into qpv/ still matches the convention's own 2015 codes.
        have = set(contours["code_qp"])
        own = dict(zip(table["quartier_id"], table["code_qp"], strict=True))
        for quartier_id, code in list(codes.items()):
            if code not in have and own.get(quartier_id) in have:
                codes[quartier_id] = own[quartier_id]
        for quartier_id, code in codes.items():
            if code and code not in set(contours["code_qp"]):
                notes.append(
                    (
                        "qpv",
                        f"Code {code} ({quartier_id}) absent des contours QPV fournis "
                        f"({', '.join(p.name for p in files)}) : les contours 2024 "
                        f"utilisent des codes « QN… » ; indiquez la correspondance dans "
                        f"data/raw/qpv/correspondance.csv.",
                    )
                )
    else:
        notes.append(("qpv", "Aucun contour QPV officiel dans data/raw/qpv/ : non cartographié."))
    drawn = BY_PATH["perimeters"]
    perimeter_files = drawn.files(raw)
    perimeters = None
    if perimeter_files:
        perimeters = pd.concat([drawn.reader(p) for p in perimeter_files], ignore_index=True)
        perimeters = gpd.GeoDataFrame(perimeters, geometry="geometry", crs=LAMBERT93)
        check_unique(perimeters, ["quartier_id"], path=raw / drawn.path, feature=True)
    else:
        notes.append(
            ("perimeters", "Aucun périmètre fourni par la commune dans data/raw/perimeters/.")
        )
    if contours is not None or perimeters is not None:
        state.shapes = shapes = quartier_shapes(codes, contours, perimeters)
        state.tables["quartier_shapes"] = shapes
        for quartier_id in ids:
            if quartier_id not in set(shapes["quartier_id"]):
                notes.append(
                    (
                        "quartier_shapes",
                        f"Quartier {quartier_id} : aucune forme fournie, rien n'est dessiné.",
                    )
                )


def _communes(state: _State) -> None:
    """The ``communes`` table (flagged ``concerne_quartiers``), then ``checks``."""
    label = state.territory.epci.label
    flag, more = _concerned(state.epci, state.table, state.shapes, label)
    state.notes.extend(("communes", n) for n in more)
    communes = state.epci.assign(concerne_quartiers=flag.to_numpy())
    state.tables["communes"] = communes.sort_values("code", ignore_index=True)
    state.tables["checks"] = state.checks


def _filosofi(state: _State) -> None:
    """``filosofi``: the ``grid`` table from the one Filosofi file, if any."""
    source = BY_PATH["filosofi"]
    grid_files = source.files(state.raw)
    if len(grid_files) > 1:
        raise InputError(
            "one Filosofi grid file",
            path=state.raw / source.path,
            found=", ".join(p.name for p in grid_files),
        )
    shipped = BY_PATH[SHIPPED_GRID].files(state.raw, state.territory)
    chosen = grid_files or shipped
    if chosen:
        grid = source.reader(chosen[0])
        grid.attrs["path"] = str(chosen[0])  # named in errors; its name gives the vintage
        state.tables["grid"] = grid
    else:
        state.notes.append(
            ("filosofi", "Aucune grille Filosofi dans data/raw/filosofi/ : pas de carroyage.")
        )


#: The steps of :func:`build_open_data`, in order: one per family of sources of
#: :data:`indicators.build.sources.SOURCES`, plus ``communes`` that joins them.
STEPS: tuple[tuple[str, Callable[[_State], None]], ...] = (
    ("ips", _school_ips),
    ("epci", _epci),
    ("quartier_schools", _quartier_schools),
    ("shapes", _shapes),
    ("communes", _communes),
    ("filosofi", _filosofi),
    ("references", references_step),
)


def build_open_data(
    raw_dir: str | os.PathLike[str],
    portrait: pd.DataFrame,
    quartiers: pd.DataFrame | None = None,
    *,
    territory: Territory,
    check_manifest: bool = True,
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
    territory
        The territory (``data/raw/territory.toml``): the folders of its member list and
        boundaries, its EPCI (SIREN, number of members) and the label of the reference
        territory in the portrait's ``reference_territory``.
    check_manifest
        Verify ``SHA256SUMS`` first (see :func:`indicators.build.raw_manifest.check_raw_manifest`).

    Returns
    -------
    dict of str to DataFrame
        ``ips`` (school × rentrée), ``ips_communes`` (commune and EPCI means),
        ``ips_quartiers`` (means over the schools listed per quartier; may be empty),
        ``communes`` (GeoDataFrame, EPSG:2154, the EPCI's communes with population and
        ``concerne_quartiers``), ``checks``, ``opendata_notes``; and, when their inputs
        are present, ``quartier_shapes`` (GeoDataFrame) and ``grid`` (Filosofi cells).

    Raises
    ------
    InputError
        A raw file changed (manifest), is missing, or is malformed; the member list is
        of another EPCI or has not ``epci.member_count`` communes.
    """
    state = _State(Path(raw_dir), portrait, quartiers, territory)
    if check_manifest:
        for name in check_raw_manifest(state.raw):
            state.notes.append(
                (name, "Fichier absent de data/raw/SHA256SUMS : utilisé, non vérifié.")
            )
    for _, step in STEPS:
        step(state)
    state.tables["opendata_notes"] = pd.DataFrame(state.notes, columns=list(NOTE_COLUMNS))
    return state.tables
