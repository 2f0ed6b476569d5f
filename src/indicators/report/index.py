"""The index of the reports: ``index.json`` for machines, ``index.html`` in French.

Each entry is one :class:`~indicators.report.execute.ReportResult` (as a dict): its
status, date, parameters, data version and, for a failed report, where and why.
Entries of an earlier run that a partial run did not redo are kept
(:func:`_previous_entries`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from indicators import __version__
from indicators.build.storage import atomic_write_bytes
from indicators.french import plural
from indicators.report.names import communes_fr
from indicators.report.page import page_html
from indicators.territory import Territory

INDEX_JSON = "index.json"
INDEX_HTML = "index.html"


def _sort_key(
    entry: Mapping[str, Any], quartier_order: Sequence[str], template_order: Sequence[str]
) -> tuple[int, int, str]:
    rank = (
        list(template_order).index(entry["template"])
        if entry["template"] in template_order
        else len(template_order)
    )
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


def index_html(
    entries: Sequence[Mapping[str, Any]], manifest: Mapping[str, Any], territory: Territory
) -> str:
    """The French ``index.html``: every report, its status, date, parameters, data.

    Its title names the commune(s) of ``territory``.
    """
    from indicators.report.provenance import (
        data_fingerprint,
        data_version_fr,
        format_datetime_fr,
    )

    current = data_fingerprint(manifest)
    rows = []
    stale = 0
    for entry in entries:
        files = entry.get("files", {})
        title = html.escape(entry["title"], quote=False)
        link = f'<a href="{html.escape(files["html"])}">{title}</a>' if "html" in files else title
        if "pdf" in files:
            link += f' · <a href="{html.escape(files["pdf"])}">PDF {title}</a>'
        if "notebook" in files:
            link += f' · <a href="{html.escape(files["notebook"])}">notebook {title}</a>'
        if "failed_notebook" in files:
            link += (
                f' · <a href="{html.escape(files["failed_notebook"])}">'
                "notebook de l'échec (montre l'erreur)</a>"
            )
        ok = entry["status"] == "ok"
        status = (
            '<span class="status-ok">réussi</span>'
            if ok
            else '<span class="status-failed">échec</span>'
        )
        previous = entry.get("previous")
        if not ok and isinstance(previous, dict):
            status += html.escape(
                f" — la version précédente, produite le "
                f"{format_datetime_fr(previous.get('finished_at'))} à partir des données "
                f"construites le {format_datetime_fr((previous.get('data') or {}).get('built_at'))}"
                ", est conservée",
                quote=False,
            )
        params = ", ".join(f"{k} = {v}" for k, v in sorted(entry.get("parameters", {}).items()))
        data = entry.get("data", {})
        data_text = (
            f"construites le {format_datetime_fr(data.get('built_at'))}, "
            f"version {data.get('version')}, empreinte {data.get('fingerprint')}"
        )
        if data.get("fingerprint") != current:
            stale += 1
            data_text = "autres données que les tables actuelles : " + data_text
            status += ' <span class="status-failed">à refaire</span>'

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
    kept = sum(entry["status"] != "ok" and bool(entry.get("previous")) for entry in entries)
    summary = (
        f"{plural(len(entries), 'rapport')}, dont {failed} en échec"
        + (
            f" ({plural(kept, 'rapport montré', 'rapports montrés')} dans leur version "
            "précédente, plus ancienne)."
            if kept
            else "."
        )
        if failed
        else f"{plural(len(entries), 'rapport')}, tous réussis."
    )
    if stale:
        summary += (
            f" Attention : {plural(stale, 'rapport')} "
            f"{'construits' if stale > 1 else 'construit'} sur d'autres données que les "
            "tables actuelles (colonne « Données ») : relancez `indicators report`."
        )
    title = f"Rapports du contrat de ville — {communes_fr(territory)}"
    body = (
        f"<h1>{html.escape(title, quote=False)}</h1>"
        f"<p>{html.escape(summary, quote=False)} Données actuelles : "
        f"{html.escape(data_version_fr(manifest), quote=False)}.</p>"
        '<table class="table"><caption>Rapports, statut et données utilisées</caption>'
        '<thead><tr><th scope="col">Rapport</th><th scope="col">Statut</th>'
        '<th scope="col">Produit le</th><th scope="col">Paramètres</th>'
        '<th scope="col">Données</th><th scope="col">Erreur</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )
    footer = [f"Index produit par indicators {__version__}."]
    return page_html(title, body, footer, {"reports": len(rows)})


def _previous_entries(reports: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads((reports / INDEX_JSON).read_text(encoding="utf-8"))
        return [e for e in data.get("reports", []) if isinstance(e, dict) and "key" in e]
    except (OSError, ValueError, AttributeError):
        return []


def write_index(
    folder: Path,
    entries: Sequence[Mapping[str, Any]],
    manifest: Mapping[str, Any],
    generated_at: str,
    data: Mapping[str, Any],
    territory: Territory,
) -> None:
    """Write ``index.json`` and ``index.html`` of ``entries`` into ``folder``."""
    index = {"generated_at": generated_at, "data": dict(data), "reports": list(entries)}
    atomic_write_bytes(
        folder / INDEX_JSON,
        (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    )
    atomic_write_bytes(
        folder / INDEX_HTML, index_html(entries, manifest, territory).encode("utf-8")
    )


__all__ = ["INDEX_HTML", "INDEX_JSON", "error_text", "index_html", "write_index"]
