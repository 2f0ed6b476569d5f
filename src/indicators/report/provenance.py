"""Where a report's figures come from: data versions and « Sources et méthodes ».

:func:`format_datetime_fr`, :func:`data_fingerprint` and :func:`data_version_fr` name
the build a report was computed from (they read only the build manifest, and the report
batch uses them for footers and the index); :func:`sources_et_methodes` is the section
every report ends with.

>>> data_version_fr({"built_at": "2026-01-01T00:00:00+00:00", "version": "0.1.0"})[:60]
'données construites le 1er janvier 2026 à 01:00 par indicato'
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from indicators.french import plural
from indicators.numbers import MISSING_TEXT
from indicators.report.crosscheck import _checks, _reference_ips_note
from indicators.report.markup import Html, _caveat, _esc, _list_html, _text, html_table
from indicators.report.names import epci_full_name_fr, of_communes_fr
from indicators.report.tables import Tables, _quartier, quartier_ids

_TZ_NAME = "Europe/Paris"


# --------------------------------------------------------------------------- data versions


def format_datetime_fr(moment: str | _dt.datetime | None) -> str:
    """« 26 novembre 2026 à 02:36 » in Paris time, from an ISO timestamp (UTC if naive).

    >>> format_datetime_fr("2026-11-26T01:36:41+00:00")
    '26 novembre 2026 à 02:36'
    """
    if moment is None or moment == "":
        return MISSING_TEXT
    from babel.dates import format_datetime

    if isinstance(moment, str):
        moment = _dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    try:
        from zoneinfo import ZoneInfo

        zone: _dt.tzinfo = ZoneInfo(_TZ_NAME)
        suffix = ""
    except Exception:  # no time-zone database on this machine
        zone, suffix = _dt.UTC, " (UTC)"
    text = format_datetime(moment, "d MMMM y 'à' HH:mm", tzinfo=zone, locale="fr_FR")
    if text.startswith("1 "):
        text = "1er" + text[1:]
    return text + suffix


def data_fingerprint(manifest: Mapping[str, Any]) -> str:
    """12 hex digits identifying the raw inputs of a build (same inputs → same digits)."""
    raw = json.dumps(manifest.get("raw_inputs", []), sort_keys=True).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:12]


def data_version_fr(manifest: Mapping[str, Any]) -> str:
    """One French line naming the data a report was computed from."""
    return (
        f"données construites le {format_datetime_fr(manifest.get('built_at'))} "
        f"par indicators {_text(manifest.get('version')) or MISSING_TEXT}, "
        f"empreinte des sources {data_fingerprint(manifest)}"
    )


# --------------------------------------------------------------------------- sources


def _secret_count(tables: Tables) -> int | None:
    if tables.ips is None or "ips_marker" not in tables.ips.columns:
        return None
    markers = tables.ips["ips_marker"].fillna("").astype(str).str.strip()
    return int((markers != "").sum())


def sources_et_methodes(
    tables: Tables, ids: Sequence[str] | None = None, sums: bool = True
) -> Html:
    """The « Sources et méthodes » section every report ends with (French HTML).

    Lists each portrait's source, vintage and perimeter, the reference territory, the
    method for gaps and qualifiers, missing and secret values, the IPS cross-check and
    the versions of the data (from the build manifest); ``sums``: with the table of the
    source files and their sha256 (the dossier's annex), else one line only.
    """
    ids = list(ids) if ids is not None else quartier_ids(tables)
    manifest = tables.manifest
    sources = []
    for quartier_id in ids:
        row = _quartier(tables, quartier_id)
        written = _text(row["source_text"])
        text = f"« {written} »" if written else "aucune source indiquée dans la convention"
        if _caveat(row):
            text += f" — {_caveat(row)}"
        sources.append(f"{_text(row['name'])} : {text}")
    old = [
        _text(_quartier(tables, q)["name"])
        for q in ids
        if _text(_quartier(tables, q)["perimeter"]) == "ancien périmètre"
    ]
    method = [
        "Portraits statistiques et valeurs de référence : convention d'application "
        "communale du contrat de ville « Engagements Quartiers 2030 » "
        f"{of_communes_fr(tables.territory)} (2024-2030). "
        f"Les valeurs de référence sont celles de la {epci_full_name_fr(tables.territory)}, "
        "citées entre parenthèses dans la convention.",
        "Écart à l'agglomération : valeur du quartier moins valeur de l'agglomération, en "
        "points de pourcentage pour les taux et en points d'indice pour l'IPS.",
        "Lecture : « défavorable » ou « favorable » selon le sens de l'indicateur (un taux de "
        "pauvreté plus élevé est défavorable ; un taux d'emploi ou un IPS plus élevé est "
        "favorable) ; « supérieur » ou « inférieur » pour les parts sans sens normatif "
        "(moins de 25 ans, parc social).",
        "Les mentions « environ » et « plus de » reproduisent la convention ; un écart calculé "
        "à partir d'un minimum (« plus de 30 % ») est lui-même un minimum (« au moins »).",
        "Une valeur absente, couverte par le secret statistique ou non significative (s, nd, "
        f"nc, NS…) est affichée « {MISSING_TEXT} », jamais remplacée par zéro.",
        "Arrondis : au plus proche, la moitié vers le haut (un chiffre après la virgule pour "
        "les taux).",
    ]
    if old:
        method.append(
            "Ancien périmètre : les chiffres de " + " et de ".join(old) + " sont calculés sur "
            "le périmètre antérieur à 2024 ; le contrat de ville porte sur le périmètre "
            "2024-2030."
        )
    if tables.ips is not None and "rentree" in tables.ips.columns:
        rentrees = sorted({_text(r) for r in tables.ips["rentree"] if _text(r)})
        sources.append(
            "Indices de position sociale (IPS) des écoles et collèges : DEPP, ministère de "
            "l'Éducation nationale, données ouvertes (data.education.gouv.fr), rentrées "
            + ", ".join(rentrees)
            + "."
        )
    if "communes" in tables:  # without reading the layer (nor importing geopandas)
        sources.append(
            "Communes de l'agglomération : composition de l'EPCI (DGCL) et populations légales "
            "(INSEE) ; contours communaux : IGN Admin Express. Millésimes : voir les fichiers "
            "sources ci-dessous."
        )
    checks_note = _reference_ips_note(tables)
    method.append(
        "Contrôle croisé des IPS : "
        + (
            "les IPS de la convention sont rapprochés des moyennes calculées sur les données "
            "ouvertes (détail dans la partie « Contrôle croisé des IPS »)."
            + (f" {checks_note}" if checks_note else "")
            if _checks(tables, None) is not None
            else "non disponible pour cette construction des données."
        )
    )
    notes = [_text(n) for n in manifest.get("notes", []) if _text(n)]  # open-data notes too
    secret = _secret_count(tables)
    if secret is not None and not notes:
        notes.append(
            f"IPS non diffusés (secret ou non significatif) : "
            f"{plural(secret, 'ligne')} établissement × rentrée, affichées « {MISSING_TEXT} »."
        )
    built = (
        f"<h3>Notes de la construction des données</h3>{_list_html(notes)}"
        if notes and sums  # the build's notes name files: the dossier's annex, the index
        else ""
    )
    raw = pd.DataFrame(
        [
            (_text(r.get("path")), _text(r.get("sha256"))[:12])
            for r in manifest.get("raw_inputs", [])
            if not _text(r.get("path")).endswith("README.md")
        ],
        columns=["Fichier source", "Empreinte (sha256, début)"],
    )
    version = data_version_fr(manifest)
    if not sums:  # no fingerprint in what officials read
        version = version.split(", empreinte")[0]
    return Html(
        '<section class="sources"><h2>Sources et méthodes</h2>'
        f"<h3>Sources</h3>{_list_html(sources)}"
        f"<h3>Méthodes et précautions</h3>{_list_html(method)}"
        + built
        + f"<h3>Versions des données</h3><p>{_esc(version[:1].upper() + version[1:])}.</p>"
        + (
            ""
            if sums
            else "<p>Le détail des fichiers sources et de leurs empreintes figure dans "
            "l'index des rapports et dans l'annexe du dossier.</p>"
        )
        + (html_table(raw, caption="Fichiers sources et leur empreinte") if sums else "")
        + "</section>"
    )


__all__ = [
    "data_fingerprint",
    "data_version_fr",
    "format_datetime_fr",
    "sources_et_methodes",
]
