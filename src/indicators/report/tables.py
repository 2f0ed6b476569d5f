"""The processed tables a report reads, and the quartiers they describe.

:func:`load_tables` reads the tables that ``indicators build`` wrote into
``data/processed`` (:data:`REQUIRED_TABLES` at once, :data:`OPTIONAL_TABLES` on first
use) with the build manifest and the territory (``data/raw/territory.toml``, read on
first use); :func:`quartier_ids` gives the quartiers in the convention's order. Every
other module of :mod:`indicators.report` works on a :class:`Tables`, which is also a
read-only mapping of the tables the build produced (what
:mod:`indicators.figures.registry` takes).

Both lists come from the build's registry of tables (:data:`indicators.build.tables.TABLES`):
the tables marked ``report_required``, then every other table the build writes.

>>> from indicators.report.examples import example_tables
>>> tables = example_tables()
>>> quartier_ids(tables), tables.available()
(['q1'], ['quartiers', 'portrait', 'gaps', 'objectives'])
>>> "gaps" in tables, tables.get("grid") is None
(True, True)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indicators.build.tables import TABLES as _BUILD_TABLES
from indicators.config import Paths
from indicators.errors import InputError, ParameterError
from indicators.territory import Territory, load_territory

if TYPE_CHECKING:  # the batch's parent process reads the manifest, not the tables
    import pandas as pd

#: Tables every report needs (read at once; a missing one stops the report).
REQUIRED_TABLES: tuple[str, ...] = tuple(t.name for t in _BUILD_TABLES if t.report_required)
#: The other tables the build writes to ``data/processed`` (read on first use).
OPTIONAL_TABLES: tuple[str, ...] = tuple(
    t.name for t in _BUILD_TABLES if t.written and not t.report_required
)


class Tables(Mapping[str, "pd.DataFrame"]):
    """The processed tables a report needs, read from ``data/processed``.

    The tables of :data:`REQUIRED_TABLES` (``quartiers``, ``portrait``, ``gaps``,
    ``objectives``) and the build ``manifest`` are read at once. The others
    (:data:`OPTIONAL_TABLES`: ``ips``, ``communes``, ``grid``…) are read on first use (a
    fiche that draws no map never imports geopandas) and are ``None`` when the build did
    not produce them. Every table is an attribute (``tables.gaps``); as a mapping,
    ``tables["gaps"]`` and iteration cover only the tables present.

    ``territory`` names the commune and its EPCI in the reports: a
    :class:`~indicators.territory.Territory`, or the path of its file (read on first use).
    ``processed`` is the build folder the tables come from (``None``: tables built in
    memory, whose figures are drawn rather than read from the build).
    """

    def __init__(
        self,
        quartiers: pd.DataFrame,
        portrait: pd.DataFrame,
        gaps: pd.DataFrame,
        objectives: pd.DataFrame,
        manifest: dict[str, Any] | None = None,
        *,
        territory: Territory | str | os.PathLike[str],
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
        self._territory = territory
        self._processed = processed
        self._optional: dict[str, pd.DataFrame | None] = dict(optional)

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name not in OPTIONAL_TABLES:
            raise AttributeError(name)
        cache = self.__dict__["_optional"]
        if name not in cache:
            cache[name] = _read_optional(self.__dict__["_processed"], name)
        return cache[name]

    @property
    def territory(self) -> Territory:
        """The territory of the reports (its file is read on first use).

        Raises
        ------
        InputError
            The territory file is missing or malformed (one line naming the key).
        """
        if not isinstance(self._territory, Territory):
            self._territory = load_territory(self._territory)
        return self._territory

    @property
    def processed(self) -> Path | None:
        """The ``data/processed`` folder of the build (``None``: tables from memory)."""
        return self._processed

    # --- the mapping of the tables present

    def _present(self, name: str) -> bool:
        if name in REQUIRED_TABLES:
            return True
        if name not in OPTIONAL_TABLES:
            return False
        if name in self._optional:
            return self._optional[name] is not None
        return self._processed is not None and (self._processed / f"{name}.parquet").exists()

    def __getitem__(self, name: str) -> pd.DataFrame:
        table = getattr(self, name) if name in (*REQUIRED_TABLES, *OPTIONAL_TABLES) else None
        if table is None:
            raise KeyError(name)
        return table

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._present(name)

    def __iter__(self) -> Iterator[str]:
        return (name for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES) if self._present(name))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    __eq__ = object.__eq__  # not the mapping's (DataFrames have no truth value)
    __hash__ = object.__hash__

    def available(self) -> list[str]:
        """Names of the tables this build has (required and optional), without reading them."""
        return list(self)


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
        ``indicators build`` first). The territory file is read on first use.
    """
    paths = root if isinstance(root, Paths) else Paths.from_root(root or None)
    found: dict[str, pd.DataFrame] = {}
    for name in REQUIRED_TABLES:
        path = paths.processed / f"{name}.parquet"
        if not path.exists():
            raise InputError("the table written by `indicators build` (run it first)", path=path)
        found[name] = _read(paths.processed, name)
    return Tables(
        **found,
        manifest=load_manifest(paths),
        territory=paths.territory_file,
        processed=paths.processed,
    )


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
