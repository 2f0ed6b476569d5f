"""Indicators for the quartiers of a French contrat de ville.

The pipeline runs one way: ``data/raw`` → :func:`indicators.build.pipeline.build` →
``data/processed`` → notebooks → ``reports/``. :func:`load` reads the processed tables
of a project, as the notebooks do.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indicators.report.tables import Tables

__version__ = "0.1.0"
__all__ = ["__version__", "load"]


def load(root: str | os.PathLike[str] | None = None) -> Tables:
    """Read the processed tables of a project (``indicators build`` must have run).

    The heavy modules (pandas, the report helpers) are imported on the first call only,
    so that ``import indicators`` and the ``indicators`` command start fast.

    Parameters
    ----------
    root
        The project root. ``None`` (default): ``$INDICATORS_ROOT``, else the nearest
        folder at or above the current directory that holds ``data/raw/``.

    Returns
    -------
    Tables
        The same object the notebooks use
        (:func:`indicators.report.tables.load_tables`): the convention tables and
        the build manifest, the open-data tables read on first use.

    Raises
    ------
    ProjectNotFound
        When no root is given and none is found.
    InputError
        When a table or the manifest is missing or unreadable (run ``indicators build``).
    """
    from indicators.config import Paths
    from indicators.report.tables import load_tables

    return load_tables(Paths.from_root(root))
