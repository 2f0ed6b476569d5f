"""``indicators build``: raw inputs → validated tables in ``data/processed``.

This is the only writer of ``data/processed``. Every table is computed and validated
in memory first, then written into a staging folder that replaces ``data/processed``
in one move (:func:`indicators.build.storage.staged_directory`): a failure or a killed run leaves
the previous outputs as they were. The same inputs give byte-identical tables; the
manifest records the sha256 of every raw input, the package version and the build time
(taken from ``SOURCE_DATE_EPOCH`` when set, for fully reproducible builds).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.analysis.gaps import compute_gaps
from indicators.build.incremental import ExportCache, portable, table_digest
from indicators.build.provenance import base_manifest
from indicators.build.raw_manifest import check_raw_manifest
from indicators.build.schemas import validate
from indicators.build.storage import (
    atomic_write_bytes,
    staged_directory,
    untouched_folder,
    write_table,
)
from indicators.build.tables import BY_NAME, WORKBOOK_TABLES
from indicators.config import Paths
from indicators.convention.parse import read_convention
from indicators.hashing import sha256_file
from indicators.territory import Territory

MANIFEST = "manifest.json"
EXPORTS = "exports"


@dataclass
class BuildResult:
    """What a build produced: the tables (by name), the manifest and notes."""

    tables: dict[str, pd.DataFrame]
    manifest: dict[str, object]
    notes: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  #: exports carried over unchanged
    up_to_date: bool = False  #: nothing to do: data/processed left as it was


def compute_tables(paths: Paths) -> BuildResult:
    """Read the raw inputs and compute every processed table, validated, in memory."""
    # A raw file that changed since its provenance was recorded stops the build first.
    unlisted = check_raw_manifest(paths.raw)
    notes: list[str] = [
        f"data/raw/{name} n'est pas dans SHA256SUMS : utilisé, empreinte dans le manifeste"
        for name in unlisted
    ]
    territory = paths.territory
    convention = read_convention(
        paths.raw / territory.convention_file, reference_label=territory.reference_label
    )
    source = str(paths.raw / territory.convention_file)
    tables: dict[str, pd.DataFrame] = {
        "quartiers": convention.quartiers,
        "portrait": convention.portrait,
        "objectives": convention.objectives,
        "gaps": compute_gaps(convention.portrait),
    }
    for name in list(tables):
        schema = BY_NAME[name].schema
        if schema is not None:
            tables[name] = validate(tables[name], schema, source=source)

    from indicators.build.opendata import build_open_data

    open_data = build_open_data(
        paths.raw,
        convention.portrait,
        convention.quartiers,
        territory=territory,
        check_manifest=False,
    )
    opendata_notes = open_data.pop("opendata_notes")
    notes.extend(f"{src} : {msg}" for src, msg in opendata_notes.itertuples(index=False))
    tables.update(open_data)
    from indicators.build.suivi_tables import suivi_tables

    cycle, cycle_notes = suivi_tables(paths, tables["objectives"], tables["quartiers"])
    tables.update(cycle)
    notes.extend(cycle_notes)
    if "grid" in tables:
        from indicators.secrecy import mask_small_cells

        if "quartier_shapes" in tables:
            from indicators.analysis.grid_estimates import grid_estimates

            published, methods, grid_notes = grid_estimates(
                tables["grid"], tables["quartier_shapes"], vintage=grid_vintage(tables["grid"])
            )
            tables["grid_quartiers"] = published
            tables["grid_quartiers_methods"] = methods
            notes.extend(f"filosofi : {note}" for note in grid_notes)
        # Aggregates are computed from the cells as published; the cells written out
        # have every figure of a cell under 11 households blanked and flagged secret.
        tables["grid"] = mask_small_cells(tables["grid"])
    return BuildResult(tables, base_manifest(paths.raw), notes)


def grid_vintage(grid: pd.DataFrame) -> str:
    """The Filosofi vintage read from the grid file's name (« filosofi2021_… » → 2021)."""
    import re

    match = re.search(r"(20[12][0-9])", Path(str(grid.attrs.get("path", ""))).name)
    return match.group(1) if match else ""


