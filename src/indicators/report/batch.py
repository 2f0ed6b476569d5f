"""``indicators report``: run the report notebooks with papermill, export HTML, PDF, index.

The templates in ``notebooks/`` are jupytext ``py:percent`` files; each is converted to a
notebook in memory and run by papermill with its parameters (one fiche per quartier, the
comparison, the dossier for the comité de pilotage). Everything is written into a staging
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

import ast
import concurrent.futures as cf
import contextlib
import copy
import datetime as _dt
import functools
import html
import json
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from indicators import __version__
from indicators.build.storage import atomic_write_bytes, staged_directory
from indicators.config import Paths
from indicators.errors import InputError, ParameterError, ReportError

KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 600
EXIT_FAILED = 1
INDEX_JSON = "index.json"
INDEX_HTML = "index.html"
# Cells that never appear in a report: papermill's parameters and its error banners.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "papermill-error-cell-tag"})
# Kernel options: no "running over TCP" warning nor "KeyboardInterrupt caught" (the
# interrupt jupyter_client sends at shutdown) on the console for every notebook; errors
# in cells are still reported, by the notebook's own outputs.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL",)


@dataclass(frozen=True)
class Template:
    """A report notebook template and the titles of the reports made from it."""

    name: str
    title: str
    pdf: bool = False


TEMPLATES: dict[str, Template] = {
    "dossier_copil": Template("dossier_copil", "Dossier du comité de pilotage", pdf=True),
    "comparaison": Template("comparaison", "Comparaison des quartiers"),
    "fiche_quartier": Template("fiche_quartier", "Fiche quartier"),
}


@dataclass(frozen=True)
class ReportJob:
    """One notebook run: which template, with which parameters, written under which key."""

    key: str
    template: str
    title: str
    parameters: dict[str, Any]
    pdf: bool = False


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


# --------------------------------------------------------------------------- templates


def template_path(paths: Paths, name: str) -> Path:
    """``notebooks/<name>.py`` (jupytext py:percent) or, failing that, ``<name>.ipynb``."""
    for suffix in (".py", ".ipynb"):
        path = paths.notebooks / f"{name}{suffix}"
        if path.exists():
            return path
    raise InputError(
        "a notebook template (jupytext py:percent .py or .ipynb)",
        path=paths.notebooks / f"{name}.py",
    )


def read_template(path: str | os.PathLike[str]) -> Any:
    """Read a template as a notebook (py:percent converted in memory by jupytext)."""
    path = Path(path)
    try:
        if path.suffix == ".py":
            import jupytext

            nb = jupytext.read(path, fmt="py:percent")
        else:
            import nbformat

            nb = nbformat.read(path, as_version=4)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(f"a readable notebook ({error})", path=path) from error
    nb.metadata.setdefault(
        "kernelspec", {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    )
    return nb


def declared_parameters(nb: Any, path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Names and annotated types of the ``parameters`` cell (the first code cell).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells.append(nbformat.v4.new_code_cell(
    ...     'root: str = ""  # project root', metadata={"tags": ["parameters"]}))
    >>> declared_parameters(nb)
    {'root': 'str'}
    """
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if not code or "parameters" not in code[0].get("metadata", {}).get("tags", []):
        raise InputError("a first code cell tagged 'parameters'", path=path)
    try:
        tree = ast.parse(code[0].source)
    except SyntaxError as error:
        raise InputError(
            "a parameters cell of typed assignments", path=path, line=error.lineno
        ) from error
    declared = {}
    for node in tree.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            raise InputError(
                "one typed assignment per line (name: type = value  # help)",
                path=path,
                context=f"parameters cell line {node.lineno}",
            )
        declared[node.target.id] = ast.unparse(node.annotation)
    return declared


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


# --------------------------------------------------------------------------- planning


