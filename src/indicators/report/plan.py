"""Which notebook runs a batch makes, with which parameters, checked before any kernel.

:func:`plan_reports` expands the discovered templates (:mod:`indicators.report.templates`)
into :class:`ReportJob` runs: every report, or only the per-quartier ones of the
selected quartiers. Unknown quartier ids and parameters a template does not declare are
refused here, before any kernel starts.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indicators.config import Paths
from indicators.errors import InputError, ParameterError
from indicators.report.templates import Template


@dataclass(frozen=True)
class ReportJob:
    """One notebook run: which template, with which parameters, written under which key."""

    key: str
    template: str
    title: str
    parameters: dict[str, Any]
    pdf: bool = False


def _read_quartiers(paths: Paths) -> dict[str, str]:
    """Quartier id → name, in the convention's order."""
    import pyarrow.parquet as pq  # not pandas: the batch's parent needs three columns

    path = paths.processed / "quartiers.parquet"
    if not path.exists():
        raise InputError("the table written by `indicators build` (run it first)", path=path)
    try:
        table = pq.ParquetFile(path)  # read_table would load pyarrow.dataset, and pandas
        columns = table.schema_arrow.names
        wanted = [c for c in ("quartier_id", "name", "line") if c in columns]
        rows = table.read(columns=wanted).to_pylist()
        rows.sort(key=lambda row: row["line"])
        return {row["quartier_id"]: row.get("name", row["quartier_id"]) for row in rows}
    except Exception as error:
        raise InputError(f"a readable Parquet table ({type(error).__name__})", path=path) from error


def check_selection(quartier_ids: Sequence[str], selection: Sequence[str] | None) -> None:
    """Refuse selected quartier ids that are not in ``quartier_ids``.

    >>> check_selection(["q1", "q2"], ["q3"])
    Traceback (most recent call last):
    ...
    indicators.errors.ParameterError: unknown quartier 'q3'; valid ids: q1, q2
    """
    if selection:
        unknown = [q for q in selection if q not in quartier_ids]
        if unknown:
            raise ParameterError(
                f"unknown quartier {', '.join(map(repr, unknown))}; "
                f"valid ids: {', '.join(quartier_ids)}"
            )


def plan_reports(
    quartier_ids: Sequence[str],
    selection: Sequence[str] | None,
    root: str,
    names: Mapping[str, str] | None = None,
    *,
    templates: Sequence[Template],
) -> list[ReportJob]:
    """The runs to do: every report, or only the per-quartier ones of the selection.

    Templates run in their declared order (the dossier first and the fiches last, so
    that the longest runs start first). ``names`` gives the quartiers' names for the
    titles (default: their ids).

    >>> from indicators.report.templates import Template
    >>> fiche = Template("fiche_quartier", "Fiche quartier", per_quartier=True, key="fiche")
    >>> [job.key for job in plan_reports(["q1", "q2"], ["q2"], "", templates=[fiche])]
    ['fiche-q2']

    Raises
    ------
    ParameterError
        For an unknown quartier id (the message lists the valid ids).
    """
    check_selection(quartier_ids, selection)
    chosen = [q for q in quartier_ids if not selection or q in selection]
    names = names or {}
    jobs: list[ReportJob] = []
    for template in templates:
        if not template.per_quartier:
            if not selection:
                jobs.append(
                    ReportJob(
                        template.key, template.name, template.title, {"root": root}, template.pdf
                    )
                )
            continue
        for quartier_id in chosen:
            name = names.get(quartier_id, quartier_id)
            jobs.append(
                ReportJob(
                    f"{template.key}-{quartier_id}",
                    template.name,
                    f"{template.title} — {name}",
                    {"quartier_id": quartier_id, "root": root},
                    template.pdf,
                )
            )
    return jobs


_PYTHON_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool}


def _check_parameters(job: ReportJob, declared: Mapping[str, str], path: Path) -> None:
    for name, value in job.parameters.items():
        if name not in declared:
            raise ParameterError(
                f"{path}: parameter {name!r} is not declared in the parameters cell "
                f"(declared: {', '.join(declared) or 'none'})"
            )
        expected = _PYTHON_TYPES.get(declared[name])
        if expected is not None and not isinstance(value, expected):
            raise ParameterError(
                f"{path}: parameter {name!r} expects {declared[name]}, got {value!r}"
            )


def report_parameters(annee: int | None, date_comite: str | None) -> dict[str, object]:
    """The report parameters of the CLI options, checked (``{}`` when none is given).

    >>> report_parameters(2025, "2026-06-12")
    {'annee': 2025, 'date_comite': '2026-06-12'}
    """
    parameters: dict[str, object] = {}
    if annee is not None:
        if not 2000 <= annee <= 2100:
            raise ParameterError(f"--annee expects a year such as 2025, got {annee}")
        parameters["annee"] = int(annee)
    if date_comite:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_comite):
            raise ParameterError(f"--date-comite expects AAAA-MM-JJ, got {date_comite!r}")
        try:
            _dt.date.fromisoformat(date_comite)
        except ValueError:
            raise ParameterError(f"--date-comite: no such date {date_comite!r}") from None
        parameters["date_comite"] = date_comite
    return parameters


__all__ = ["ReportJob", "check_selection", "plan_reports", "report_parameters"]
