"""Project paths and how the project root is found.

The root is found the way git finds a repository: an explicit root (the CLI's ``--root``,
a notebook's ``root`` parameter), else the ``INDICATORS_ROOT`` environment variable, else
the nearest folder at or above the current directory that holds ``data/raw/``. The
location of the installed package plays no part: outside a project,
:class:`~indicators.errors.ProjectNotFound` says so in one line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from indicators.errors import ProjectNotFound
from indicators.territory import Territory, load_territory

ROOT_ENV = "INDICATORS_ROOT"


def find_root(
    root: str | os.PathLike[str] | None = None, *, cwd: str | os.PathLike[str] | None = None
) -> Path:
    """The project root: ``root``, else ``$INDICATORS_ROOT``, else discovery from ``cwd``.

    Parameters
    ----------
    root
        An explicit root, used as given (``None`` or ``""``: not given).
    cwd
        Where discovery starts (default: the current directory).

    Raises
    ------
    ProjectNotFound
        When nothing is given and no folder at or above ``cwd`` holds ``data/raw/``.
    """
    if root is not None and str(root) != "":
        return Path(root).resolve()
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    start = Path.cwd() if cwd is None else Path(cwd)
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "data" / "raw").is_dir():
            return folder
    raise ProjectNotFound(start)


@dataclass(frozen=True)
class Paths:
    """Folders of one project tree."""

    root: Path

    @classmethod
    def from_root(cls, root: str | os.PathLike[str] | None = None) -> Paths:
        """The paths of ``root``, or of the project found by :func:`find_root`."""
        return cls(find_root(root))

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def territory_file(self) -> Path:
        """``data/raw/territory.toml``: the commune, its EPCI and its quartiers."""
        return self.raw / "territory.toml"

    @property
    def territory(self) -> Territory:
        """The checked content of :attr:`territory_file` (read again at each access)."""
        return load_territory(self.territory_file)

    @property
    def convention(self) -> Path:
        """The convention text named by the territory file."""
        return self.raw / self.territory.convention_file
