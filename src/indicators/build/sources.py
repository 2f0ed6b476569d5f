"""The registry of raw sources: each input of ``data/raw``, its reader and its tables.

==================================  ========  ============================================
``data/raw/…``                      required  used for
==================================  ========  ============================================
``ips_ecoles/*.csv``                yes       ``ips`` (niveau « ecole », any DEPP layout)
``ips_colleges/*.csv``              yes       ``ips`` (niveau « college »)
``{epci_members}/*.csv``            yes       member communes and population (one file)
``{commune_boundaries}/*``          yes       commune boundaries (one vector file)
``quartier_schools.csv``            no        ``quartier → schools`` stated by the commune
``qpv/*.geojson|gpkg|shp``          no        official QPV contours (2024 or 2015 layout)
``qpv_contours_2024/*.geojson``      shipped   ANCT 2024 contours (simplified copy), used
                                              when ``qpv/`` holds no contour file
``qpv/correspondance.csv``          no        ``quartier_id;code_qp`` (e.g. 2024 ``QN…``)
``perimeters/*.geojson|gpkg``       no        perimeters drawn by the commune
``filosofi/*.csv|gpkg``             no        Filosofi 200 m grid (one file)
``{filosofi_grid}``                  shipped   Filosofi 2021 cells of the quartiers' area,
                                              used when ``filosofi/`` holds no file
``ips_national/*``                  no        DEPP IPS of France (écoles, collèges, lycées)
``filosofi_communes_2021/``         no        Filosofi 2021 by commune (France)
``rp2021_communes/``                no        census 2021 by commune (secondary source)
==================================  ========  ============================================

The folders of the territory's own open data are named in ``data/raw/territory.toml``
(``[raw]``): a path ``{epci_members}``, ``{commune_boundaries}`` or ``{filosofi_grid}`` is a
placeholder that :meth:`Source.folder` resolves against the
:class:`~indicators.territory.Territory`.

:data:`SOURCES` says the same in code: a :class:`Source` per input, grouped in families
that :func:`indicators.build.opendata.build_open_data` reads one after the other.

>>> [s.path for s in SOURCES if s.required]
['ips_ecoles', 'ips_colleges', '{epci_members}', '{commune_boundaries}']
>>> BY_PATH["filosofi"].produces
('grid', 'grid_quartiers')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from indicators.analysis.crosscheck import read_quartier_schools
from indicators.errors import InputError
from indicators.sources.checks import check_pattern, check_unique, refuse_rows
from indicators.sources.commune_stats import read_filosofi_communes, read_rp_communes
from indicators.sources.communes import read_communes, read_epci_members
from indicators.sources.csvfiles import read_insee_csv
from indicators.sources.filosofi import read_filosofi_grid
from indicators.sources.ips import read_ips
from indicators.sources.ips_national import read_ips_national
from indicators.sources.perimeters import read_perimeters
from indicators.sources.qpv import QP_PATTERN, read_qpv_contours
from indicators.territory import Territory

__all__ = ["BY_PATH", "FAMILIES", "SHIPPED_GRID", "SOURCES", "Source", "read_correspondance"]

#: The Filosofi file shipped for the territory (``[raw] filosofi_grid`` of territory.toml;
#: the folder's other files are the tiles it was rebuilt from).
SHIPPED_GRID = "{filosofi_grid}"
VECTOR = (".geojson", ".json", ".gpkg", ".shp")
TABLE = (".csv", ".txt")


def files_in(folder: Path, suffixes: Iterable[str]) -> list[Path]:
    """The visible files of ``folder`` with one of ``suffixes``, sorted (none if no folder)."""
    if not folder.is_dir():
        return []
    wanted = tuple(suffixes)
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in wanted and not p.name.startswith(".")
    )


def one_file(folder: Path, suffixes: Iterable[str], what: str) -> Path:
    """The one file of ``folder`` with one of ``suffixes``; an error for none or several."""
    files = files_in(folder, suffixes)
    if len(files) != 1:
        raise InputError(
            f"exactly one {what} file ({', '.join(suffixes)})",
            path=folder,
            found=", ".join(p.name for p in files) or "none",
        )
    return files[0]


def read_correspondance(path: Path, quartier_ids: list[str]) -> dict[str, str]:
    """``qpv/correspondance.csv``: quartier id → QPV code, for known quartiers only."""
    frame = read_insee_csv(path, required=["quartier_id", "code_qp"], usecols_only=True)
    unknown = ~frame["quartier_id"].isin(quartier_ids)
    expected = f"a known quartier id ({', '.join(sorted(quartier_ids))})"
    refuse_rows(unknown, frame["quartier_id"], expected, path=path, column="quartier_id")
    check_pattern(frame, "code_qp", QP_PATTERN, "a QPV code such as 'QN06201M'", path=path)
    check_unique(frame, ["quartier_id"], path=path)
    return dict(zip(frame["quartier_id"], frame["code_qp"], strict=True))


@dataclass(frozen=True)
class Source:
    """One input of ``data/raw``.

    Attributes
    ----------
    path
        Folder (or file) under ``data/raw``; ``{epci_members}`` and
        ``{commune_boundaries}`` stand for the folders named by the territory.
    family
        The step of :func:`~indicators.build.opendata.build_open_data` that reads it.
    required
        The build fails without it; an optional source that is absent gives a note.
    reader
        The function that reads one of its files.
    produces
        The processed tables it feeds.
    suffixes
        File suffixes read in the folder (empty for a single file).
    """

    path: str
    family: str
    required: bool
    reader: Callable[..., object]
    produces: tuple[str, ...]
    suffixes: tuple[str, ...] = ()

    def folder(self, raw: Path, territory: Territory | None = None) -> Path:
        """``raw / path``, the territory's placeholders filled in.

        Raises
        ------
        InputError
            The path holds a placeholder and no territory is given.
        """
        if "{" not in self.path:
            return raw / self.path
        if territory is None:
            raise InputError("a territory (data/raw/territory.toml)", context=self.path)
        return raw / self.path.format(
            epci_members=territory.epci_members_dir,
            commune_boundaries=territory.commune_boundaries_dir,
            filosofi_grid=territory.filosofi_grid_file or "",
        )

    def files(self, raw: Path, territory: Territory | None = None) -> list[Path]:
        """The source's files under ``raw`` (a file source: itself when it exists)."""
        folder = self.folder(raw, territory)
        if not self.suffixes:
            return [folder] if folder != raw and folder.is_file() else []
        return files_in(folder, self.suffixes)


