"""Which files of ``data/processed`` the build wrote, so a person's files are kept.

A colleague may save a note or a reworked spreadsheet in ``data/processed``; the build
replaces the folder as a whole (:func:`indicators.build.storage.staged_directory`) and
carries over every file that :func:`processed_owned` does not claim.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["processed_owned"]

MANIFEST = "manifest.json"
EXPORTS = "exports"


def processed_owned(folder: Path) -> set[str]:
    """Relative paths in ``folder`` written by a build: the manifest, the tables and the
    exports it lists, and (when the manifest is unreadable) every registered table's
    CSV / Parquet file and everything under ``exports/``."""
    from indicators.build.tables import BY_NAME

    owned = {MANIFEST, "README.md"}
    owned |= {f"{name}.{ext}" for name in BY_NAME for ext in ("csv", "parquet")}
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        for info in manifest.get("tables", {}).values():
            owned |= set(info.get("files", {}))
        owned |= {f"{EXPORTS}/{name}" for name in manifest.get("exports", {})}
    except (OSError, ValueError, AttributeError):
        owned |= {
            p.relative_to(folder).as_posix() for p in (folder / EXPORTS).rglob("*") if p.is_file()
        }
    return owned
