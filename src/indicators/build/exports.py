"""Exports for readers outside Python: figures, a GeoPackage for QGIS, an XLSX workbook.

- :func:`save_figure`: PNG (150 dpi) and SVG of a Matplotlib figure, written atomically
  and deterministically (no date in the metadata, fixed SVG ids).
- :func:`write_geopackage`: the processed layers in Lambert-93 (EPSG:2154), one layer per
  GeoDataFrame, in a GeoPackage that opens in QGIS; written to a temporary file and
  moved into place.
- :func:`write_xlsx`: the tidy tables for Excel and LibreOffice, one sheet per table,
  French headers (:data:`HEADERS_FR`), numbers kept as numbers, missing values as empty
  cells, geometry dropped; two writes of the same tables give the same bytes.

Statistical secrecy is enforced here too: a layer or table with a household count
(``men``) below :data:`~indicators.figures.maps.MIN_HOUSEHOLDS` is refused — mask it first with
:func:`indicators.figures.maps.mask_small_cells` (which blanks every figure of such a cell).
Text cells that look like spreadsheet formulas (« =… ») are written as text, never as
formulas.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from indicators.errors import InputError, ParameterError
from indicators.build.storage import atomic_write_bytes
from indicators.secrecy import MIN_HOUSEHOLDS
from indicators.sources.layers import LAMBERT93, check_layer

FIGURE_FORMATS = ("png", "svg")
FIGURE_DPI = 150
EXCEL_MAX_ROWS = 1_048_576  # rows of a worksheet, header included
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_LAYER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
#: Date written in the XLSX properties and zip entries when ``SOURCE_DATE_EPOCH`` is unset
#: (the zip format's own epoch: clearly not a real date).
FIXED_DATE = _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC)

#: French sheet names of the known tables (31 characters at most).
SHEETS_FR: dict[str, str] = {
    "quartiers": "Quartiers",
    "portrait": "Portrait statistique",
    "objectives": "Objectifs et actions",
    "gaps": "Écarts à la CABBALR",
    "ips": "IPS des établissements",
    "ips_communes": "IPS par commune",
    "ips_quartiers": "IPS par quartier",
    "communes": "Communes",
    "checks": "Contrôles",
    "opendata_notes": "Notes sur les données",
    "quartier_shapes": "Périmètres des quartiers",
    "grid": "Carroyage Filosofi",
    "grid_quartiers": "Carroyage par quartier",
}

#: French column headers of the known tables.
HEADERS_FR: dict[str, str] = {
    # identifiers and provenance
    "quartier_id": "Identifiant du quartier",
    "name": "Nom du quartier",
    "status": "Statut",
    "status_label": "Statut (libellé)",
    "code": "Code",
    "code_qp": "Code QPV",
    "communes": "Communes",
    "source": "Source",
    "source_line": "Ligne dans le fichier source",
    "vintage": "Millésime",
    "perimeter": "Périmètre des données",
    "source_text": "Source (texte de la convention)",
    "map_perimeter": "Périmètre cartographié",
    "caveat": "Avertissement",
    "irritants": "Points d'irritation",
    "opportunites": "Opportunités",
    "enjeux": "Enjeux",
    "line": "Ligne dans la convention",
    # portrait and gaps
    "indicator_id": "Identifiant de l'indicateur",
    "label": "Indicateur (libellé de la convention)",
    "value": "Valeur",
    "unit": "Unité",
    "qualifier": "Précision de la valeur",
    "value_text": "Valeur telle qu'écrite",
    "value_qualifier": "Précision de la valeur",
    "reference_value": "Valeur de référence",
    "reference_qualifier": "Précision de la référence",
    "decimals": "Décimales publiées",
    "reference_decimals": "Décimales publiées (référence)",
    "rounding_margin": "Marge d'arrondi (points)",
    "reference_territory": "Territoire de référence",
    "reference_scope": "Champ de la référence",
    "note": "Note",
    "kind": "Type d'indicateur",
    "gap": "Écart",
    "gap_unit": "Unité de l'écart",
    "gap_qualifier": "Précision de l'écart",
    "index": "Indice (quartier / référence × 100)",
    "polarity": "Sens (+1 : plus est mieux ; −1 : plus est moins bien)",
    "reading": "Lecture de l'écart",
    "label_fr": "Écart (texte)",
    # objectives
    "enjeu": "Enjeu (numéro)",
    "enjeu_title": "Enjeu",
    "strategic_objective": "Objectif stratégique",
    "operational_objective": "Objectif opérationnel",
    "action_rank": "Rang de l'action",
    "action": "Action",
    # IPS
    "uai": "UAI",
    "rentree": "Rentrée scolaire",
    "niveau": "Niveau",
    "commune_code": "Code commune",
    "commune_nom": "Commune",
    "nom_etablissement": "Établissement",
    "secteur": "Secteur",
    "ips": "IPS",
    "ips_marker": "Marque IPS (NS : non significatif)",
    "effectifs": "Effectifs",
    "effectifs_marker": "Marque effectifs",
    "ips_ecart_type": "Écart-type de l'IPS",
    "ips_ecart_type_marker": "Marque écart-type",
    "ips_national": "IPS national",
    "ips_national_public": "IPS national public",
    "ips_national_prive": "IPS national privé",
    "ips_academique": "IPS académique",
    "ips_academique_public": "IPS académique public",
    "ips_academique_prive": "IPS académique privé",
    "ips_departemental": "IPS départemental",
    "ips_departemental_public": "IPS départemental public",
    "ips_departemental_prive": "IPS départemental privé",
    "territoire_type": "Type de territoire",
    "territoire_code": "Code du territoire",
    "territoire_nom": "Territoire",
    "n_etablissements": "Nombre d'établissements",
    "n_ips": "Nombre d'IPS publiés",
    "n_ns": "Nombre d'IPS « NS »",
    "ips_moyen": "IPS moyen (non pondéré)",
    "ips_moyen_pondere": "IPS moyen pondéré par les effectifs",
    "ips_publie": "IPS publié",
    "ips_cabbalr": "IPS moyen de la CABBALR",
    "ecart_cabbalr": "Écart à la CABBALR (points d'IPS)",
    # communes
    "nom": "Nom",
    "epci_siren": "SIREN de l'EPCI",
    "epci_nom": "EPCI",
    "population_municipale": "Population municipale",
    "population_totale": "Population totale",
    "siren_commune": "SIREN de la commune",
    "departement": "Département",
    "arrondissement": "Arrondissement",
    "codes_postaux": "Codes postaux",
    "concerne_quartiers": "Commune concernée par un quartier",
    # checks and notes
    "check_id": "Contrôle",
    "convention_value": "Valeur de la convention",
    "open_data_value": "Valeur des données ouvertes",
    "method": "Méthode",
    "message": "Message",
    # Filosofi grid and its aggregates
    "idcar_200m": "Identifiant du carreau (INSPIRE)",
    "x": "X du coin inférieur gauche (EPSG:3035)",
    "y": "Y du coin inférieur gauche (EPSG:3035)",
    "i_est": "Carreau imputé (1 = oui)",
    "ind": "Personnes (carroyage)",
    "men": "Ménages (carroyage)",
    "men_pauv": "Ménages pauvres (carroyage)",
    "ind_snv": "Somme des niveaux de vie (€)",
    "log_soc": "Logements sociaux",
    "log_total": "Logements",
    "n_cells": "Nombre de carreaux habités",
    "part_menages_pauvres": "Part des ménages pauvres (carroyage, %)",
    "niveau_vie_moyen": "Niveau de vie moyen par personne (carroyage, €)",
    "part_logements_sociaux": "Part des logements sociaux (carroyage, %)",
    "part_ind_cellules_imputees": "Part des personnes dans des carreaux imputés (%)",
    "n_cells_pauv_gt_30": "Carreaux où plus de 30 % des ménages sont pauvres",
    "secret": "Secret statistique",
    "secret_reason": "Motif du secret",
    "incomplete": "Données incomplètes",
    "incomplete_reason": "Motif des données incomplètes",
}

# Characters XML 1.0 forbids (openpyxl refuses them): control characters except tab, LF, CR.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# --- helpers ---------------------------------------------------------------------------


def _fixed_moment() -> _dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    return FIXED_DATE


def _check_name(name: str, what: str = "file name") -> None:
    if not _NAME.match(name):
        raise ParameterError(
            f"invalid {what} {name!r}; expected letters, digits, '_', '-' or '.' "
            "(no folder, no space)"
        )


def check_secrecy(df: pd.DataFrame, name: str, min_households: int = MIN_HOUSEHOLDS) -> None:
    """Refuse a table showing a household count below ``min_households``.

    Raises
    ------
    InputError
        Naming the table, the 0-based row and the column ``men``.
    """
    if "men" not in df.columns:
        return
    households = pd.to_numeric(df["men"], errors="coerce").to_numpy(dtype="float64")
    small = np.isfinite(households) & (households < min_households)
    if small.any():
        i = int(np.flatnonzero(small)[0])
        raise InputError(
            f"no figure from fewer than {min_households} households "
            "(mask such rows with indicators.figures.maps.mask_small_cells)",
            context=f"table {name!r}, row {i}",
            column="men",
            found=format(float(households[i]), "g"),
        )


# --- figures ---------------------------------------------------------------------------


def save_figure(
    fig: Figure,
    directory: str | os.PathLike[str],
    name: str,
    *,
    formats: Sequence[str] = FIGURE_FORMATS,
    dpi: int = FIGURE_DPI,
) -> list[Path]:
    """Save ``fig`` as ``<directory>/<name>.png`` (150 dpi) and ``.svg``, atomically.

    The bytes depend only on the figure: no date or software version in the metadata,
    SVG element ids from a fixed salt, text drawn as paths (same look everywhere).

    Raises
    ------
    ParameterError
        ``name`` is not a plain file name, or a format is not ``png``/``svg``/``pdf``.
    """
    _check_name(name)
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": "indicators"},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    }
    written = []
    for fmt in formats:
        if fmt not in metadata:
            raise ParameterError(f"unknown figure format {fmt!r}; expected png, svg or pdf")
        buffer = io.BytesIO()
        with mpl.rc_context({"svg.hashsalt": "indicators", "svg.fonttype": "path"}):
            fig.savefig(
                buffer,
                format=fmt,
                dpi=dpi,
                bbox_inches="tight",
                pad_inches=0.12,
                facecolor="white",
                metadata=metadata[fmt],
            )
        written.append(atomic_write_bytes(Path(directory) / f"{name}.{fmt}", buffer.getvalue()))
    return written


def _latest_rentree(ips_communes: pd.DataFrame, niveau: str = "ecole") -> str | None:
    rentrees = sorted(ips_communes.loc[ips_communes["niveau"] == niveau, "rentree"].unique())
    return str(rentrees[-1]) if rentrees else None


def grid_cells_in(cells: pd.DataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """The grid cells whose centre lies in ``communes`` (any declared CRS)."""
    import shapely

    from indicators.sources.filosofi import GRID_CRS, RESOLUTION

    area = check_layer(communes, "communes").to_crs(GRID_CRS).union_all()
    x = cells["x"].to_numpy(dtype="float64") + RESOLUTION / 2
    y = cells["y"].to_numpy(dtype="float64") + RESOLUTION / 2
    return cells[shapely.contains_xy(area, x, y)]


def write_figures(
    tables: Mapping[str, pd.DataFrame],
    directory: str | os.PathLike[str],
    *,
    rentree: str | None = None,
    formats: Sequence[str] = FIGURE_FORMATS,
    dpi: int = FIGURE_DPI,
) -> list[Path]:
    """Every chart and map of the processed tables, as PNG and SVG files.

    - ``ecarts_<quartier_id>``: :func:`~indicators.figures.charts.plot_gap_chart` of each quartier;
    - ``ecarts_quartiers``: :func:`~indicators.figures.charts.plot_gaps_across`;
    - ``carte_situation`` (and ``carte_situation_zoom`` when quartier shapes exist):
      :func:`~indicators.figures.maps.plot_locator_map`;
    - ``carte_communes_<quartier_id>``: :func:`~indicators.figures.maps.plot_quartier_communes`;
    - ``carte_ips_ecoles_<rentrée>`` and ``carte_ecart_ips_ecoles_<rentrée>``: the IPS
      choropleth and gap map for ``rentree`` (default: the latest with écoles);
    - ``carte_carroyage`` when a ``grid`` table exists: the Filosofi cells of the
      communes concerned by the quartiers (:func:`~indicators.figures.maps.plot_grid_map`).

    Figures whose tables are absent are skipped. Each figure is closed once saved.
    """
    import matplotlib.pyplot as plt

    from indicators.figures.gap_chart import plot_gap_chart
    from indicators.figures.gaps_across import plot_gaps_across
    from indicators.figures.grid_map import plot_grid_map
    from indicators.figures.ips_maps import plot_ips_choropleth, plot_ips_gap_map
    from indicators.figures.locator_maps import plot_locator_map, plot_quartier_communes

    directory = Path(directory)
    written: list[Path] = []

    def save(ax: object, name: str) -> None:
        fig = ax.figure  # type: ignore[attr-defined]
        try:
            written.extend(save_figure(fig, directory, name, formats=formats, dpi=dpi))
        finally:
            plt.close(fig)

    quartiers, gaps, portrait = (tables.get(n) for n in ("quartiers", "gaps", "portrait"))
    if quartiers is not None and gaps is not None and portrait is not None:
        for quartier_id in quartiers["quartier_id"]:
            ax = plot_gap_chart(gaps, portrait, quartier_id, quartiers=quartiers)
            save(ax, f"ecarts_{quartier_id}")
        save(plot_gaps_across(gaps, quartiers), "ecarts_quartiers")
    communes = tables.get("communes")
    shapes = tables.get("quartier_shapes")
    if communes is not None and quartiers is not None:
        save(plot_locator_map(communes, quartiers, shapes), "carte_situation")
        if shapes is not None and len(shapes):
            save(plot_locator_map(communes, quartiers, shapes, zoom=True), "carte_situation_zoom")
        for quartier_id in quartiers["quartier_id"]:
            ax = plot_quartier_communes(communes, quartiers, quartier_id, shapes)
            save(ax, f"carte_communes_{quartier_id}")
    ips_communes = tables.get("ips_communes")
    if communes is not None and ips_communes is not None:
        chosen = rentree or _latest_rentree(ips_communes)
        if chosen is not None:
            tag = chosen.replace("-", "_")
            save(plot_ips_choropleth(communes, ips_communes, chosen), f"carte_ips_ecoles_{tag}")
            save(plot_ips_gap_map(communes, ips_communes, chosen), f"carte_ecart_ips_ecoles_{tag}")
    cells = tables.get("grid")
    if cells is not None and communes is not None:
        concerned = communes
        if "concerne_quartiers" in communes.columns and communes["concerne_quartiers"].any():
            concerned = communes[communes["concerne_quartiers"].astype(bool)]
        local = grid_cells_in(cells, concerned)
        if len(local):
            ax = plot_grid_map(local, perimeters=shapes, communes=concerned)
            save(ax, "carte_carroyage")
    return written


# --- GeoPackage ------------------------------------------------------------------------


def _for_ogr(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Column types OGR writes faithfully: text as object, nullable ints as float."""
    out = layer.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        dtype = out[column].dtype
        if (
            isinstance(dtype, pd.StringDtype)
            or pd.api.types.is_object_dtype(dtype)
            or isinstance(dtype, pd.BooleanDtype)
        ):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
        elif pd.api.types.is_extension_array_dtype(dtype) and pd.api.types.is_integer_dtype(dtype):
            out[column] = out[column].astype("float64")
    return out


