"""Running the report notebooks: one papermill run and its export per job, in parallel.

:func:`execute_report` runs one notebook and writes its HTML (and PDF) into the staging
folder; it never raises on a notebook error, which it records in its
:class:`ReportResult`. :func:`_run_jobs` runs every job, in forked worker processes or
in this one, and yields the results as they finish.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import datetime as _dt
import multiprocessing
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indicators.build.storage import atomic_write_bytes
from indicators.errors import ReportError
from indicators.report.page import external_references, html_to_pdf, notebook_body_html, page_html
from indicators.report.plan import ReportJob
from indicators.report.templates import KERNEL_NAME

CELL_TIMEOUT_S = 600
# Kernel options: no "running over TCP" warning nor "KeyboardInterrupt caught" (the
# interrupt jupyter_client sends at shutdown) on the console for every notebook; errors
# in cells are still reported, by the notebook's own outputs.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL",)


@dataclass
class ReportResult:
    """What one run produced (one row of the index)."""

    key: str
    template: str
    title: str
    parameters: dict[str, Any]
    status: str  # "ok" or "failed"
    started_at: str
    finished_at: str
    duration_s: float
    files: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    data: dict[str, Any] = field(default_factory=dict)


def _now() -> str:
    return _dt.datetime.now(tz=_dt.UTC).replace(microsecond=0).isoformat()


def _data_info(manifest: Mapping[str, Any]) -> dict[str, Any]:
    from indicators.report.provenance import data_fingerprint

    return {
        "built_at": manifest.get("built_at"),
        "version": manifest.get("version"),
        "fingerprint": data_fingerprint(manifest),
    }


def _template_cell_number(template: Any, source: str) -> int | None:
    for number, cell in enumerate(template.cells, start=1):
        if cell.cell_type == "code" and cell.source == source:
            return number
    return None


def _first_line(source: str) -> str:
    lines = [line for line in source.splitlines() if line.strip()]
    text = lines[0].strip() if lines else ""
    return text if len(text) <= 90 else text[:87] + "..."


def execute_report(
    job: ReportJob,
    template: Any,
    staging: str,
    template_file: str,
    manifest: Mapping[str, Any],
    keep_kernel: bool = False,
) -> ReportResult:
    """Run one notebook, then export its HTML (and PDF); never raises on a notebook error.

    The executed notebook goes to ``<staging>/notebooks/<key>.ipynb``; the HTML and PDF
    to ``<staging>/<key>.html`` / ``.pdf``. With ``keep_kernel``, the notebook runs in
    this process's kept kernel, reset first (:mod:`indicators.report.kernels`); otherwise
    in a kernel of its own, shut down at the end.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from indicators.report.kernels import execute_in_kept_kernel
    from indicators.report.warmup import start_warmup

    staging_dir = Path(staging)
    started, clock = _now(), time.perf_counter()
    warmup = start_warmup(job.pdf)  # the exporters get ready while the kernel works
    notebook_file = staging_dir / "notebooks" / f"{job.key}.ipynb"
    notebook_file.parent.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    error: dict[str, Any] | None = None
    try:
        run = execute_in_kept_kernel if keep_kernel else papermill.execute_notebook
        nb = run(
            copy.deepcopy(template),
            str(notebook_file),
            parameters=dict(job.parameters),
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=CELL_TIMEOUT_S,
            extra_arguments=list(KERNEL_ARGUMENTS),
            # The notebook has written everything it had to: stop the kernel at once
            # instead of waiting for its graceful exit (about 0.1 s per notebook).
            shutdown_kernel="immediate",
        )
        files["notebook"] = notebook_file.relative_to(staging_dir).as_posix()
    except PapermillExecutionError as failure:
        files["notebook"] = notebook_file.relative_to(staging_dir).as_posix()
        error = {
            "stage": "exécution",
            "template": template_file,
            "cell": _template_cell_number(template, failure.source),
            "source": _first_line(failure.source),
            "ename": failure.ename,
            "evalue": str(failure.evalue).splitlines()[0] if failure.evalue else "",
        }
    except Exception as failure:  # kernel died, timeout, papermill error
        error = {
            "stage": "exécution",
            "template": template_file,
            "cell": None,
            "source": "",
            "ename": type(failure).__name__,
            "evalue": (str(failure).strip().splitlines() or [""])[0],
        }
    warmup.join()
    if error is None:
        try:
            from indicators.report.provenance import data_version_fr, format_datetime_fr

            finished = _now()
            # What officials read: no template name, parameter or hash (those are in
            # the index and the page's metadata).
            footer = [
                f"{job.title} — rapport produit le {format_datetime_fr(finished)}.",
                "Version des données : " + data_version_fr(manifest).split(", empreinte")[0] + ".",
            ]
            meta = {
                "report": job.key,
                "template": template_file,
                "parameters": {k: v for k, v in job.parameters.items() if k != "root"},
                "data": _data_info(manifest),
                "generated_at": finished,
            }
            page = page_html(job.title, notebook_body_html(nb), footer, meta, job.template)
            outside = external_references(page)
            if outside:
                raise ReportError(f"{job.key}: the HTML would load {outside[0][2]!r} from outside")
            atomic_write_bytes(staging_dir / f"{job.key}.html", page.encode("utf-8"))
            files["html"] = f"{job.key}.html"
            if job.pdf:
                atomic_write_bytes(staging_dir / f"{job.key}.pdf", html_to_pdf(page))
                files["pdf"] = f"{job.key}.pdf"
        except Exception as failure:
            error = {
                "stage": "export",
                "template": template_file,
                "cell": None,
                "source": "",
                "ename": type(failure).__name__,
                "evalue": (str(failure).strip().splitlines() or [""])[0],
            }
    return ReportResult(
        key=job.key,
        template=job.template,
        title=job.title,
        parameters={k: v for k, v in job.parameters.items() if k != "root"},
        status="ok" if error is None else "failed",
        started_at=started,
        finished_at=_now(),
        duration_s=round(time.perf_counter() - clock, 2),
        files=files,
        error=error,
        data=_data_info(manifest),
    )