def aggregate_quartiers(grid: pd.DataFrame, shapes: pd.DataFrame) -> pd.DataFrame:
    """Filosofi cells aggregated to each quartier shape, with the three methods.

    The centroid method comes first: it is the headline figure (no double counting
    between neighbouring quartiers); « intersects » (INSEE's reference, overestimates)
    and the area-weighted method follow for comparison.
    """
    from indicators.analysis.aggregate import METHODS, aggregate_grid

    order = ["centroid", *[m for m in METHODS if m != "centroid"]]
    parts = [aggregate_grid(grid, shapes, method=method) for method in order]
    return pd.concat(parts, ignore_index=True)


def communes_layer(communes: pd.DataFrame, ips_communes: pd.DataFrame) -> pd.DataFrame:
    """Communes with their mean school IPS per rentrée (écoles, all sectors), wide.

    Columns ``ips_ecoles_2022_2023`` (unweighted mean of the published IPS) and
    ``n_ns_2022_2023`` (schools whose IPS is « NS »); a commune without a published IPS
    keeps an empty value, never 0.
    """
    rows = ips_communes[
        ips_communes["territoire_type"].eq("commune")
        & ips_communes["niveau"].eq("ecole")
        & ips_communes["secteur"].eq("ensemble")
    ]
    wide = rows.pivot(index="territoire_code", columns="rentree", values=["ips_moyen", "n_ns"])
    wide.columns = [
        f"{'ips_ecoles' if value == 'ips_moyen' else 'n_ns'}_{rentree.replace('-', '_')}"
        for value, rentree in wide.columns
    ]
    layer = communes.merge(wide, left_on="code", right_index=True, how="left")
    return layer


def _export_layers(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    layers = {"communes_ips": communes_layer(tables["communes"], tables["ips_communes"])}
    if "quartier_shapes" in tables:
        layers["perimetres_quartiers"] = tables["quartier_shapes"]
        if "grid_quartiers" in tables:
            shapes = tables["quartier_shapes"][["quartier_id", "geometry"]]
            layers["carroyage_quartiers"] = shapes.merge(
                tables["grid_quartiers"], on="quartier_id", how="inner"
            )
    for name in ("qpv_contours",):
        if name in tables:
            layers[name] = _text_lists(tables[name])
    return layers


def _text_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns holding lists of codes written « 62178, 62194 » (GPKG and XLSX cells)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].map(lambda v: isinstance(v, list)).any():
            out[column] = out[column].map(lambda v: ", ".join(v) if isinstance(v, list) else v)
    return out


def write_exports(
    tables: dict[str, pd.DataFrame],
    directory: Path,
    *,
    figures: bool = True,
    territory: Territory | None = None,
    manifest: dict[str, object] | None = None,
    cache: ExportCache | None = None,
    jobs: int | None = None,
) -> list[Path]:
    """The GeoPackage (EPSG:2154, for QGIS), the XLSX workbook with its « Lisez-moi »,
    the CSVs for French Excel (``csv_excel/``) and every figure as PNG and SVG
    (``figures/``), for the commune's SIG and staff.

    ``territory`` names the EPCI in the workbook's sheet names and headers; ``manifest``
    (the build's provenance) dates the « Lisez-moi ». The figures are drawn in ``jobs``
    worker processes (default: one per core); with a ``cache``, an export whose inputs
    did not change is carried over (:mod:`indicators.build.export_step`)."""
    from indicators.build.export_step import write_exports_step

    return write_exports_step(
        tables,
        directory,
        figures=figures,
        territory=territory,
        manifest=manifest or {},
        export_layers=_export_layers,
        workbook_sheets=lambda t: {n: _text_lists(t[n]) for n in WORKBOOK_TABLES if n in t},
        written_tables=[n for n in tables if n not in BY_NAME or BY_NAME[n].written],
        cache=cache,
        jobs=jobs,
    )


