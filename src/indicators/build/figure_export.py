"""Figures for readers outside Python: PNG (150 dpi) and SVG files.

:func:`save_figure` writes a Matplotlib figure atomically and deterministically (no date
in the metadata, fixed SVG ids); :func:`write_figures` draws and saves every figure of
:mod:`indicators.figures.registry` that the processed tables allow, under its registry
name (``exports/figures/<name>.png``).
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from indicators.build.storage import atomic_write_bytes
from indicators.errors import ParameterError
from indicators.figures import registry
from indicators.territory import Territory

FIGURE_FORMATS = ("png", "svg")
FIGURE_DPI = 150
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def _check_name(name: str, what: str = "file name") -> None:
    if not _NAME.match(name):
        raise ParameterError(
            f"invalid {what} {name!r}; expected letters, digits, '_', '-' or '.' "
            "(no folder, no space)"
        )


def save_figure(
    fig: Figure,
    directory: str | os.PathLike[str],
    name: str,
    *,
    formats: Sequence[str] = FIGURE_FORMATS,
    dpi: int = FIGURE_DPI,
) -> list[Path]:
    """Save ``fig`` as ``<directory>/<name>.png`` (150 dpi) and ``.svg``, atomically.

    The bytes depend only on the figure: no date or software version in the metadata,
    SVG element ids from a fixed salt. SVG text stays text (``<text>`` elements in the
    house font, DejaVu Sans), so labels can be edited in Inkscape or Illustrator.

    Raises
    ------
    ParameterError
        ``name`` is not a plain file name, or a format is not ``png``/``svg``/``pdf``.
    """
    _check_name(name)
    data = figure_bytes(fig, formats=formats, dpi=dpi)
    return [atomic_write_bytes(Path(directory) / f"{name}.{fmt}", data[fmt]) for fmt in formats]


def figure_bytes(
    fig: Figure, *, formats: Sequence[str] = FIGURE_FORMATS, dpi: int = FIGURE_DPI
) -> dict[str, bytes]:
    """The bytes :func:`save_figure` writes, by format (``{"png": …, "svg": …}``)."""
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": "indicators"},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    }
    data: dict[str, bytes] = {}
    for fmt in formats:
        if fmt not in metadata:
            raise ParameterError(f"unknown figure format {fmt!r}; expected png, svg or pdf")
        buffer = io.BytesIO()
        with mpl.rc_context({"svg.hashsalt": "indicators", "svg.fonttype": "none"}):
            fig.savefig(
                buffer,
                format=fmt,
                dpi=dpi,
                bbox_inches="tight",
                pad_inches=0.12,
                facecolor="white",
                metadata=metadata[fmt],
            )
        data[fmt] = buffer.getvalue()
    return data


def figure_names(
    tables: Mapping[str, pd.DataFrame], territory: Territory, rentree: str | None = None
) -> list[str]:
    """The registry's figures for ``tables`` (the one call site of ``figure_names``)."""
    return registry.figure_names(tables, territory=territory, rentree=rentree)


def write_figures(
    tables: Mapping[str, pd.DataFrame],
    directory: str | os.PathLike[str],
    *,
    territory: Territory,
    rentree: str | None = None,
    formats: Sequence[str] = FIGURE_FORMATS,
    dpi: int = FIGURE_DPI,
    jobs: int | None = None,
) -> list[Path]:
    """Every figure of the registry that ``tables`` allow, as PNG and SVG files.

    The names, their order and the drawing come from :mod:`indicators.figures.registry`
    (:func:`~indicators.figures.registry.figure_names`,
    :func:`~indicators.figures.registry.draw`): the reports look the same names up in
    the build manifest. ``rentree`` chooses the rentrée of the IPS maps (default: the
    latest with écoles); ``territory`` names the commune and its EPCI on the figures.
    Figures whose tables are absent are skipped. They are drawn in ``jobs`` worker
    processes (default: one per core; :mod:`indicators.build.figure_jobs`), the files
    written in the registry's order.
    """
    from indicators.build.figure_jobs import start_figures

    directory = Path(directory)
    names = figure_names(tables, territory, rentree)
    batch = start_figures(names, tables, territory, formats=formats, dpi=dpi, jobs=jobs)
    written: list[Path] = []
    for name, data, _ in batch.results():
        _check_name(name)
        written.extend(
            atomic_write_bytes(directory / f"{name}.{fmt}", data[fmt]) for fmt in formats
        )
    return written


def write_alt_texts(
    tables: Mapping[str, pd.DataFrame],
    directory: str | os.PathLike[str],
    *,
    territory: Territory,
    rentree: str | None = None,
) -> Path:
    """The French alt text of every figure :func:`write_figures` draws, in one JSON file.

    ``<directory>/textes_alternatifs.json`` (:data:`~indicators.figures.registry.
    ALT_TEXTS_FILE`): figure name → text, as :func:`~indicators.figures.registry.alt_text`
    writes it from the same tables. The reports embed the build's PNG with this text (their
    kernels then compute no map classes); staff reusing a figure in a document find its
    text alternative beside it.
    """
    texts = {
        name: registry.alt_text(name, tables, territory=territory)
        for name in figure_names(tables, territory, rentree)
    }
    data = json.dumps(texts, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return atomic_write_bytes(Path(directory) / registry.ALT_TEXTS_FILE, data.encode("utf-8"))