def write_geopackage(layers: Mapping[str, gpd.GeoDataFrame], path: str | os.PathLike[str]) -> Path:
    """Write ``layers`` (name → GeoDataFrame) into one GeoPackage in EPSG:2154.

    Each layer must declare its CRS (it is reprojected to Lambert-93, never assumed)
    and have no empty geometry; layer names are plain identifiers (``communes_ips``).
    The file is written next to ``path`` under a temporary name and moved into place,
    so a failure leaves any previous file intact. GDAL's timestamps are taken from
    ``SOURCE_DATE_EPOCH`` (or 1980-01-01) so the content does not depend on the day.

    Raises
    ------
    InputError
        A layer without CRS, with an empty geometry, or with a household count below
        the secrecy threshold.
    ParameterError
        No layer, or an invalid layer name.
    """
    import pyogrio

    if not layers:
        raise ParameterError("write_geopackage needs at least one layer")
    prepared: dict[str, gpd.GeoDataFrame] = {}
    for name, layer in layers.items():
        if not _LAYER.match(name):
            raise ParameterError(f"invalid layer name {name!r}; expected letters, digits and '_'")
        checked = check_layer(layer, name)
        check_secrecy(checked, name)
        prepared[name] = _for_ogr(checked)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp_name)  # GDAL creates the file itself
    tmp = Path(tmp_name)
    moment = _fixed_moment().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    try:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": moment})
        for name, layer in prepared.items():
            pyogrio.write_dataframe(layer, tmp, layer=name, driver="GPKG", promote_to_multi=False)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    return path


