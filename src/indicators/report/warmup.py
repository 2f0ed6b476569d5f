"""Warm a worker's exporters while its kernel runs the notebook.

A worker process waits for its kernel during most of a notebook's run (the kernel is
another process). The first HTML export of a process builds nbconvert's exporter and
compiles its templates (about 1 s), and the first PDF imports WeasyPrint and loads the
fonts (about 1.5 s): :func:`start_warmup` does that in a thread meanwhile, so the export
that follows the notebook (the dossier's is the batch's longest step) starts at once.
What a warm-up does is what the export would do first; it writes nothing, and a failure
in it is ignored (the export then pays the cost itself, and reports its own errors).
"""

from __future__ import annotations

import contextlib
import os
import threading

__all__ = ["start_index_warmup", "start_warmup"]

_done: set[str] = set()


def _warm_html() -> None:
    import nbformat

    from indicators.report import provenance  # noqa: F401  (the export's footer)
    from indicators.report.page import notebook_body_html

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("Texte **préparatoire**."))
    cell = nbformat.v4.new_code_cell("")
    cell.outputs.append(
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": '<p>x</p><img alt="x" src="data:image/png;base64,AA">'},
            execution_count=1,
        )
    )
    nb.cells.append(cell)
    notebook_body_html(nb)


def _warm_pdf() -> None:
    from indicators.report.page import html_to_pdf, page_html

    html_to_pdf(page_html("Préparation", "<p>« 18,8 % »</p>", [], {}))


def _warm(pdf: bool) -> None:
    _nice()
    for kind, warm in (("html", _warm_html), ("pdf", _warm_pdf)):
        if kind in _done or (kind == "pdf" and not pdf):
            continue
        with contextlib.suppress(Exception):
            warm()
        _done.add(kind)


def _nice() -> None:
    with contextlib.suppress(AttributeError, OSError):  # Linux: a thread has its own nice
        # The kernels come first: this thread only takes CPU time they leave.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _import_provenance() -> None:
    _nice()
    with contextlib.suppress(Exception):
        from indicators.report import provenance  # noqa: F401


def start_index_warmup() -> threading.Thread:
    """In the batch's parent, once the workers are forked: import what the index needs.

    The parent reads no table before the notebooks (it imports no pandas, so that the
    workers start sooner); the index's data version (:mod:`indicators.report.provenance`)
    does, and is imported meanwhile rather than after the last notebook.
    """
    thread = threading.Thread(target=_import_provenance, name="indicators-warmup", daemon=True)
    thread.start()
    return thread


def start_warmup(pdf: bool) -> threading.Thread:
    """Start warming the HTML export (and the PDF's with ``pdf``) in a daemon thread.

    Join the thread before exporting. Each warm-up runs once per process.
    """
    thread = threading.Thread(target=_warm, args=(pdf,), name="indicators-warmup", daemon=True)
    thread.start()
    return thread
