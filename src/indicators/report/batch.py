"""``indicators report``: run the report notebooks with papermill, export HTML, PDF, index.

The templates in ``notebooks/`` are jupytext ``py:percent`` files that declare, in their
header, which report they make (:mod:`indicators.report.templates`); each is converted to
a notebook in memory and run by papermill with its parameters (one fiche per quartier,
the comparison, the dossier for the comité de pilotage). Everything is written into a staging
folder that replaces ``reports/`` in one move at the end (:func:`indicators.build.storage.
staged_directory`): a killed run leaves the previous reports as they were.

Outputs, in ``reports/``:

- ``<report>.html``: the notebook without code cells and without the parameters cells,
  wrapped in a self-contained page (inline CSS, images embedded as ``data:`` URIs, no
  script, no font or style loaded from the network), with the parameters and the data
  versions in its footer;
- ``dossier-copil.pdf``: the dossier in A4, rendered by WeasyPrint from the same HTML with
  every non-``data:`` URL refused;
- ``notebooks/<report>.ipynb``: the executed notebooks (papermill records the parameters);
- ``index.html`` and ``index.json``: every report with its status, date, parameters, data
  versions and, for a failed one, the cell and the error.

Parameters are checked before any kernel starts: an unknown quartier id raises
:class:`~indicators.errors.ParameterError` listing the valid ids. Notebooks run in
parallel worker processes (``jobs``, default: the number of cores). A failing notebook
does not stop the others; the command then exits with status 1.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from indicators.build.storage import staged_directory
from indicators.config import Paths
from indicators.errors import ParameterError
from indicators.report.execute import (
    ReportResult,
    _avoid_slow_imports,
    _data_info,
    _fork_context,
    _now,
    _run_jobs,
)
from indicators.report.index import (
    INDEX_HTML,
    INDEX_JSON,
    _previous_entries,
    _sort_key,
    error_text,
    write_index,
)
from indicators.report.keep import keep_previous, reports_owned
from indicators.report.plan import (
    _check_parameters,
    _read_quartiers,
    check_selection,
    plan_reports,
)
from indicators.report.templates import declared_parameters, discover_templates, read_template
from indicators.report.workers import stop_workers_on_error, worker_init

EXIT_FAILED = 1


def run_reports(
    paths: Paths,
    quartiers: Sequence[str] | None = None,
    jobs: int | None = None,
    *,
    progress: bool = True,
    echo: Callable[[str], None] | None = None,
    parameters: dict[str, Any] | None = None,
    check: bool = True,
) -> int:
    """Render the reports into ``reports/``; return the exit status (0, or 1 on a failure).

    Load the manifest and the quartiers, discover the templates, plan the runs (checked
    before any kernel starts), execute them, and write the index.

    Parameters
    ----------
    paths
        The project's folders.
    quartiers
        Quartier ids whose fiche to render (the other reports are kept as they were);
        ``None`` or empty: every report (fiches, comparison, dossier).
    jobs
        Notebooks run in parallel (default: the number of cores).
    progress
        Show a progress bar on stderr.
    echo
        Where to print the summary line (default: stdout).
    parameters
        Extra notebook parameters (``annee``, ``date_comite``), given to every template
        that declares them in its parameters cell.
    check
        Refuse stale or damaged processed data before any kernel starts
        (:func:`indicators.report.staleness.check_processed`).

    Raises
    ------
    ParameterError
        Unknown quartier id or invalid ``jobs``, before any kernel starts.
    InputError
        Missing processed tables, territory file or unreadable templates.
    """
    _avoid_slow_imports()  # before jupytext / nbformat import jsonschema
    from indicators.report.tables import load_manifest

    echo = echo or print
    if jobs is not None and jobs < 1:
        raise ParameterError(f"--jobs expects a positive number of processes, got {jobs}")
    manifest = load_manifest(paths)
    territory = paths.territory  # names the commune in the index; checked before any kernel
    names = _read_quartiers(paths)
    quartier_ids = list(names)
    check_selection(quartier_ids, quartiers)  # before the templates are read
    found = discover_templates(paths)
    planned = plan_reports(quartier_ids, quartiers, str(paths.root), names, templates=found)
    by_name = {template.name: template for template in found}
    templates: dict[str, Any] = {}
    template_files: dict[str, str] = {}
    for name in sorted({job.template for job in planned}):
        path = by_name[name].path
        assert path is not None  # discovered templates have a path
        templates[name] = read_template(path)
        template_files[name] = path.relative_to(paths.root).as_posix()
        declared = declared_parameters(templates[name], path)
        for job in planned:
            if job.template == name:
                job.parameters.update(
                    {k: v for k, v in (parameters or {}).items() if k in declared}
                )
                _check_parameters(job, declared, path)

    if check:
        from indicators.report.staleness import check_processed

        check_processed(paths, manifest)  # stale or damaged data: stop before any kernel

    import nbconvert  # noqa: F401  (imported once here, shared by forked workers)
    import papermill  # noqa: F401
    from tqdm import tqdm

    workers = max(1, min(jobs or os.cpu_count() or 1, len(planned)))
    results: list[ReportResult] = []
    kept: list[str] = []
    with staged_directory(paths.reports, (), owned=reports_owned, kept=kept) as staging:
        previous: list[dict[str, Any]] = []
        if quartiers and paths.reports.exists():
            shutil.copytree(paths.reports, staging, dirs_exist_ok=True)
            for name in (INDEX_HTML, INDEX_JSON):
                (staging / name).unlink(missing_ok=True)
            rerun = {job.key for job in planned}
            previous = [e for e in _previous_entries(paths.reports) if e["key"] not in rerun]
        pool = (
            cf.ProcessPoolExecutor(
                max_workers=workers,
                mp_context=_fork_context(),
                initializer=worker_init,
                initargs=(os.getpid(),),
            )
            if workers > 1
            else None
        )
        with stop_workers_on_error(pool):
            stream = _run_jobs(planned, templates, template_files, staging, manifest, pool)
            bar = tqdm(
                total=len(planned),
                desc="indicators report",
                unit="rapport",
                file=sys.stderr,
                disable=not progress,
                dynamic_ncols=True,
            )
            with bar:
                for result in stream:
                    results.append(result)
                    bar.set_postfix_str(f"{result.key}: {result.status}", refresh=False)
                    bar.update(1)
        done = [keep_previous(asdict(r), paths.reports, staging) for r in results]
        entries = [*previous, *done]
        order = [template.name for template in found]
        entries.sort(key=lambda e: _sort_key(e, quartier_ids, order))
        write_index(staging, entries, manifest, _now(), _data_info(manifest), territory)

    if kept:
        echo(f"indicators report: kept files not written by indicators: {', '.join(kept)}")
    failures = [r for r in results if r.status != "ok"]
    kept_versions = {e["key"] for e in done if e.get("previous")}
    for result in failures:
        kept_note = "; its previous version is kept" if result.key in kept_versions else ""
        print(
            f"indicators report: {result.key} failed: {error_text(result.error)}{kept_note}",
            file=sys.stderr,
        )
    echo(
        f"indicators report: {len(results) - len(failures)}/{len(results)} report(s) written "
        f"to {paths.reports} (index: {paths.reports / INDEX_HTML})"
    )
    return EXIT_FAILED if failures else 0


__all__ = ["EXIT_FAILED", "run_reports"]