def _read_quartiers(paths: Paths) -> dict[str, str]:
    """Quartier id → name, in the convention's order."""
    from indicators.build.storage import read_table

    path = paths.processed / "quartiers.parquet"
    if not path.exists():
        raise InputError("the table written by `indicators build` (run it first)", path=path)
    try:
        table = read_table(paths.processed, "quartiers")
    except Exception as error:
        raise InputError(f"a readable Parquet table ({type(error).__name__})", path=path) from error
    table = table.sort_values("line")
    names = table["name"] if "name" in table.columns else table["quartier_id"]
    return dict(zip(table["quartier_id"], names, strict=True))


def plan_reports(
    quartier_ids: Sequence[str],
    selection: Sequence[str] | None,
    root: str,
    names: Mapping[str, str] | None = None,
) -> list[ReportJob]:
    """The runs to do: every report, or only the fiches of the selected quartiers.

    The dossier comes first and the fiches last, so that the longest runs start first.
    ``names`` gives the quartiers' names for the titles (default: their ids).

    Raises
    ------
    ParameterError
        For an unknown quartier id (the message lists the valid ids).
    """
    if selection:
        unknown = [q for q in selection if q not in quartier_ids]
        if unknown:
            raise ParameterError(
                f"unknown quartier {', '.join(map(repr, unknown))}; "
                f"valid ids: {', '.join(quartier_ids)}"
            )
    jobs: list[ReportJob] = []
    if not selection:
        jobs.append(
            ReportJob(
                "dossier-copil",
                "dossier_copil",
                TEMPLATES["dossier_copil"].title,
                {"root": root},
                pdf=True,
            )
        )
        jobs.append(
            ReportJob("comparaison", "comparaison", TEMPLATES["comparaison"].title, {"root": root})
        )
    chosen = [q for q in quartier_ids if not selection or q in selection]
    names = names or {}
    for quartier_id in chosen:
        name = names.get(quartier_id, quartier_id)
        jobs.append(
            ReportJob(
                f"fiche-{quartier_id}",
                "fiche_quartier",
                f"{TEMPLATES['fiche_quartier'].title} — {name}",
                {"quartier_id": quartier_id, "root": root},
            )
        )
    return jobs


# --------------------------------------------------------------------------- HTML and PDF

_CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif;
  color: #1a1a1a; max-width: 60rem; margin: 0 auto; padding: 1.5rem; line-height: 1.45;
  font-size: 11pt; }
