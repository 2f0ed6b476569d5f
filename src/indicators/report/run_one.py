"""``indicators run``: one notebook of ``notebooks/`` with parameters, like papermill.

``indicators run fiche_quartier -p quartier_id cites-6-et-30`` reads the jupytext
``py:percent`` template (:mod:`indicators.report.templates`), checks every ``-p NAME
VALUE`` against the template's parameters cell (unknown name, value not of the annotated
type, unknown quartier id: :class:`~indicators.errors.ParameterError` before any kernel
starts), runs it with papermill (:func:`indicators.report.execute.execute_report`, as the
batch does) and writes the executed notebook and its HTML page (and PDF for a template
that declares ``pdf: true``) beside each other:

- ``-o OUT.ipynb``: the executed notebook (papermill's output), ``OUT.html`` beside it;
- default: ``runs/<report>.ipynb`` under the project root (``runs/`` is git-ignored;
  ``reports/`` belongs to ``indicators report``, which replaces it as a whole).

Any notebook of ``notebooks/`` runs, report template or not (``exploration``). ``root``
is the project's root unless given.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indicators.config import Paths
from indicators.errors import ParameterError
from indicators.report.templates import (
    declared_parameters,
    read_template,
    template_metadata,
    template_path,
)

RUNS_DIR = "runs"
_TRUE, _FALSE = ("true", "1", "yes", "oui", "vrai"), ("false", "0", "no", "non", "faux")


@dataclass(frozen=True)
class RunOutcome:
    """What ``indicators run`` wrote: the files, and the error of a failed notebook."""

    status: str  # "ok" or "failed"
    files: dict[str, Path]
    error: dict[str, Any] | None = None


def convert_value(name: str, value: str, annotation: str) -> Any:
    """The command-line ``value`` of parameter ``name`` as its annotated type.

    >>> convert_value("annee", "2025", "int"), convert_value("pdf", "oui", "bool")
    (2025, True)
    >>> convert_value("annee", "2025.5", "int")
    Traceback (most recent call last):
    ...
    indicators.errors.ParameterError: parameter 'annee' expects int, got '2025.5'
    """
    try:
        if annotation == "int":
            return int(value)
        if annotation == "float":
            return float(value.replace(",", "."))
        if annotation == "bool":
            if value.lower() in _TRUE + _FALSE:
                return value.lower() in _TRUE
            raise ValueError(value)
    except ValueError:
        raise ParameterError(f"parameter {name!r} expects {annotation}, got {value!r}") from None
    return value


def resolve_template(paths: Paths, template: str) -> Path:
    """A template given by name (``fiche_quartier``) or by path (``notebooks/x.py``)."""
    given = Path(template)
    if given.suffix in (".py", ".ipynb") and given.exists():
        return given.resolve()
    return template_path(paths, given.stem if given.suffix else template)


def check_run_parameters(
    paths: Paths, declared: Mapping[str, str], given: Sequence[tuple[str, str]], where: Path
) -> dict[str, Any]:
    """The ``-p NAME VALUE`` pairs as notebook parameters, checked like the batch's.

    Raises
    ------
    ParameterError
        A name the parameters cell does not declare (the message lists those it does),
        a value not of its type, an unknown ``quartier_id`` (the valid ids listed), an
        ``annee`` or ``date_comite`` the batch would refuse.
    """
    from indicators.report.plan import _read_quartiers, check_selection, report_parameters

    parameters: dict[str, Any] = {}
    for name, value in given:
        if name not in declared:
            raise ParameterError(
                f"{where}: parameter {name!r} is not declared in the parameters cell "
                f"(declared: {', '.join(declared) or 'none'})"
            )
        parameters[name] = convert_value(name, value, declared[name])
    if "quartier_id" in parameters:
        check_selection(list(_read_quartiers(paths)), [parameters["quartier_id"]])
    report_parameters(parameters.get("annee") or None, parameters.get("date_comite") or None)
    if "root" in declared:
        parameters.setdefault("root", str(paths.root))
    return parameters


def run_template(
    paths: Paths,
    template: str,
    given: Sequence[tuple[str, str]] = (),
    out: str | Path | None = None,
) -> RunOutcome:
    """Run one notebook with parameters; write the executed ``.ipynb`` and its HTML.

    The files are written under a temporary name and moved into place at the end: a
    run that fails before the kernel starts leaves the previous outputs as they were.
    A notebook that fails in a cell still gets its executed notebook written (as
    papermill does), with the error, and no HTML.
    """
    from indicators.report.execute import _avoid_slow_imports, execute_report
    from indicators.report.plan import ReportJob
    from indicators.report.tables import load_manifest

    _avoid_slow_imports()
    path = resolve_template(paths, template)
    nb = read_template(path)
    declared = declared_parameters(nb, path)
    parameters = check_run_parameters(paths, declared, given, path)
    manifest = load_manifest(paths)
    meta = template_metadata(path.stem, nb.metadata, path)
    key = meta.key if meta else path.stem.replace("_", "-")
    title = meta.title if meta else path.stem
    if meta and meta.per_quartier and "quartier_id" in parameters:
        from indicators.report.plan import _read_quartiers

        quartier = parameters["quartier_id"]
        key = f"{key}-{quartier}"
        title = f"{title} — {_read_quartiers(paths).get(quartier, quartier)}"
    target = Path(out) if out else paths.root / RUNS_DIR / f"{key}.ipynb"
    if target.suffix != ".ipynb":
        raise ParameterError(f"-o expects the path of a .ipynb to write, got {str(target)!r}")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        shown = path.relative_to(paths.root).as_posix()
    except ValueError:
        shown = path.as_posix()
    job = ReportJob(key, path.stem, title, parameters, bool(meta and meta.pdf))
    with tempfile.TemporaryDirectory(prefix=".run-", dir=target.parent) as staging:
        result = execute_report(job, nb, staging, shown, manifest)
        files: dict[str, Path] = {}
        moves = {"notebook": f"notebooks/{key}.ipynb", "html": f"{key}.html", "pdf": f"{key}.pdf"}
        for kind, produced in moves.items():
            source = Path(staging) / produced
            if kind in result.files and source.exists():
                files[kind] = target.with_suffix("." + produced.rsplit(".", 1)[1])
                shutil.move(source, files[kind])
    return RunOutcome(result.status, files, result.error)


def print_outcome(outcome: RunOutcome) -> int:
    """Print what ``indicators run`` wrote (and the error); the exit status (0, or 1)."""
    import sys

    from indicators.report.index import error_text

    written = ", ".join(str(path) for path in outcome.files.values()) or "nothing"
    if outcome.status == "ok":
        print(f"indicators run: {written}")
        return 0
    print(
        f"indicators run: failed: {error_text(outcome.error)} (written: {written})", file=sys.stderr
    )
    return 1


__all__ = [
    "RUNS_DIR",
    "RunOutcome",
    "check_run_parameters",
    "convert_value",
    "print_outcome",
    "run_template",
]
