"""The exports step of the build: GeoPackage, workbook, CSVs for Excel and figures.

The figures are started first in worker processes (:mod:`indicators.build.figure_jobs`)
and drawn while this process writes the GeoPackage, the workbook and the CSVs; with an
:class:`~indicators.build.incremental.ExportCache`, an export whose fingerprint did not
change is carried over from the previous build instead of being made again. The paths
come back in a fixed order (GeoPackage, workbook, CSVs, then each figure's PNG and SVG
in the registry's order), whatever was carried over or finished first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from indicators.build.figure_jobs import FigureBatch
from indicators.build.incremental import ExportCache
from indicators.figures.registry import ALT_TEXTS_FILE
from indicators.territory import Territory

__all__ = ["write_exports_step"]


def _made(
    cache: ExportCache | None,
    key: str,
    directory: Path,
    inputs: list[str],
    extra: object,
    make: Callable[[], list[Path]],
) -> list[Path]:
    """The files of export ``key``: carried over when the cache allows, else made."""
    if cache is None:
        return make()
    fingerprint = cache.fingerprint(inputs, key, extra)
    files = cache.carry_over(key, fingerprint, directory)
    if files is None:
        files = make()
    cache.record(key, fingerprint, files, directory)
    return files


def write_exports_step(
    tables: Mapping[str, pd.DataFrame],
    directory: Path,
    *,
    figures: bool,
    territory: Territory | None,
    manifest: Mapping[str, object],
    export_layers: Callable[[Mapping[str, pd.DataFrame]], dict[str, pd.DataFrame]],
    workbook_sheets: Callable[[Mapping[str, pd.DataFrame]], dict[str, pd.DataFrame]],
    written_tables: list[str],
    cache: ExportCache | None = None,
    jobs: int | None = None,
) -> list[Path]:
    """Write the exports in ``directory`` (see :func:`indicators.build.pipeline.write_exports`)."""
    from indicators.build.csv_excel import CSV_EXCEL_DIR, write_csv_excel
    from indicators.build.figure_export import FIGURE_FORMATS, write_alt_texts
    from indicators.build.geopackage import write_geopackage
    from indicators.build.readme_sheet import readme_sections
    from indicators.build.xlsx import sheet_titles, write_xlsx

    epci_label = territory.epci.label if territory is not None else None
    everything = list(tables)
    batch: FigureBatch | None = None
    figure_files: dict[str, list[Path]] = {}
    if figures:
        batch, figure_files = _start_figures(tables, directory, territory, cache, jobs)

    def geopackage() -> list[Path]:
        return [write_geopackage(export_layers(tables), directory / "indicators.gpkg")]

    sheets = workbook_sheets(tables)
    readme = readme_sections(
        tables,
        titles=sheet_titles(sheets, epci_label),
        manifest=manifest,
        territory=territory,
        layers=export_layers(tables),
    )

    def workbook() -> list[Path]:
        path = directory / "indicators.xlsx"
        return [write_xlsx(sheets, path, epci_label=epci_label, readme=readme)]

    def csv_excel() -> list[Path]:
        chosen = {n: tables[n] for n in written_tables}
        return write_csv_excel(chosen, directory / CSV_EXCEL_DIR, epci_label=epci_label)

    try:
        written = [
            *_made(cache, "indicators.gpkg", directory, everything, None, geopackage),
            *_made(cache, "indicators.xlsx", directory, everything, repr(readme), workbook),
            *_made(cache, CSV_EXCEL_DIR, directory, everything, written_tables, csv_excel),
        ]
        # The figures' alt texts are written here, while the workers still draw.
        alt_files: list[Path] = []
        if figures and territory is not None:

            def alt_texts() -> list[Path]:
                return [write_alt_texts(tables, directory / "figures", territory=territory)]

            key = "figures/" + ALT_TEXTS_FILE
            alt_files = _made(cache, key, directory, everything, None, alt_texts)
        if batch is not None:
            for name, data, read in batch.results():
                files = [
                    _write(directory / "figures" / f"{name}.{fmt}", data[fmt])
                    for fmt in FIGURE_FORMATS
                ]
                if cache is not None:
                    key = f"figures/{name}"
                    cache.record(key, cache.fingerprint(read, key), files, directory, read)
                figure_files[name] = files
    finally:
        if batch is not None:
            batch.close()
    return written + [f for files in figure_files.values() for f in files] + alt_files


def _write(path: Path, data: bytes) -> Path:
    from indicators.build.storage import atomic_write_bytes

    return atomic_write_bytes(path, data)


def _start_figures(
    tables: Mapping[str, pd.DataFrame],
    directory: Path,
    territory: Territory | None,
    cache: ExportCache | None,
    jobs: int | None,
) -> tuple[FigureBatch, dict[str, list[Path]]]:
    """Carry over the figures the cache allows; start drawing the others.

    Returns the batch being drawn and, by name in the registry's order, the files of
    each figure (empty until drawn)."""
    from indicators.build.figure_export import FIGURE_DPI, FIGURE_FORMATS, figure_names
    from indicators.build.figure_jobs import start_figures

    names = figure_names(tables, territory)  # type: ignore[arg-type]
    files: dict[str, list[Path]] = {name: [] for name in names}
    to_draw = []
    for name in names:
        key = f"figures/{name}"
        read = cache.previous_tables(key) if cache is not None else None
        if cache is not None and read is not None:
            fingerprint = cache.fingerprint(read, key)
            carried = cache.carry_over(key, fingerprint, directory)
            if carried is not None:
                cache.record(key, fingerprint, carried, directory, read)
                files[name] = carried
                continue
        to_draw.append(name)
    batch = start_figures(
        to_draw,
        tables,
        territory,  # type: ignore[arg-type]
        formats=FIGURE_FORMATS,
        dpi=FIGURE_DPI,
        jobs=jobs,
    )
    return batch, files