h1 { font-size: 1.7em; margin: 0.2em 0; color: #123b69; }
h2 { font-size: 1.35em; margin-top: 1.6em; border-bottom: 2px solid #123b69;
  color: #123b69; }
h3 { font-size: 1.15em; margin-top: 1.3em; color: #123b69; }
h4, h5 { font-size: 1em; margin-top: 1em; }
h1, h2, h3, h4, h5 { break-after: avoid; page-break-after: avoid; }
p.subtitle { margin-top: 0; color: #444; font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; width: 100%; font-size: 0.9em; }
caption { text-align: left; font-weight: bold; margin-bottom: 0.3em; }
th, td { border: 1px solid #b8c2cc; padding: 0.25em 0.45em; text-align: left;
  vertical-align: top; }
thead th { background: #e8eef4; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
img, svg { max-width: 100%; height: auto; }
.caveat { border-left: 5px solid #b35900; background: #fff4e5; padding: 0.4em 0.8em;
  margin: 0.8em 0; }
.caveat ul { margin: 0.3em 0; }
.muted { color: #555; font-style: italic; }
ul.objectives > li { margin-bottom: 0.5em; }
pre { white-space: pre-wrap; font-size: 0.85em; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
footer.report-meta { margin-top: 2.5em; border-top: 1px solid #b8c2cc; padding-top: 0.5em;
  font-size: 0.8em; color: #444; }
.status-ok { color: #1b5e20; font-weight: bold; }
.status-failed { color: #b00020; font-weight: bold; }
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-center { content: "page " counter(page) " / " counter(pages);
    font-size: 8pt; color: #555; } }
figure.chart { margin: 0.8em 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart img { width: 100%; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  figure.chart img { max-height: 235mm; width: auto; max-width: 100%; }
  body.dossier_copil h2 { break-before: page; page-break-before: always; }
  body.dossier_copil figure.map img { max-height: 100mm; }
  section.quartier ~ section.quartier { break-before: page; page-break-before: always; }
  a { color: inherit; text-decoration: none; }
}
"""


def _tags(cell: Any) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def notebook_body_html(nb: Any) -> str:
    """The outputs and text of an executed notebook as an HTML fragment.

    Code cells' inputs, the parameters and injected-parameters cells, papermill's error
    banners and ``stderr`` streams (warnings) are left out.
    """
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if not (_tags(cell) & HIDDEN_TAGS)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    body, _ = _exporter().from_notebook_node(nb)
    return body


@functools.cache
def _exporter() -> Any:
    """One nbconvert exporter per process (its Jinja templates are compiled once)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )


def page_html(
    title: str,
    body: str,
    footer: Sequence[str],
    meta: Mapping[str, Any],
    kind: str = "",
) -> str:
    """A complete, self-contained French HTML page around ``body``.

    ``footer`` lines are plain text (escaped here); ``meta`` is recorded as JSON in a
    ``<meta name="indicators-report">`` element for machines; ``kind`` (the template
    name) is the ``<body>`` class, for print rules specific to one report.
    """
    lines = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in footer)
    meta_json = html.escape(json.dumps(meta, ensure_ascii=False, sort_keys=True))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="indicators {html.escape(__version__)}">\n'
        f'<meta name="indicators-report" content="{meta_json}">\n'
        f"<title>{html.escape(title, quote=False)}</title>\n"
        f'<style>{_CSS}</style>\n</head>\n<body class="{html.escape(kind)}">\n'
        f"<main>\n{body}\n</main>\n"
        f'<footer class="report-meta">{lines}</footer>\n</body>\n</html>\n'
    )


class _ReferenceFinder(HTMLParser):
    """Collects the URLs an HTML page would load or link to (``src``, ``href``...)."""

    ATTRIBUTES = frozenset({"src", "href", "data", "poster", "srcset", "action"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.references.append((tag, name, value.strip()))


def external_references(page: str) -> list[tuple[str, str, str]]:
    """``(tag, attribute, url)`` for every reference in ``page`` that is not local.

    Local means: a ``data:`` URI, a fragment (``#x``) or a relative path; ``@import`` and
    ``url(...)`` in inline styles count as well.

    >>> external_references('<img src="data:image/png;base64,AA"><a href="fiche.html">x</a>')
    []
    >>> external_references('<script src="https://cdn.example/x.js"></script>')
    [('script', 'src', 'https://cdn.example/x.js')]
    """
    import re

    finder = _ReferenceFinder()
    finder.feed(page)
    found = [
        (tag, name, url)
        for tag, name, url in finder.references
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", url, re.I) and not url.startswith("data:")
    ]
    for url in re.findall(r"(?:@import\s+(?:url\(\s*)?|url\(\s*)['\"]?([^'\")\s;]+)", page):
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", url, re.I) and not url.startswith("data:"):
            found.append(("style", "url", url))
    return found


def html_to_pdf(page: str) -> bytes:
    """An A4 PDF of ``page`` (WeasyPrint); any URL other than ``data:`` is refused."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=page, url_fetcher=fetcher).write_pdf()


# --------------------------------------------------------------------------- running


def _now() -> str:
    return _dt.datetime.now(tz=_dt.UTC).replace(microsecond=0).isoformat()


def _data_info(manifest: Mapping[str, Any]) -> dict[str, Any]:
    from indicators.report.present import data_fingerprint

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
) -> ReportResult:
    """Run one notebook, then export its HTML (and PDF); never raises on a notebook error.

    The executed notebook goes to ``<staging>/notebooks/<key>.ipynb``; the HTML and PDF
    to ``<staging>/<key>.html`` / ``.pdf``.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from indicators.report.present import data_version_fr, format_datetime_fr

    staging_dir = Path(staging)
    started, clock = _now(), time.perf_counter()
    notebook_file = staging_dir / "notebooks" / f"{job.key}.ipynb"
    notebook_file.parent.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    error: dict[str, Any] | None = None
    try:
        nb = papermill.execute_notebook(
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
    if error is None:
        try:
            finished = _now()
            footer = [
                f"{job.title} — rapport produit le {format_datetime_fr(finished)} à partir de "
                f"{template_file}.",
                "Paramètres : "
                + ", ".join(
                    f"{k} = {v!r}" for k, v in sorted(job.parameters.items()) if k != "root"
                )
                if len(job.parameters) > 1
                else "Paramètres : aucun (tous les quartiers).",
                "Version des données : " + data_version_fr(manifest) + ".",
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
    are forked before any other thread (the progress bar's) starts.
    """
    args = {
        job.key: (
            job,
            templates[job.template],
            str(staging),
            template_files[job.template],
            dict(manifest),
        )
        for job in jobs
    }
    if pool is None:
        return (execute_report(*args[job.key]) for job in jobs)
    futures = {pool.submit(execute_report, *args[job.key]): job for job in jobs}

    def collect() -> Iterator[ReportResult]:
        for future in cf.as_completed(futures):
            try:
                yield future.result()
            except Exception as failure:  # a worker process died
                yield _failed_result(futures[future], failure, manifest)

    return collect()


# --------------------------------------------------------------------------- index


def _sort_key(entry: Mapping[str, Any], quartier_order: Sequence[str]) -> tuple[int, int, str]:
    rank = list(TEMPLATES).index(entry["template"]) if entry["template"] in TEMPLATES else 9
    quartier = entry.get("parameters", {}).get("quartier_id")
    position = quartier_order.index(quartier) if quartier in quartier_order else 0
    return rank, position, entry["key"]


def error_text(error: Mapping[str, Any] | None) -> str:
    """One French line: where a report failed and with which error."""
    if not error:
        return ""
    where = f"{error.get('stage', 'exécution')}"
    if error.get("cell"):
        where += f", cellule {error['cell']} de {error.get('template', '')}"
        if error.get("source"):
            where += f" (« {error['source']} »)"
    detail = error.get("ename", "")
    if error.get("evalue"):
        detail += f" : {error['evalue']}"
    return f"échec à l'étape {where} — {detail}"


def index_html(entries: Sequence[Mapping[str, Any]], manifest: Mapping[str, Any]) -> str:
    """The French ``index.html``: every report, its status, date, parameters, data."""
    from indicators.report.present import data_version_fr, format_datetime_fr

    rows = []
    for entry in entries:
        files = entry.get("files", {})
        title = html.escape(entry["title"], quote=False)
        link = f'<a href="{html.escape(files["html"])}">{title}</a>' if "html" in files else title
        if "pdf" in files:
            link += f' · <a href="{html.escape(files["pdf"])}">PDF</a>'
        if "notebook" in files:
            link += f' · <a href="{html.escape(files["notebook"])}">notebook</a>'
        ok = entry["status"] == "ok"
        status = (
            '<span class="status-ok">réussi</span>'
            if ok
            else '<span class="status-failed">échec</span>'
        )
        params = ", ".join(f"{k} = {v}" for k, v in sorted(entry.get("parameters", {}).items()))
        data = entry.get("data", {})
        data_text = (
            f"construites le {format_datetime_fr(data.get('built_at'))}, "
            f"version {data.get('version')}, empreinte {data.get('fingerprint')}"
        )
        rows.append(
            "<tr>"
            f"<td>{link}</td><td>{status}</td>"
            f"<td>{html.escape(format_datetime_fr(entry.get('finished_at')), quote=False)}</td>"
            f"<td>{html.escape(params or 'aucun', quote=False)}</td>"
            f"<td>{html.escape(data_text, quote=False)}</td>"
            f"<td>{html.escape(error_text(entry.get('error')), quote=False)}</td>"
            "</tr>"
        )
    failed = sum(entry["status"] != "ok" for entry in entries)
    summary = (
        f"{len(entries)} rapport(s), dont {failed} en échec."
        if failed
        else f"{len(entries)} rapport(s), tous réussis."
    )
    body = (
        "<h1>Rapports du contrat de ville — Divion</h1>"
        f"<p>{html.escape(summary, quote=False)} Données actuelles : "
        f"{html.escape(data_version_fr(manifest), quote=False)}.</p>"
        '<table class="table"><thead><tr><th>Rapport</th><th>Statut</th><th>Produit le</th>'
        "<th>Paramètres</th><th>Données</th><th>Erreur</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    footer = [f"Index produit par indicators {__version__}."]
    return page_html("Rapports du contrat de ville — Divion", body, footer, {"reports": len(rows)})


def _previous_entries(reports: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads((reports / INDEX_JSON).read_text(encoding="utf-8"))
        return [e for e in data.get("reports", []) if isinstance(e, dict) and "key" in e]
    except (OSError, ValueError, AttributeError):
        return []


# --------------------------------------------------------------------------- entry point


def run_reports(
    paths: Paths,
    quartiers: Sequence[str] | None = None,
    jobs: int | None = None,
    *,
    progress: bool = True,
    echo: Callable[[str], None] | None = None,
) -> int:
    """Render the reports into ``reports/``; return the exit status (0, or 1 on a failure).

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

    Raises
    ------
    ParameterError
        Unknown quartier id or invalid ``jobs``, before any kernel starts.
    InputError
        Missing processed tables or unreadable templates.
    """
    _avoid_slow_imports()  # before jupytext / nbformat import jsonschema
    from indicators.report.present import load_manifest

    echo = echo or print
    if jobs is not None and jobs < 1:
        raise ParameterError(f"--jobs expects a positive number of processes, got {jobs}")
    manifest = load_manifest(paths)
    names = _read_quartiers(paths)
    quartier_ids = list(names)
    planned = plan_reports(quartier_ids, quartiers, str(paths.root), names)
    templates, template_files = {}, {}
    for name in sorted({job.template for job in planned}):
        path = template_path(paths, name)
        templates[name] = read_template(path)
        template_files[name] = path.relative_to(paths.root).as_posix()
        declared = declared_parameters(templates[name], path)
        for job in planned:
            if job.template == name:
                _check_parameters(job, declared, path)

    import nbconvert  # noqa: F401  (imported once here, shared by forked workers)
    import papermill  # noqa: F401
    from tqdm import tqdm

    workers = max(1, min(jobs or os.cpu_count() or 1, len(planned)))
    results: list[ReportResult] = []
    with staged_directory(paths.reports) as staging:
        previous: list[dict[str, Any]] = []
        if quartiers and paths.reports.exists():
            shutil.copytree(paths.reports, staging, dirs_exist_ok=True)
            for name in (INDEX_HTML, INDEX_JSON):
                (staging / name).unlink(missing_ok=True)
            rerun = {job.key for job in planned}
            previous = [e for e in _previous_entries(paths.reports) if e["key"] not in rerun]
        pool = (
            cf.ProcessPoolExecutor(max_workers=workers, mp_context=_fork_context())
            if workers > 1
            else None
        )
        with pool or contextlib.nullcontext():
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
        entries = [*previous, *(asdict(r) for r in results)]
        entries.sort(key=lambda e: _sort_key(e, quartier_ids))
        index = {"generated_at": _now(), "data": _data_info(manifest), "reports": entries}
        atomic_write_bytes(
            staging / INDEX_JSON,
            (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        )
        atomic_write_bytes(staging / INDEX_HTML, index_html(entries, manifest).encode("utf-8"))

    failures = [r for r in results if r.status != "ok"]
    for result in failures:
        print(
            f"indicators report: {result.key} failed: {error_text(result.error)}", file=sys.stderr
        )
    echo(
        f"indicators report: {len(results) - len(failures)}/{len(results)} report(s) written "
        f"to {paths.reports} (index: {paths.reports / INDEX_HTML})"
    )
    return EXIT_FAILED if failures else 0
