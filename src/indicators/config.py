"""Project paths.

Paths are resolved from a project root: the ``INDICATORS_ROOT`` environment variable
when set, otherwise the repository this package was installed from (src layout). Tests
and the CLI's ``--root`` pass another root explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def default_root() -> Path:
    """The project root: ``$INDICATORS_ROOT`` or the source checkout."""
    env = os.environ.get("INDICATORS_ROOT")
    return Path(env).resolve() if env else _PACKAGE_ROOT


@dataclass(frozen=True)
class Paths:
    """Folders of one project tree."""

    root: Path

    @classmethod
    def from_root(cls, root: str | os.PathLike[str] | None = None) -> Paths:
        return cls(Path(root).resolve() if root is not None else default_root())

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
    def convention(self) -> Path:
        return self.raw / "convention" / "convention-divion-2024.txt"
