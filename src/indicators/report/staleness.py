"""Is ``data/processed`` the build of today's ``data/raw``, whole and undamaged?

``indicators report`` calls :func:`check_processed` before any kernel starts: the raw
inputs recorded in the build manifest are compared with ``data/raw`` (sha256 of every
file), and every processed table the manifest lists is checked (present, same sha256).
Old figures under a new date, or a report made from a damaged table, are never produced:
the command stops with one line (exit 2), or rebuilds first with ``--rebuild``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from indicators.config import Paths
from indicators.errors import IndicatorsError
from indicators.hashing import sha256_file

__all__ = ["StaleData", "check_processed", "staleness"]


class StaleData(IndicatorsError):
    """``data/processed`` is not the build of ``data/raw``, or a table is damaged."""


def _raw_changes(paths: Paths, manifest: Mapping[str, Any]) -> list[str]:
    from indicators.build.provenance import raw_inventory

    recorded = {
        item.get("path"): item.get("sha256")
        for item in manifest.get("raw_inputs", [])
        if isinstance(item, dict)
    }
    current = {item["path"]: item["sha256"] for item in raw_inventory(paths.raw)}

    # Documentation (README.md, PROVENANCE.md) and the list of sums change no figure.
    def counts(name: object) -> bool:
        return not str(name).endswith(".md") and name != "SHA256SUMS"

    recorded = {k: v for k, v in recorded.items() if counts(k)}
    current = {k: v for k, v in current.items() if counts(k)}
    changes = [
        f"data/raw/{name} {'changed' if name in recorded else 'is new'}"
        for name in sorted(current)
        if recorded.get(name) != current[name]
    ]
    changes += [f"data/raw/{name} was removed" for name in sorted(set(recorded) - set(current))]
    return changes


def _table_damage(paths: Paths, manifest: Mapping[str, Any]) -> list[str]:
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        return ["the manifest lists no tables"]
    problems: list[str] = []
    for info in tables.values():
        files = info.get("files", {}) if isinstance(info, dict) else {}
        for file, digest in sorted(files.items()):
            path = paths.processed / file
            if not path.is_file():
                problems.append(f"data/processed/{file} is missing")
            elif sha256_file(path) != digest:
                problems.append(f"data/processed/{file} differs from what the build wrote")
    return problems


def staleness(paths: Paths, manifest: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The raw files that changed since the build, and the damaged or missing tables."""
    return _raw_changes(paths, manifest), _table_damage(paths, manifest)


def check_processed(paths: Paths, manifest: Mapping[str, Any]) -> None:
    """Raise :class:`StaleData` (one line) unless ``data/processed`` is current and whole."""
    changed, damaged = staleness(paths, manifest)
    problems = damaged or changed
    if not problems:
        return
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    what = "is damaged" if damaged else f"is older than data/raw (built {manifest.get('built_at')})"
    raise StaleData(
        f"{paths.processed} {what}: {problems[0]}{more}; run `indicators build`, "
        "or `indicators report --rebuild`"
    )