_IPS_TABLES = ("ips", "ips_communes", "ips_quartiers", "checks")

#: The raw sources, in the order they are read.
SOURCES: tuple[Source, ...] = (
    Source("ips_ecoles", "ips", True, read_ips, _IPS_TABLES, TABLE),
    Source("ips_colleges", "ips", True, read_ips, _IPS_TABLES, TABLE),
    Source("{epci_members}", "epci", True, read_epci_members, ("communes", "ips_communes"), TABLE),
    Source("{commune_boundaries}", "epci", True, read_communes, ("communes",), VECTOR),
    Source(
        "quartier_schools.csv",
        "quartier_schools",
        False,
        read_quartier_schools,
        ("ips_quartiers", "checks"),
    ),
    Source("qpv", "shapes", False, read_qpv_contours, ("quartier_shapes", "communes"), VECTOR),
    Source(
        "qpv/correspondance.csv",
        "shapes",
        False,
        read_correspondance,
        ("quartier_shapes", "communes"),
    ),
    Source(
        "qpv_contours_2024",
        "shapes",
        False,
        read_qpv_contours,
        ("quartier_shapes", "communes", "qpv_contours", "qpv_repairs"),
        VECTOR,
    ),
    Source("perimeters", "shapes", False, read_perimeters, ("quartier_shapes", "communes"), VECTOR),
    Source(
        "filosofi",
        "filosofi",
        False,
        read_filosofi_grid,
        ("grid", "grid_quartiers"),
        (*TABLE, ".gpkg"),
    ),
    Source(
        SHIPPED_GRID,
        "filosofi",
        False,
        read_filosofi_grid,
        ("grid", "grid_quartiers", "grid_quartiers_methods"),
    ),
    Source(
        "ips_national",
        "references",
        False,
        read_ips_national,
        ("ips_echelles", "references", "series"),
        (*TABLE, ".parquet"),
    ),
    Source(
        "filosofi_communes_2021",
        "references",
        False,
        read_filosofi_communes,
        ("communes_indicateurs", "series"),
        TABLE,
    ),
    Source(
        "rp2021_communes",
        "references",
        False,
        read_rp_communes,
        ("communes_indicateurs", "references", "series"),
        TABLE,
    ),
)
BY_PATH: dict[str, Source] = {s.path: s for s in SOURCES}
#: The families of sources, in reading order.
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(s.family for s in SOURCES))