def write_outputs(
    result: BuildResult,
    paths: Paths,
    *,
    figures: bool = True,
    force: bool = False,
    jobs: int | None = None,
    build_key: str | None = None,
) -> list[Path]:
    """Write every table (CSV + Parquet), the exports and the manifest, replacing
    ``data/processed``; ``figures=False`` skips the PNG/SVG figures.

    An export whose inputs and code did not change since the previous build is carried
    over from it (:mod:`indicators.build.incremental`; the manifest's ``outputs``);
    ``force`` makes every export again. ``result.reused`` lists what was carried over;
    ``build_key`` (:func:`indicators.build.up_to_date.build_key`), recorded in the
    manifest, lets the next build of the same inputs do nothing."""
    from indicators.build.ownership import processed_owned

    written: list[Path] = []
    kept: list[str] = []
    with staged_directory(paths.processed, owned=processed_owned, kept=kept) as staging:
        table_info: dict[str, dict[str, Any]] = {}
        for name, table in result.tables.items():
            files = write_table(portable(table, paths.root), staging, name)
            written.extend(paths.processed / f.name for f in files)
            table_info[name] = {
                "rows": len(table),
                "files": {f.name: sha256_file(f) for f in files},
            }
        cache = ExportCache.for_build(
            paths.processed,
            {
                n: table_digest(portable(t, paths.root), table_info[n]["files"])
                for n, t in result.tables.items()
            },
            repr(paths.territory),
            force=force,
        )
        exports = write_exports(
            result.tables,
            staging / EXPORTS,
            figures=figures,
            territory=paths.territory,
            manifest=result.manifest,
            cache=cache,
            jobs=jobs,
        )
        result.reused = list(cache.reused)
        written.extend(paths.processed / f.relative_to(staging) for f in exports)
        export_info = {f.relative_to(staging / EXPORTS).as_posix(): sha256_file(f) for f in exports}
        manifest = {
            **result.manifest,
            "tables": table_info,
            "exports": export_info,
            "outputs": cache.outputs,
            **({"build_key": build_key} if build_key else {}),
            "notes": result.notes,
        }
        result.manifest = manifest
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        atomic_write_bytes(staging / MANIFEST, data.encode("utf-8"))
        written.append(paths.processed / MANIFEST)
    result.notes.extend(_kept_note(kept))
    return written


def _kept_note(kept: list[str]) -> list[str]:
    if not kept:
        return []
    return ["fichiers non écrits par indicators conservés dans data/processed : " + ", ".join(kept)]


def build(
    paths: Paths | None = None,
    *,
    figures: bool = True,
    force: bool = False,
    jobs: int | None = None,
) -> BuildResult:
    """Run the whole build: compute, validate, then write atomically (see
    :func:`write_outputs` for ``force`` and ``jobs``).

    When the raw inputs, the code and ``SOURCE_DATE_EPOCH`` are those of the previous
    build and its outputs are intact, nothing is done (``result.up_to_date``; the tables
    are read back from ``data/processed`` when looked up): see
    :mod:`indicators.build.up_to_date`. ``force`` builds everything again."""
    from indicators.build.up_to_date import StoredTables, build_key, current_build

    paths = paths or Paths.from_root()
    key = build_key(paths.raw, figures=figures)
    manifest = None if force else current_build(paths.processed, key)
    if manifest is not None:
        from indicators.build.ownership import processed_owned

        kept = untouched_folder(paths.processed, processed_owned)
        tables = StoredTables(paths.processed, list(manifest.get("tables", {})))
        outputs = list(manifest.get("outputs", {}))
        notes = [*manifest.get("notes", []), *_kept_note(kept)]
        return BuildResult(tables, manifest, notes, reused=outputs, up_to_date=True)  # type: ignore[arg-type]
    result = compute_tables(paths)
    # The raw files as the build read them (hashed after reading) are those of ``key``.
    read = result.manifest.get("raw_inputs")
    same = build_key(paths.raw, figures=figures, inventory=read) == key
    write_outputs(
        result, paths, figures=figures, force=force, jobs=jobs, build_key=key if same else None
    )
    return result
