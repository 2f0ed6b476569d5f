"""The incremental build: an export whose inputs did not change is carried over, not redrawn.

Like ``make``, but by content. Every export (a figure's PNG and SVG, the workbook, the
GeoPackage, the CSVs for Excel) gets a *fingerprint*: the sha256 of

- the exact data it is made from: the sha256 of the CSV and Parquet files of each table
  it reads (and of the table's attributes), « absent » for a table it looked for and
  did not find; the workbook's also covers the text of its « Lisez-moi » sheet (which
  shows the build's date and the raw inputs' fingerprint);
- the version of the code that makes it (:func:`code_version`: every file of the
  ``indicators`` package and the versions of Python and of the libraries that draw and
  write: Matplotlib, pandas, pyogrio, openpyxl…);
- the territory (``data/raw/territory.toml`` as read) and ``SOURCE_DATE_EPOCH``.

The manifest records, under ``outputs``, each export's fingerprint, its files and (for a
figure) the tables its drawing read. The next build carries an export over from the
previous ``data/processed`` only when its fingerprint is the same *and* each of its files
is still there with the sha256 the manifest recorded; otherwise it is made again. A
figure's tables are those its last drawing read (:class:`~indicators.build.figure_jobs.
ReadTables`): the same tables with the same content and the same code read the same
tables again. ``indicators build --force`` makes everything again. The files carried
over are the bytes a fresh build writes: a build with or without the cache gives the
same files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.hashing import sha256_file

__all__ = ["ExportCache", "code_version", "fingerprint_of", "portable", "table_digest"]

#: Libraries whose version changes what the exports contain.
LIBRARIES = ("matplotlib", "numpy", "pandas", "pyarrow", "geopandas", "shapely", "pyproj")
LIBRARIES += ("pyogrio", "mapclassify", "openpyxl", "Babel", "pillow")


def fingerprint_of(*parts: object) -> str:
    """sha256 of ``parts`` written as JSON (keys sorted; other objects by ``str``)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def code_version() -> str:
    """sha256 of the package's files and of the Python and library versions."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for file in sorted(package.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts:
            digest.update(file.relative_to(package).as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    versions = {}
    for library in LIBRARIES:
        try:
            versions[library] = metadata.version(library)
        except metadata.PackageNotFoundError:
            versions[library] = None
    return fingerprint_of(digest.hexdigest(), sys.version, versions)


def table_digest(table: pd.DataFrame, files: Mapping[str, str]) -> str:
    """A table's content: the sha256 of its written files and its attributes (as
    :func:`portable` writes them)."""
    return fingerprint_of(dict(files), dict(table.attrs))


def portable(table: pd.DataFrame, root: Path) -> pd.DataFrame:
    """``table`` with the paths of its attributes relative to the project ``root``.

    A reader notes the file it read in ``attrs["path"]`` (errors name it, its name gives
    the Filosofi vintage); written as is into the Parquet file, that absolute path made
    the bytes of a table depend on where the project lies."""
    prefix = f"{Path(root).resolve()}{os.sep}"
    attrs = {
        k: v[len(prefix) :] if isinstance(v, str) and v.startswith(prefix) else v
        for k, v in table.attrs.items()
    }
    if attrs == table.attrs:
        return table
    out = table.copy(deep=False)
    out.attrs = attrs
    return out


@dataclass
class ExportCache:
    """The previous build's exports, and the fingerprints of this build's.

    ``previous`` is the previous ``data/processed/exports`` folder and ``manifest`` the
    previous manifest (``{}``: nothing to carry over, as with ``--force``); ``tables``
    maps each table of this build to :func:`table_digest`; ``context`` is what every
    export depends on besides its tables (territory, ``SOURCE_DATE_EPOCH``).
    """

    previous: Path
    manifest: Mapping[str, Any]
    tables: Mapping[str, str]
    context: object
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)

    @classmethod
    def for_build(
        cls,
        processed: Path,
        tables: Mapping[str, str],
        context: object,
        *,
        force: bool = False,
    ) -> ExportCache:
        """The cache of ``processed`` (its manifest read, unless ``force``)."""
        manifest: dict[str, Any] = {}
        if not force:
            try:
                manifest = json.loads((processed / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                manifest = {}
            if not isinstance(manifest, dict):
                manifest = {}
        return cls(processed / "exports", manifest, tables, context)

    def fingerprint(self, tables: Iterable[str], *extra: object) -> str:
        """The fingerprint of an export made from ``tables`` (and ``extra``)."""
        read = {name: self.tables.get(name, "absent") for name in sorted(set(tables))}
        sde = os.environ.get("SOURCE_DATE_EPOCH")
        return fingerprint_of(code_version(), self.context, sde, read, extra)

    def previous_tables(self, key: str) -> list[str] | None:
        """The tables the previous build's export ``key`` was made from, if recorded."""
        entry = self._entry(key)
        tables = entry.get("tables") if entry else None
        return list(tables) if isinstance(tables, list) else None

    def carry_over(self, key: str, fingerprint: str, target: Path) -> list[Path] | None:
        """Copy the previous build's files of ``key`` into ``target`` when its fingerprint
        is ``fingerprint`` and its files are intact; ``None`` when it must be made again."""
        entry = self._entry(key)
        if entry is None or entry.get("fingerprint") != fingerprint:
            return None
        files = entry.get("files")
        sums = self.manifest.get("exports", {})
        if not isinstance(files, list) or not files or not isinstance(sums, dict):
            return None
        for name in files:
            if not isinstance(name, str) or Path(name).is_absolute() or ".." in Path(name).parts:
                return None
            old = self.previous / name
            if not old.is_file() or old.is_symlink() or sha256_file(old) != sums.get(name):
                return None
        copied = []
        for name in files:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            copied.append(Path(shutil.copyfile(self.previous / name, target / name)))
        self.reused.append(key)
        return copied

    def record(
        self,
        key: str,
        fingerprint: str,
        files: Iterable[Path],
        target: Path,
        tables: Iterable[str] | None = None,
    ) -> None:
        """Note the fingerprint and files of ``key`` for this build's manifest."""
        entry: dict[str, Any] = {
            "fingerprint": fingerprint,
            "files": [Path(f).relative_to(target).as_posix() for f in files],
        }
        if tables is not None:
            entry["tables"] = sorted(set(tables))
        self.outputs[key] = entry

    def _entry(self, key: str) -> dict[str, Any] | None:
        outputs = self.manifest.get("outputs")
        entry = outputs.get(key) if isinstance(outputs, dict) else None
        return entry if isinstance(entry, dict) else None
