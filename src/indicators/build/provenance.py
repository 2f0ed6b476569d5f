"""Provenance of a build: the raw inputs' sha256, the package version, the build time.

The build time comes from ``SOURCE_DATE_EPOCH`` when set, so that two builds of the same
inputs give byte-identical outputs, the manifest included.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from indicators import __version__
from indicators.hashing import sha256_file


def build_time() -> str:
    """``SOURCE_DATE_EPOCH`` (or now, to the second) as an ISO 8601 UTC time."""
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


def base_manifest(raw: Path) -> dict[str, object]:
    """The manifest's provenance part: package, version, build time and raw inputs.

    The pipeline adds the tables, exports and notes once they are written.
    """
    return {
        "package": "indicators",
        "version": __version__,
        "built_at": build_time(),
        "raw_inputs": raw_inventory(raw),
    }


def data_fingerprint(manifest: Mapping[str, Any]) -> str:
    """12 hex digits identifying the raw inputs of a build (same inputs → same digits).

    The same digits as :func:`indicators.report.provenance.data_fingerprint` (the
    reports' « empreinte des sources »), for the exports' « Lisez-moi ».
    """
    raw = json.dumps(manifest.get("raw_inputs", []), sort_keys=True).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:12]