def read_geopackage(path: str | os.PathLike[str]) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of a GeoPackage, by name (to check an export)."""
    import pyogrio

    return {
        str(name): gpd.read_file(path, layer=str(name)) for name, _ in pyogrio.list_layers(path)
    }


# --- XLSX ------------------------------------------------------------------------------


def _sheet_name(name: str, used: set[str]) -> str:
    title = SHEETS_FR.get(name, name)
    title = re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Feuille"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _cell_value(value: object) -> object:
    """A Python value openpyxl writes as the right cell type (None for missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, str):
        return _ILLEGAL_XML.sub(" ", value)
    return _ILLEGAL_XML.sub(" ", str(value))


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """The table without its geometry columns."""
    geometry = [c for c in df.columns if isinstance(df[c].dtype, gpd.array.GeometryDtype)]
    return pd.DataFrame(df.drop(columns=geometry))


def _deterministic_zip(data: bytes, moment: _dt.datetime) -> bytes:
    """Re-pack an XLSX with fixed entry timestamps and fixed document dates."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    date_time = max(moment, FIXED_DATE).timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                for tag in ("created", "modified"):
                    text = re.sub(
                        rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)",
                        rf"\g<1>{stamp}\g<2>",
                        text,
                    )
                content = text.encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def write_xlsx(
    tables: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    headers: Mapping[str, str] = HEADERS_FR,
) -> Path:
    """Write the tables into one workbook: one sheet per table, French headers.

    Numbers stay numbers (so they sort and sum in Excel or LibreOffice), missing values
    are empty cells (never 0), booleans are TRUE/FALSE, geometry columns are dropped.
    Text beginning with « = » is stored as text, not as a formula; control characters
    XML forbids are replaced by a space. The header row is bold, frozen and filterable.
    The bytes are reproducible: document dates and zip timestamps come from
    ``SOURCE_DATE_EPOCH`` (or are 1980-01-01).

    Parameters
    ----------
    tables
        Table name → DataFrame, in sheet order; sheet titles from :data:`SHEETS_FR`.
    path
        The ``.xlsx`` file to write (atomically).
    headers
        Column name → French header (unknown columns keep their name).

    Raises
    ------
    InputError
        A table with a household count below the secrecy threshold.
    ParameterError
        No table.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if not tables:
        raise ParameterError("write_xlsx needs at least one table")
    moment = _fixed_moment()
    workbook = Workbook()
    workbook.remove(workbook.active)
    naive = moment.astimezone(_dt.UTC).replace(tzinfo=None)
    workbook.properties.creator = "indicators"
    workbook.properties.lastModifiedBy = "indicators"
    workbook.properties.created = naive
    workbook.properties.modified = naive
    used: set[str] = set()
    bold = Font(bold=True)
    for name, table in tables.items():
        check_secrecy(table, name)
        if len(table) >= EXCEL_MAX_ROWS:
            raise ParameterError(
                f"table {name!r} has {len(table)} rows; a spreadsheet holds at most "
                f"{EXCEL_MAX_ROWS - 1} (use the CSV or Parquet file instead)"
            )
        tidy = _tidy(table)
        sheet = workbook.create_sheet(_sheet_name(name, used))
        columns = [str(c) for c in tidy.columns]
        sheet.append([headers.get(c, c) for c in columns])
        widths = [len(headers.get(c, c)) for c in columns]
        for row in tidy.itertuples(index=False, name=None):
            values = [_cell_value(v) for v in row]
            sheet.append(values)
            for j, value in enumerate(values):
                if isinstance(value, str):
                    if value.startswith("="):
                        cell = sheet.cell(row=sheet.max_row, column=j + 1)
                        cell.value = value
                        cell.data_type = "s"
                    widths[j] = max(widths[j], min(len(value), 60))
                elif value is not None:
                    widths[j] = max(widths[j], len(str(value)))
        for j, cell in enumerate(sheet[1], start=1):
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[get_column_letter(j)].width = min(max(widths[j - 1], 8), 60) + 2
        sheet.freeze_panes = "A2"
        if columns:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return atomic_write_bytes(path, _deterministic_zip(buffer.getvalue(), moment))


def read_xlsx(path: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as a DataFrame (French headers), to check an export."""
    return pd.read_excel(path, sheet_name=None, engine="openpyxl")


__all__ = [
    "FIGURE_FORMATS",
    "HEADERS_FR",
    "LAMBERT93",
    "SHEETS_FR",
    "check_secrecy",
    "grid_cells_in",
    "read_geopackage",
    "read_xlsx",
    "save_figure",
    "write_figures",
    "write_geopackage",
    "write_xlsx",
]