def _avoid_slow_imports() -> None:
    """Skip the ``rfc3987_syntax`` import that ``jsonschema`` attempts at import time.

    When JupyterLab is installed in the same environment, ``jsonschema[format-nongpl]``
    brings ``rfc3987-syntax``, whose import (a grammar build) costs about a second in every
    process that imports ``nbformat``. Notebooks are validated with ``fastjsonschema`` and
    never use IRI format checks, so the batch does not need it. Only applies when
    ``jsonschema`` has not been imported yet.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _fork_context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _failed_result(
    job: ReportJob, failure: BaseException, manifest: Mapping[str, Any]
) -> ReportResult:
    now = _now()
    return ReportResult(
        job.key,
        job.template,
        job.title,
        {k: v for k, v in job.parameters.items() if k != "root"},
        "failed",
        now,
        now,
        0.0,
        error={
            "stage": "exécution",
            "template": "",
            "cell": None,
            "source": "",
            "ename": type(failure).__name__,
            "evalue": (str(failure).strip().splitlines() or [""])[0],
        },
        data=_data_info(manifest),
    )


def _run_jobs(
    jobs: Sequence[ReportJob],
    templates: Mapping[str, Any],
    template_files: Mapping[str, str],
    staging: Path,
    manifest: Mapping[str, Any],
    pool: cf.ProcessPoolExecutor | None,
) -> Iterator[ReportResult]:
    """Each job's result as it finishes: in ``pool``, or in this process when ``None``.

    With a pool, every job is submitted before this returns, so the worker processes
    are forked before any other thread (the progress bar's) starts. Each process runs its
    notebooks in one kernel, reset between them (:mod:`indicators.report.kernels`).
    """
    args = {
        job.key: (
            job,
            templates[job.template],
            str(staging),
            template_files[job.template],
            dict(manifest),
            True,  # each process keeps its kernel from one notebook to the next
        )
        for job in jobs
    }
    if pool is None:

        def in_process() -> Iterator[ReportResult]:
            from indicators.report.kernels import shutdown_kept_kernel

            try:
                for job in jobs:
                    yield execute_report(*args[job.key])
            finally:
                shutdown_kept_kernel()

        return in_process()
    futures = {pool.submit(execute_report, *args[job.key]): job for job in jobs}
    from indicators.report.warmup import start_index_warmup

    start_index_warmup()  # the workers are forked: no thread is copied into them

    def collect() -> Iterator[ReportResult]:
        for future in cf.as_completed(futures):
            try:
                yield future.result()
            except Exception as failure:  # a worker process died
                yield _failed_result(futures[future], failure, manifest)

    return collect()


__all__ = ["CELL_TIMEOUT_S", "KERNEL_ARGUMENTS", "ReportResult", "execute_report"]
