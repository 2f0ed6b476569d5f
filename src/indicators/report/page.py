"""Export of an executed notebook: self-contained French HTML page, and A4 PDF.

The page has no code cell, no parameters cell, no script, and loads nothing from outside
(:func:`external_references` checks it): its style is ``report.css``, shipped with the
package, inline; images are ``data:`` URIs.
"""

from __future__ import annotations

import copy
import functools
import html
import json
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from importlib import resources
from typing import Any

from indicators import __version__

# Cells that never appear in a report: papermill's parameters and its error banners.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "papermill-error-cell-tag"})


@functools.cache
def report_css() -> str:
    """The style sheet of every report page (``report.css`` in this package)."""
    folder = resources.files("indicators.report")
    # print.css: the paged-media rules (A4, page numbers, table of contents, dossier).
    return "".join(
        folder.joinpath(name).read_text(encoding="utf-8") for name in ("report.css", "print.css")
    )


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
        f'<style>\n{report_css()}</style>\n</head>\n<body class="{html.escape(kind)}">\n'
        '<a class="skip-link" href="#contenu">Aller au contenu</a>\n'
        f'<main id="contenu">\n{body}\n</main>\n'
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
    # PDF/UA-1: tagged (structure tree, reading order, /Alt of the images from their alt
    # attribute), document language from <html lang>, title from <title>, bookmarks from
    # the headings.
    return weasyprint.HTML(string=page, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")


__all__ = [
    "HIDDEN_TAGS",
    "external_references",
    "html_to_pdf",
    "notebook_body_html",
    "page_html",
    "report_css",
]
