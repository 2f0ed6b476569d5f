"""Statistical secrecy: nothing describing fewer than 11 households is published.

The rule is applied once, in the build (:func:`mask_small_cells` on the Filosofi grid),
and checked again (:func:`check_secrecy`) by every export and map that shows grid
figures. Publishing several figures over the same cells (a perimeter and its cells, two
aggregation methods of one perimeter) must not let a reader recover fewer than 11
households by subtraction: :func:`differencing_risks` says which figures to withhold.
It lives in the core so that every stage reads the same threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from indicators.errors import InputError

#: Minimum number of households behind any figure shown or exported (statistical secrecy).
MIN_HOUSEHOLDS = 11
#: Weights (shares of a cell) that differ by less than this are the same weight (1e-4 of
#: a 200 m cell is 4 m²): a perimeter's round trip between projections moves an edge drawn
#: on the lattice by a fraction of a millimetre, which changes edge cells' weights by about
#: 1e-5; that is noise in the shape, not a strip of cells a reader could isolate.
WEIGHT_TOLERANCE = 1e-4
#: Columns of a grid cell (or aggregate) that are figures computed from its households.
GRID_FIGURES = ("ind", "men", "men_pauv", "ind_snv", "log_soc", "log_total")


def _require(df: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"columns {', '.join(missing)}", context=f"table {table!r}")


def mask_small_cells(cells: pd.DataFrame, min_households: int = MIN_HOUSEHOLDS) -> pd.DataFrame:
    """Grid cells with every figure of a cell of fewer than ``min_households`` blanked.

    Adds ``secret`` (bool) and ``part_menages_pauvres`` (%, poor households ÷
    households × 100, « part des ménages pauvres (carroyage) » — not INSEE's poverty
    rate, which counts persons). A cell with fewer than ``min_households`` households,
    or an unknown number of them, keeps its identifier, position and imputation flag;
    its figures become missing (NaN), never 0.

    >>> cells = pd.DataFrame({"men": [8.0, 40.0], "men_pauv": [3.0, 14.0]})
    >>> out = mask_small_cells(cells)
    >>> out["secret"].tolist(), out["part_menages_pauvres"].tolist()[1]
    ([True, False], 35.0)
    >>> bool(out["men"].isna().iloc[0])
    True
    """
    _require(cells, ("men", "men_pauv"), "grid")
    out = cells.copy()
    households = out["men"].astype("float64")
    secret = ~(households >= min_households)
    out["part_menages_pauvres"] = (100 * out["men_pauv"] / households).where(~secret)
    for column in GRID_FIGURES:
        if column in out.columns:
            out[column] = out[column].astype("float64").where(~secret)
    out["secret"] = secret.to_numpy()
    return out


def check_secrecy(df: pd.DataFrame, name: str, min_households: int = MIN_HOUSEHOLDS) -> None:
    """Refuse a table showing a household count (``men``) below ``min_households``.

    A table without a ``men`` column passes; a missing count (masked) passes.

    >>> check_secrecy(pd.DataFrame({"men": [40.0, None]}), "grid")
    >>> check_secrecy(pd.DataFrame({"men": [40.0, 8.0]}), "grid")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    indicators.errors.InputError: column 'men', table 'grid', row 1: expected no figure ...

    Raises
    ------
    InputError
        Naming the table, the 0-based row and the column ``men``.
    """
    if "men" not in df.columns:
        return
    households = pd.to_numeric(df["men"], errors="coerce").to_numpy(dtype="float64")
    small = np.isfinite(households) & (households < min_households)
    if small.any():
        i = int(np.flatnonzero(small)[0])
        raise InputError(
            f"no figure from fewer than {min_households} households "
            "(mask such rows with indicators.secrecy.mask_small_cells)",
            context=f"table {name!r}, row {i}",
            column="men",
            found=format(float(households[i]), "g"),
        )
def differencing_risks(
    figures: Mapping[str, tuple[np.ndarray, np.ndarray]],
    households: np.ndarray,
    published: np.ndarray,
    *,
    groups: Mapping[str, str] | None = None,
    min_households: int = MIN_HOUSEHOLDS,
) -> dict[str, str]:
    """Figures to withhold so that no difference isolates fewer than ``min_households``.

    Each figure is a weighted sum over grid cells, given as ``(cell rows, weights)``. A
    reader who knows the published cells (``published[row]``: the cell's own figures
    are public) and the perimeters can subtract: a figure minus the published cells it
    contains leaves its unpublished cells; two figures of the same perimeter (two
    methods) differ by the cells whose weights differ. Whenever the unpublished cells
    so isolated hold between 1 and ``min_households - 1`` households (full counts,
    whatever the weight), the later figure is withheld.

    Figures are examined in the order given (the first, e.g. the default method, is kept
    when it can be); a withheld figure is not compared with the next ones. ``groups``
    maps each figure to its perimeter: only figures of the same perimeter are compared
    with each other (all of them when ``None``). Weights within
    :data:`WEIGHT_TOLERANCE` of each other (or of 0) are taken as equal.

    Returns
    -------
    dict
        Figure name → French reason, for the figures to withhold.

    Examples
    --------
    Cells 0 and 1 are published (40 and 25 households); cell 2 is a secret strip of 4.
    The centroid figure takes cells 0 and 1; « intersects » takes the strip too: their
    difference would give the strip's 4 households, so « intersects » is withheld.

    >>> men = np.array([40.0, 25.0, 4.0])
    >>> public = men >= MIN_HOUSEHOLDS
    >>> figures = {"centroid": (np.array([0, 1]), np.ones(2)),
    ...            "intersects": (np.array([0, 1, 2]), np.ones(3))}
    >>> list(differencing_risks(figures, men, public))
    ['intersects']
    """
    households = np.nan_to_num(np.asarray(households, dtype=np.float64), nan=0.0)
    hidden = ~np.asarray(published, dtype=bool)
    n = households.size
    kept: list[tuple[str, np.ndarray]] = []
    risks: dict[str, str] = {}
    for name, (rows, weights) in figures.items():
        dense = np.zeros(n)
        np.add.at(dense, np.asarray(rows, dtype=np.int64), np.asarray(weights, dtype=float))
        alone = float(households[(dense > WEIGHT_TOLERANCE) & hidden].sum())
        if 0 < alone < min_households:
            risks[name] = (
                f"retiré : moins les carreaux publiés, isolerait {_count(alone)} ménage(s) "
                f"(moins de {min_households})"
            )
            continue
        for other, other_dense in kept:
            if groups is not None and groups.get(other) != groups.get(name):
                continue
            differ = (np.abs(dense - other_dense) > WEIGHT_TOLERANCE) & hidden
            isolated = float(households[differ].sum())
            if 0 < isolated < min_households:
                risks[name] = (
                    f"retiré : la différence avec « {other} » isolerait {_count(isolated)} "
                    f"ménage(s) (moins de {min_households})"
                )
                break
        else:
            kept.append((name, dense))
    return risks


def _count(value: float) -> str:
    return (
        str(round(value)) if abs(value - round(value)) < 1e-9 else f"{value:.1f}".replace(".", ",")
    )
