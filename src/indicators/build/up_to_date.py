"""A build with nothing to do: ``data/processed`` already is what the inputs give.

Every table and export is a function of the raw inputs, the code and
``SOURCE_DATE_EPOCH``. The manifest records their fingerprint (:func:`build_key`: the
sha256 of every file under ``data/raw``, :func:`~indicators.build.incremental.
code_version`, ``SOURCE_DATE_EPOCH`` and whether figures were drawn). A build whose key
is the one recorded, and whose every recorded file (tables, exports) is still there with
its sha256, has nothing to compute: :func:`current_build` returns the stored build
without reading the raw files' contents into tables, and ``data/processed`` is left as
it is (its manifest keeps the date of the build that made it). Anything else — one raw
byte, one source line, a damaged or missing output — runs the whole build, whose
exports are then carried over or remade one by one (:mod:`indicators.build.incremental`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.build import incremental
from indicators.build.provenance import raw_inventory
from indicators.hashing import sha256_file

__all__ = ["StoredTables", "build_key", "current_build"]


def build_key(raw: Path, *, figures: bool, inventory: object = None) -> str:
    """The fingerprint of a whole build of ``raw`` (see the module docstring);
    ``inventory``: :func:`~indicators.build.provenance.raw_inventory` of ``raw`` when
    already computed."""
    inventory = raw_inventory(raw) if inventory is None else inventory
    return incremental.fingerprint_of(
        inventory, incremental.code_version(), os.environ.get("SOURCE_DATE_EPOCH"), figures
    )


class StoredTables(Mapping[str, pd.DataFrame]):
    """The processed tables, read from their Parquet files when first looked up."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self._folder = folder
        self._names = names
        self._read: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._read:
            from indicators.build.storage import read_table

            self._read[name] = read_table(self._folder, name)
        return self._read[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def current_build(processed: Path, key: str) -> dict[str, Any] | None:
    """The manifest of ``processed`` when it was built with ``key`` and every file it
    lists is intact; else ``None`` (the build must run)."""
    try:
        manifest = json.loads((processed / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("build_key") != key:
        return None
    expected: dict[str, object] = {}
    for info in (manifest.get("tables") or {}).values():
        expected.update((info or {}).get("files") or {})
    expected.update({f"exports/{k}": v for k, v in (manifest.get("exports") or {}).items()})
    for name, digest in expected.items():
        file = processed / name
        if ".." in Path(name).parts or not file.is_file() or sha256_file(file) != digest:
            return None
    return manifest
