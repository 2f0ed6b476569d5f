"""``indicators build``: raw inputs → validated tables in ``data/processed``.

This is the only writer of ``data/processed``. Every table is computed and validated
in memory first, then written into a staging folder that replaces ``data/processed``
in one move (:func:`indicators.io.staged_directory`): a failure or a killed run leaves
the previous outputs as they were. The same inputs give byte-identical tables; the
manifest records the sha256 of every raw input, the package version and the build time
(taken from ``SOURCE_DATE_EPOCH`` when set, for fully reproducible builds).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators import __version__
from indicators.config import Paths
from indicators.convention import read_convention
from indicators.gaps import compute_gaps
from indicators.io import atomic_write_bytes, sha256_file, staged_directory, write_table
from indicators.schemas import SCHEMAS, validate

MANIFEST = "manifest.json"


@dataclass
class BuildResult:
    """What a build produced: the tables (by name), the manifest and notes."""

    tables: dict[str, pd.DataFrame]
    manifest: dict[str, object]
    notes: list[str] = field(default_factory=list)


def _build_time() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
        if epoch
        else _dt.datetime.now(tz=_dt.UTC).replace(microsecond=0)
    )
    return moment.isoformat()


def raw_inventory(raw: Path) -> list[dict[str, str]]:
    """sha256 of every file under ``data/raw`` (sorted by path)."""
    files = sorted(p for p in raw.rglob("*") if p.is_file() and not p.name.startswith("."))
    return [{"path": p.relative_to(raw).as_posix(), "sha256": sha256_file(p)} for p in files]


def compute_tables(paths: Paths) -> BuildResult:
    """Read the raw inputs and compute every processed table, validated, in memory."""
    convention = read_convention(paths.convention)
    source = str(paths.convention)
    tables: dict[str, pd.DataFrame] = {
        "quartiers": convention.quartiers,
        "portrait": convention.portrait,
        "objectives": convention.objectives,
        "gaps": compute_gaps(convention.portrait),
    }
    for name, schema in SCHEMAS.items():
        tables[name] = validate(tables[name], schema, source=source)
    notes: list[str] = []
    manifest: dict[str, object] = {
        "package": "indicators",
        "version": __version__,
        "built_at": _build_time(),
        "raw_inputs": raw_inventory(paths.raw),
    }
    return BuildResult(tables, manifest, notes)


def write_outputs(result: BuildResult, paths: Paths) -> list[Path]:
    """Write every table (CSV + Parquet) and the manifest, replacing ``data/processed``."""
    written: list[Path] = []
    with staged_directory(paths.processed) as staging:
        table_info: dict[str, object] = {}
        for name, table in result.tables.items():
            files = write_table(table, staging, name)
            written.extend(paths.processed / f.name for f in files)
            table_info[name] = {
                "rows": len(table),
                "files": {f.name: sha256_file(f) for f in files},
            }
        manifest = {**result.manifest, "tables": table_info, "notes": result.notes}
        result.manifest = manifest
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        atomic_write_bytes(staging / MANIFEST, data.encode("utf-8"))
        written.append(paths.processed / MANIFEST)
    return written


def build(paths: Paths | None = None) -> BuildResult:
    """Run the whole build: compute, validate, then write atomically."""
    paths = paths or Paths.from_root()
    result = compute_tables(paths)
    write_outputs(result, paths)
    return result
