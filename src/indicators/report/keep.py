"""What a report run keeps: the last good version of a failed report, a person's files.

A run where a report fails does not lose that report: :func:`keep_previous` copies the
last successful version (HTML, PDF, notebook) from the old ``reports/`` into the new one,
and its index entry says it failed, when, and which older version is shown instead.
:func:`reports_owned` lists what the tool wrote in ``reports/``, so that anything else
(a person's notes, a saved copy) is carried over by
:func:`indicators.build.storage.staged_directory`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from indicators.report.index import INDEX_HTML, INDEX_JSON, _previous_entries

__all__ = ["FAILED_NOTEBOOK", "keep_previous", "last_good", "reports_owned"]

FAILED_NOTEBOOK = "notebooks/{key}-echec.ipynb"


def reports_owned(folder: Path) -> set[str]:
    """Relative paths in ``reports/`` written by the tool (index, reports, notebooks)."""
    owned = {INDEX_JSON, INDEX_HTML}
    try:
        data = json.loads((folder / INDEX_JSON).read_text(encoding="utf-8"))
        entries = [e for e in data.get("reports", []) if isinstance(e, dict)]
    except (OSError, ValueError, AttributeError):
        entries = []
    for entry in entries:
        owned |= {str(f) for f in (entry.get("files") or {}).values()}
        key = str(entry.get("key", ""))
        owned |= {f"{key}.html", f"{key}.pdf", f"notebooks/{key}.ipynb"}
        owned.add(FAILED_NOTEBOOK.format(key=key))
    owned |= {p.relative_to(folder).as_posix() for p in folder.glob("notebooks/*.ipynb")}
    return owned


def last_good(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The last successful version an index entry points to (itself if it succeeded)."""
    if entry.get("status") == "ok":
        return {k: entry.get(k) for k in ("finished_at", "data", "files")}
    previous = entry.get("previous")
    return previous if isinstance(previous, dict) else None


def keep_previous(entry: dict[str, Any], old: Path, staging: Path) -> dict[str, Any]:
    """For a failed ``entry``: copy its last good version from ``old`` into ``staging``.

    When there is a version to keep, the failed run's notebook (which shows the error)
    is renamed ``notebooks/<key>-echec.ipynb``; the entry keeps ``status = "failed"`` and gets
    ``previous`` (date, data version and files of the version kept) and those files.
    """
    if entry.get("status") == "ok":
        return entry
    key = entry["key"]
    before = {e["key"]: e for e in _previous_entries(old)}.get(key)
    good = last_good(before) if before else None
    if not good or not good.get("files"):
        return entry  # nothing to keep: the failed notebook stays where it is
    files = dict(entry.get("files") or {})
    failed_nb = files.get("notebook")
    if failed_nb and (staging / failed_nb).exists():
        target = FAILED_NOTEBOOK.format(key=key)
        (staging / failed_nb).replace(staging / target)
        files["notebook"] = target
    entry = {**entry, "files": files}
    copied = {}
    for kind, relative in good["files"].items():
        source = old / relative
        if source.is_file():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, staging / relative)
            copied[kind] = relative
    if not copied:
        return entry
    return {
        **entry,
        "files": {**files, **copied, "failed_notebook": files.get("notebook")}
        if files.get("notebook")
        else {**files, **copied},
        "previous": {**good, "files": copied},
    }
