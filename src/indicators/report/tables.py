"""The processed tables a report reads, and the quartiers they describe.

:func:`load_tables` reads the tables that ``indicators build`` wrote into
``data/processed`` (:data:`REQUIRED_TABLES` at once, :data:`OPTIONAL_TABLES` on first
use) with the build manifest; :func:`quartier_ids` gives the quartiers in the
convention's order. Every other module of :mod:`indicators.report` works on a
:class:`Tables`.

>>> from indicators.report.examples import example_tables
>>> tables = example_tables()
>>> quartier_ids(tables), tables.available()
(['q1'], ['quartiers', 'portrait', 'gaps', 'objectives'])
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.config import Paths
from indicators.errors import InputError, ParameterError

REQUIRED_TABLES = ("quartiers", "portrait", "gaps", "objectives")

OPTIONAL_TABLES = (
    "ips",
    "ips_communes",
    "ips_quartiers",
    "communes",
    "checks",
    "opendata_notes",
    "quartier_shapes",
    "grid",
    "grid_quartiers",
    "qpv_contours",
    "qpv_repairs",
)


class Tables:
    """The processed tables a report needs, read from ``data/processed``.

    The four convention tables (``quartiers``, ``portrait``, ``gaps``, ``objectives``) and
    the build ``manifest`` are read at once. The open-data tables (``ips``,
    ``ips_communes``, ``ips_quartiers``, ``communes``, ``checks``, ``opendata_notes``,
    ``quartier_shapes``, ``grid``) are read on first use (a fiche that draws no map never
    imports geopandas) and are ``None`` when the build did not produce them.
    """

    def __init__(
        self,
        quartiers: pd.DataFrame,
        portrait: pd.DataFrame,
        gaps: pd.DataFrame,
        objectives: pd.DataFrame,
        manifest: dict[str, Any] | None = None,
        *,
        processed: Path | None = None,
        **optional: pd.DataFrame | None,
    ) -> None:
        unknown = set(optional) - set(OPTIONAL_TABLES)
        if unknown:
            raise TypeError(f"unknown tables: {sorted(unknown)}")
        self.quartiers = quartiers
        self.portrait = portrait
        self.gaps = gaps
        self.objectives = objectives
        self.manifest: dict[str, Any] = manifest or {}
        self._processed = processed
        self._optional: dict[str, pd.DataFrame | None] = dict(optional)

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name not in OPTIONAL_TABLES:
            raise AttributeError(name)
        cache = self.__dict__["_optional"]
        if name not in cache:
            cache[name] = _read_optional(self.__dict__["_processed"], name)
        return cache[name]

    def available(self) -> list[str]:
        """Names of the tables this build has (required and optional)."""
        return [*REQUIRED_TABLES, *(n for n in OPTIONAL_TABLES if getattr(self, n) is not None)]


def _read(processed: Path, name: str) -> pd.DataFrame:
    from indicators.build.storage import read_table

    path = processed / f"{name}.parquet"
    try:
        return read_table(processed, name)
    except Exception as error:  # pyarrow / geopandas errors on a damaged file
        raise InputError(f"a readable Parquet table ({type(error).__name__})", path=path) from error


def _read_optional(processed: Path | None, name: str) -> pd.DataFrame | None:
    if processed is None or not (processed / f"{name}.parquet").exists():
        return None
    return _read(processed, name)


# --------------------------------------------------------------------------- reading


def load_tables(root: str | os.PathLike[str] | Paths | None = None) -> Tables:
    """Read the processed tables and the build manifest of a project.

    Parameters
    ----------
    root
        Project root (``""`` or ``None``: this checkout), or a :class:`Paths`.

    Raises
    ------
    InputError
        When a required table or the manifest is missing or unreadable (run
        ``indicators build`` first).
    """
    paths = root if isinstance(root, Paths) else Paths.from_root(root or None)
    found: dict[str, pd.DataFrame] = {}
    for name in REQUIRED_TABLES:
        path = paths.processed / f"{name}.parquet"
        if not path.exists():
            raise InputError("the table written by `indicators build` (run it first)", path=path)
        found[name] = _read(paths.processed, name)
    return Tables(**found, manifest=load_manifest(paths), processed=paths.processed)


def load_manifest(root: str | os.PathLike[str] | Paths | None = None) -> dict[str, Any]:
    """The build manifest (``data/processed/manifest.json``) as a dict."""
    paths = root if isinstance(root, Paths) else Paths.from_root(root or None)
    path = paths.processed / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            "the manifest written by `indicators build` (run it first)", path=path
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"a JSON manifest ({error})", path=path) from error


# --------------------------------------------------------------------------- quartiers


def _quartier(tables: Tables, quartier_id: str) -> pd.Series:
    rows = tables.quartiers[tables.quartiers["quartier_id"] == quartier_id]
    if rows.empty:
        valid = ", ".join(tables.quartiers["quartier_id"])
        raise ParameterError(f"unknown quartier {quartier_id!r}; valid ids: {valid}")
    return rows.iloc[0]


def quartier_ids(tables: Tables) -> list[str]:
    """Quartier ids in the convention's order."""
    return list(tables.quartiers.sort_values("line")["quartier_id"])


__all__ = [
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "Tables",
    "load_manifest",
    "load_tables",
    "quartier_ids",
]
