"""French display tables and text for the report notebooks.

The notebooks in ``notebooks/`` hold no logic: they call these functions and show what
they return. Everything a reader sees is French, with French number typography
(:mod:`indicators.numbers`); qualifiers stay visible (« environ », « plus de »), a missing
figure reads « non disponible » and is never shown as 0, and every text that comes from
an input (names, objectives, diagnostics) is HTML-escaped.

Functions return either a :class:`pandas.DataFrame` of French strings (to explore, or to
show with :func:`html_table`) or an :class:`Html` fragment that a notebook displays as is.

>>> tables = example_tables()
>>> portrait_table_fr(tables, "q1").iloc[0].tolist()
['Taux de pauvreté', '50,9\\xa0%', '18,8\\xa0%', '+32,1 points', 'défavorable', '']
>>> "&lt;b&gt;" in objectives_html(tables, "q1")
True
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from indicators.catalog import BY_ID, INDICATORS
from indicators.config import Paths
from indicators.errors import InputError, ParameterError
from indicators.numbers import MISSING_TEXT, format_number, format_value

REQUIRED_TABLES = ("quartiers", "portrait", "gaps", "objectives")
OPTIONAL_TABLES = ("ips", "ips_communes", "communes", "checks", "quartier_shapes", "grid")
REFERENCE_NAME = "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane (CABBALR)"
KEY_INDICATORS = ("poverty_rate", "employment_rate_15_64", "school_ips")
NOT_APPLICABLE = "—"
_TZ_NAME = "Europe/Paris"


class Html(str):
    """An HTML fragment that Jupyter displays as HTML (and that stays a ``str``)."""

    def _repr_html_(self) -> str:
        return str(self)


@dataclass
class Tables:
    """The processed tables a report needs, read once from ``data/processed``.

    The four convention tables are always there; the open-data tables are ``None`` when
    the build did not produce them.
    """

    quartiers: pd.DataFrame
    portrait: pd.DataFrame
    gaps: pd.DataFrame
    objectives: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    ips: pd.DataFrame | None = None
    ips_communes: pd.DataFrame | None = None
    communes: pd.DataFrame | None = None
    checks: pd.DataFrame | None = None
    quartier_shapes: pd.DataFrame | None = None
    grid: pd.DataFrame | None = None


# --------------------------------------------------------------------------- reading


def load_tables(root: str | os.PathLike[str] | Paths | None = None) -> Tables:
    """Read the processed tables and the build manifest of a project.

    Parameters
    ----------
    root
        Project root (``""`` or ``None``: this checkout), or a :class:`Paths`.

    Raises
    ------
    InputError
        When a required table or the manifest is missing or unreadable (run
        ``indicators build`` first).
    """
    from indicators.io import read_table

    paths = root if isinstance(root, Paths) else Paths.from_root(root or None)
    found: dict[str, Any] = {}
    for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
        path = paths.processed / f"{name}.parquet"
        if not path.exists():
            if name in REQUIRED_TABLES:
                raise InputError(
                    "the table written by `indicators build` (run it first)", path=path
                )
            continue
        try:
            found[name] = read_table(paths.processed, name)
        except Exception as error:  # pyarrow / geopandas errors on a damaged file
            raise InputError(
                f"a readable Parquet table ({type(error).__name__})", path=path
            ) from error
    found["manifest"] = load_manifest(paths)
    return Tables(**found)


def load_manifest(root: str | os.PathLike[str] | Paths | None = None) -> dict[str, Any]:
    """The build manifest (``data/processed/manifest.json``) as a dict."""
    paths = root if isinstance(root, Paths) else Paths.from_root(root or None)
    path = paths.processed / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            "the manifest written by `indicators build` (run it first)", path=path
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"a JSON manifest ({error})", path=path) from error


# --------------------------------------------------------------------------- helpers


def _text(value: object) -> str:
    """``""`` for a missing value, else the value as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _esc(value: object) -> str:
    """Escape text for an HTML text node (use ``html.escape`` for attributes)."""
    return html.escape(_text(value), quote=False)


def _caveat(row: pd.Series) -> str:
    """The quartier's caveat, unless it only restates the old perimeter (said elsewhere)."""
    caveat = _text(row["caveat"])
    if _text(row["perimeter"]) == "ancien périmètre" and "ancien périmètre" in caveat:
        return ""
    return caveat


def _quartier(tables: Tables, quartier_id: str) -> pd.Series:
    rows = tables.quartiers[tables.quartiers["quartier_id"] == quartier_id]
    if rows.empty:
        valid = ", ".join(tables.quartiers["quartier_id"])
        raise ParameterError(f"unknown quartier {quartier_id!r}; valid ids: {valid}")
    return rows.iloc[0]


def quartier_ids(tables: Tables) -> list[str]:
    """Quartier ids in the convention's order."""
    return list(tables.quartiers.sort_values("line")["quartier_id"])


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    order = frame["indicator_id"].map(lambda i: BY_ID[i].order)
    return frame.assign(_order=order).sort_values("_order").drop(columns="_order")


def _items(text: object) -> list[str]:
    return [item.strip() for item in _text(text).split("\n") if item.strip()]


def _source_fr(row: pd.Series) -> str:
    """« sigville, 2022, ancien périmètre » or « source non indiquée »."""
    parts = [_text(row.get("source")), _text(row.get("vintage")), _text(row.get("perimeter"))]
    parts = [p for p in parts if p]
    return ", ".join(parts) if parts else "source non indiquée dans la convention"


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


def html_table(frame: pd.DataFrame, *, caption: str | None = None) -> Html:
    """An escaped HTML table of a frame of French strings (no index).

    >>> html_table(pd.DataFrame({"A": ["<x>"]})).count("&lt;x&gt;")
    1
    """
    head = "".join(f"<th>{_esc(column)}</th>" for column in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc(value)}</td>" for value in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    return Html(
        f'<table class="table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def _list_html(items: Iterable[str], tag: str = "ul") -> str:
    inner = "".join(f"<li>{_esc(item)}</li>" for item in items)
    return f"<{tag}>{inner}</{tag}>" if inner else f"<p>{MISSING_TEXT}</p>"


# --------------------------------------------------------------------------- one quartier


def title_html(tables: Tables, quartier_id: str, level: int = 1) -> Html:
    """The quartier's name as a heading, with its status and communes below."""
    row = _quartier(tables, quartier_id)
    code = f" ({_esc(row['code'])})" if _text(row["code"]) else ""
    return Html(
        f'<h{level} id="{html.escape(quartier_id)}">{_esc(row["name"])}</h{level}>'
        f'<p class="subtitle">{_esc(row["status_label"])}{code} — '
        f"{_esc(row['communes'].replace(';', ','))}</p>"
    )


def identity_table_fr(tables: Tables, quartier_id: str) -> pd.DataFrame:
    """Identity card of a quartier: status, code, communes, source and perimeters."""
    row = _quartier(tables, quartier_id)
    rows = [
        ("Nom", _text(row["name"])),
        ("Statut", f"{_text(row['status'])} — {_text(row['status_label'])}"),
        ("Code du quartier prioritaire", _text(row["code"]) or "sans objet (quartier non QPV)"),
        ("Communes", _text(row["communes"]).replace(";", ",")),
        ("Source du portrait", _text(row["source_text"]) or "non indiquée dans la convention"),
        ("Périmètre des données", _text(row["perimeter"]) or "non précisé"),
        ("Périmètre du contrat de ville", _text(row["map_perimeter"]) or "non précisé"),
    ]
    return pd.DataFrame(rows, columns=["Rubrique", "Valeur"])


def _gap_cells(gap: pd.Series | None) -> tuple[str, str]:
    if gap is None:
        return NOT_APPLICABLE, NOT_APPLICABLE
    label = _text(gap["label_fr"]) or MISSING_TEXT
    return label, _text(gap["reading"]) or NOT_APPLICABLE


def portrait_table_fr(tables: Tables, quartier_id: str) -> pd.DataFrame:
    """The quartier's portrait against the agglomeration, in French.

    Columns: Indicateur, Quartier, Agglomération (CABBALR), Écart, Lecture, Remarque.
    Poverty, employment and the school IPS come first and are always listed (« non
    disponible » when the convention does not give them); the other indicators are
    listed when given. Counts (population, area) have no reference.
    """
    _quartier(tables, quartier_id)
    portrait = _ordered(tables.portrait[tables.portrait["quartier_id"] == quartier_id])
    gaps = tables.gaps[tables.gaps["quartier_id"] == quartier_id].set_index("indicator_id")
    given = set(portrait["indicator_id"])
    rows = []
    for indicator in INDICATORS:
        if indicator.id not in given:
            if indicator.id in KEY_INDICATORS:
                rows.append(
                    (
                        indicator.label_fr,
                        MISSING_TEXT,
                        NOT_APPLICABLE,
                        NOT_APPLICABLE,
                        NOT_APPLICABLE,
                        "absent de la convention",
                    )
                )
            continue
        row = portrait[portrait["indicator_id"] == indicator.id].iloc[0]
        unit = _text(row["unit"]) or None
        value = format_value(row["value"], unit, row["qualifier"])
        if indicator.kind == "count":
            reference = NOT_APPLICABLE
        elif pd.isna(row["reference_value"]):
            reference = MISSING_TEXT
        else:
            reference = format_value(row["reference_value"], unit, row["reference_qualifier"])
        gap = gaps.loc[indicator.id] if indicator.id in gaps.index else None
        label, reading = _gap_cells(gap)
        rows.append((indicator.label_fr, value, reference, label, reading, _text(row["note"])))
    return pd.DataFrame(
        rows,
        columns=[
            "Indicateur",
            "Quartier",
            "Agglomération (CABBALR)",
            "Écart",
            "Lecture",
            "Remarque",
        ],
    )


def diagnostic_html(tables: Tables, quartier_id: str, level: int = 3) -> Html:
    """Irritants, opportunités and enjeux of the quartier, as written in the convention."""
    row = _quartier(tables, quartier_id)
    parts = []
    for column, title in (
        ("irritants", "Irritants"),
        ("opportunites", "Opportunités"),
        ("enjeux", "Enjeux"),
    ):
        parts.append(f"<h{level}>{title}</h{level}>{_list_html(_items(row[column]))}")
    return Html("".join(parts))


def objectives_html(tables: Tables, quartier_id: str, level: int = 3) -> Html:
    """The quartier's objectives and actions, nested as in the convention (escaped)."""
    _quartier(tables, quartier_id)
    frame = tables.objectives[tables.objectives["quartier_id"] == quartier_id]
    if frame.empty:
        return Html("<p>Aucun objectif n'est associé à ce quartier dans la convention.</p>")
    frame = frame.sort_values(["enjeu", "line"], kind="stable")
    parts = []
    for (enjeu, title), by_enjeu in frame.groupby(["enjeu", "enjeu_title"], sort=False):
        parts.append(f"<h{level}>Enjeu {int(enjeu)} — {_esc(title)}</h{level}>")
        parts.append('<ul class="objectives">')
        for strategic, by_strategic in by_enjeu.groupby("strategic_objective", sort=False):
            parts.append(f"<li><strong>{_esc(strategic)}</strong><ul>")
            for operational, by_op in by_strategic.groupby("operational_objective", sort=False):
                actions = [_text(a) for a in by_op.sort_values("action_rank")["action"]]
                actions = [a for a in actions if a]
                listed = (
                    _list_html(actions, "ol")
                    if actions
                    else ('<p class="muted">Aucune action précisée.</p>')
                )
                parts.append(f"<li>{_esc(operational)}{listed}</li>")
            parts.append("</ul></li>")
        parts.append("</ul>")
    return Html("".join(parts))


def caveats_html(tables: Tables, ids: Sequence[str] | None = None) -> Html:
    """Warnings a reader must see next to the figures (one box, French).

    ``ids``: the quartiers concerned (default: all).
    """
    ids = list(ids) if ids is not None else quartier_ids(tables)
    notes: list[str] = []
    for quartier_id in ids:
        row = _quartier(tables, quartier_id)
        name = _text(row["name"])
        if _caveat(row):
            notes.append(f"{name} — {_caveat(row)}")
        if _text(row["perimeter"]) == "ancien périmètre":
            notes.append(
                f"{name} : les chiffres sont calculés sur l'ancien périmètre du quartier, "
                "pas sur le périmètre actuel du contrat de ville"
                + (f" ({_text(row['map_perimeter'])})." if _text(row["map_perimeter"]) else ".")
            )
        portrait = tables.portrait[tables.portrait["quartier_id"] == quartier_id]
        missing = [
            BY_ID[i].label_fr.lower()
            for i in KEY_INDICATORS
            if i not in set(portrait["indicator_id"])
        ]
        if missing:
            notes.append(f"{name} : non disponible dans la convention — {', '.join(missing)}.")
    portrait = tables.portrait[tables.portrait["quartier_id"].isin(ids)]
    if portrait["qualifier"].isin(["lower_bound", "upper_bound"]).any():
        notes.append(
            "Une valeur précédée de « plus de » est un minimum : l'écart qui en découle est "
            "lui-même un minimum (« au moins »)."
        )
    if portrait["qualifier"].eq("approx").any():
        notes.append("« environ » reproduit une valeur approchée donnée par la convention.")
    sources = {
        _source_fr(r)
        for _, r in tables.quartiers[tables.quartiers["quartier_id"].isin(ids)].iterrows()
    }
    if len(ids) > 1 and len(sources) > 1:
        notes.append(
            "Les portraits ne viennent pas tous de la même source ni de la même année : "
            "les comparaisons entre quartiers sont indicatives."
        )
    if not notes:
        return Html("")
    return Html(f'<div class="caveat"><strong>À savoir</strong>{_list_html(notes)}</div>')


def quartier_section_html(tables: Tables, quartier_id: str, level: int = 2) -> Html:
    """A whole section on one quartier: title, warnings, identity, portrait, diagnostic,
    objectives (used by the dossier for each quartier in turn)."""
    sub = level + 1
    return Html(
        '<section class="quartier">'
        + title_html(tables, quartier_id, level)
        + caveats_html(tables, [quartier_id])
        + f"<h{sub}>Identité</h{sub}>"
        + html_table(identity_table_fr(tables, quartier_id))
        + f"<h{sub}>Portrait statistique</h{sub}>"
        + html_table(portrait_table_fr(tables, quartier_id))
        + f"<h{sub}>Diagnostic partagé</h{sub}>"
        + diagnostic_html(tables, quartier_id, sub + 1)
        + f"<h{sub}>Objectifs et actions</h{sub}>"
        + objectives_html(tables, quartier_id, sub + 1)
        + "</section>"
    )


def quartier_sections_html(tables: Tables, level: int = 2) -> Html:
    """:func:`quartier_section_html` for every quartier, in the convention's order."""
    return Html("".join(quartier_section_html(tables, q, level) for q in quartier_ids(tables)))


# --------------------------------------------------------------------------- all quartiers


def _reference_fr(rows: pd.DataFrame, unit: str | None) -> str:
    refs = rows.dropna(subset=["reference_value"])
    pairs = sorted(
        {
            (float(v), q)
            for v, q in zip(refs["reference_value"], refs["reference_qualifier"], strict=True)
        }
    )
    if not pairs:
        return MISSING_TEXT
    # Several references for one indicator are all shown, never silently collapsed.
    return " / ".join(format_value(v, unit, q) for v, q in pairs)


def summary_table_fr(tables: Tables) -> pd.DataFrame:
    """Every indicator (rows) for every quartier (columns) and the agglomeration.

    The last two rows give each portrait's source and perimeter.
    """
    ids = quartier_ids(tables)
    names = [_text(_quartier(tables, q)["name"]) for q in ids]
    portrait = tables.portrait
    rows = []
    for indicator in INDICATORS:
        given = portrait[portrait["indicator_id"] == indicator.id]
        if given.empty and indicator.id not in KEY_INDICATORS:
            continue
        unit = indicator.unit if indicator.unit != "%" else "%"
        cells = [indicator.label_fr]
        for quartier_id in ids:
            row = given[given["quartier_id"] == quartier_id]
            if row.empty:
                cells.append(MISSING_TEXT)
            else:
                r = row.iloc[0]
                cells.append(format_value(r["value"], _text(r["unit"]) or None, r["qualifier"]))
        if indicator.kind == "count":
            cells.append(NOT_APPLICABLE)
        else:
            cells.append(_reference_fr(given, unit))
        rows.append(cells)
    quartiers = tables.quartiers.set_index("quartier_id")
    rows.append(["Source", *(_source_fr(quartiers.loc[q]) for q in ids), "convention"])
    return pd.DataFrame(rows, columns=["Indicateur", *names, "Agglomération (CABBALR)"])


def gaps_table_fr(tables: Tables) -> pd.DataFrame:
    """Gap to the agglomeration and its reading, indicators × quartiers."""
    ids = quartier_ids(tables)
    names = [_text(_quartier(tables, q)["name"]) for q in ids]
    gaps = tables.gaps
    rows = []
    for indicator in INDICATORS:
        if indicator.kind == "count":
            continue
        given = gaps[gaps["indicator_id"] == indicator.id]
        if given.empty and indicator.id not in KEY_INDICATORS:
            continue
        cells = [indicator.label_fr]
        for quartier_id in ids:
            row = given[given["quartier_id"] == quartier_id]
            if row.empty:
                cells.append(MISSING_TEXT)
            else:
                label, reading = _gap_cells(row.iloc[0])
                cells.append(f"{label} ({reading})")
        rows.append(cells)
    return pd.DataFrame(rows, columns=["Indicateur", *names])


def findings_html(tables: Tables, ids: Sequence[str] | None = None) -> Html:
    """Key facts per quartier for the three key indicators, as French sentences."""
    ids = list(ids) if ids is not None else quartier_ids(tables)
    parts = []
    for quartier_id in ids:
        row = _quartier(tables, quartier_id)
        gaps = tables.gaps[tables.gaps["quartier_id"] == quartier_id].set_index("indicator_id")
        items = []
        for indicator_id in KEY_INDICATORS:
            label = BY_ID[indicator_id].label_fr
            if indicator_id not in gaps.index:
                items.append(f"{label} : {MISSING_TEXT}.")
                continue
            gap = gaps.loc[indicator_id]
            unit = BY_ID[indicator_id].unit
            value = format_value(gap["value"], unit, gap["value_qualifier"])
            ref = format_value(gap["reference_value"], unit, gap["reference_qualifier"])
            items.append(
                f"{label} : {value} contre {ref} dans l'agglomération "
                f"({_text(gap['label_fr'])}, {_text(gap['reading'])})."
            )
        parts.append(f"<li><strong>{_esc(row['name'])}</strong>{_list_html(items)}</li>")
    return Html(f'<ul class="findings">{"".join(parts)}</ul>')


# --------------------------------------------------------------------------- IPS check


def crosscheck_html(tables: Tables) -> Html:
    """The IPS cross-check (convention vs open data), or why it is not available."""
    checks = tables.checks
    if checks is None or checks.empty:
        return Html(
            "<p>Le contrôle croisé des IPS de la convention avec les données ouvertes du "
            "ministère de l'Éducation nationale n'est pas disponible : la construction des "
            "données n'a pas produit la table <code>checks</code>.</p>"
        )
    shown = checks.drop(columns=[c for c in ("line", "geometry") if c in checks.columns])
    frame = shown.map(lambda v: format_number(v, 1) if isinstance(v, float) else _text(v))
    return html_table(frame, caption="Contrôle croisé des IPS (convention / données ouvertes)")


# --------------------------------------------------------------------------- sources


def _secret_count(tables: Tables) -> int | None:
    if tables.ips is None or "ips_marker" not in tables.ips.columns:
        return None
    markers = tables.ips["ips_marker"].fillna("").astype(str).str.strip()
    return int((markers != "").sum())


def sources_et_methodes(tables: Tables, ids: Sequence[str] | None = None) -> Html:
    """The « Sources et méthodes » section every report ends with (French HTML).

    Lists each portrait's source, vintage and perimeter, the reference territory, the
    method for gaps and qualifiers, missing and secret values, the IPS cross-check and
    the versions of the data (from the build manifest).
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
        "communale du contrat de ville « Engagements Quartiers 2030 » de Divion (2024-2030). "
        f"Les valeurs de référence sont celles de la {REFERENCE_NAME}, citées entre "
        "parenthèses dans la convention.",
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
    secret = _secret_count(tables)
    if tables.ips is not None:
        rentrees = sorted({_text(r) for r in tables.ips.get("rentree", pd.Series(dtype=str))})
        sources.append(
            "Indices de position sociale (IPS) des écoles et collèges : ministère de "
            "l'Éducation nationale, données ouvertes, rentrée(s) " + ", ".join(rentrees) + "."
        )
        if secret is not None:
            method.append(
                f"IPS non diffusés (secret ou non significatif) : {format_number(secret)} "
                f"ligne(s) établissement × rentrée, affichées « {MISSING_TEXT} »."
            )
    method.append(
        "Contrôle croisé des IPS : "
        + (
            "voir la section correspondante."
            if tables.checks is not None and not tables.checks.empty
            else "non disponible pour cette construction des données."
        )
    )
    raw = pd.DataFrame(
        [
            (_text(r.get("path")), _text(r.get("sha256"))[:12])
            for r in manifest.get("raw_inputs", [])
        ],
        columns=["Fichier source", "Empreinte (sha256, début)"],
    )
    return Html(
        '<section class="sources"><h2>Sources et méthodes</h2>'
        f"<h3>Sources</h3>{_list_html(sources)}"
        f"<h3>Méthodes et précautions</h3>{_list_html(method)}"
        f"<h3>Versions des données</h3><p>{_esc(data_version_fr(manifest))}.</p>"
        + html_table(raw)
        + "</section>"
    )


# --------------------------------------------------------------------------- exploration


def tables_overview_fr(tables: Tables) -> pd.DataFrame:
    """Which processed tables are there, with their size (for the exploration notebook)."""
    rows = []
    for name in (*REQUIRED_TABLES, *OPTIONAL_TABLES):
        frame = getattr(tables, name)
        if frame is None:
            rows.append((name, "absente", NOT_APPLICABLE, NOT_APPLICABLE))
        else:
            rows.append(
                (name, "présente", format_number(len(frame)), format_number(len(frame.columns)))
            )
    return pd.DataFrame(rows, columns=["Table", "État", "Lignes", "Colonnes"])


def example_tables() -> Tables:
    """Tiny synthetic tables in the real layout (for doctests and examples only)."""
    quartiers = pd.DataFrame(
        {
            "quartier_id": ["q1"],
            "name": ["Quartier <synthétique>"],
            "status": ["QPV"],
            "status_label": ["Quartier prioritaire de la politique de la ville"],
            "code": ["QP000000"],
            "communes": ["Commune A; Commune B"],
            "source": ["s"],
            "vintage": ["2022"],
            "perimeter": ["ancien périmètre"],
            "source_text": ["données synthétiques"],
            "map_perimeter": ["2024-2030"],
            "caveat": [None],
            "irritants": ["un\ndeux"],
            "opportunites": ["trois"],
            "enjeux": ["quatre"],
            "line": [1],
        }
    )
    portrait = pd.DataFrame(
        {
            "quartier_id": ["q1"],
            "indicator_id": ["poverty_rate"],
            "label": ["Taux"],
            "value": [50.9],
            "unit": ["%"],
            "qualifier": ["exact"],
            "value_text": ["50,9 %"],
            "reference_value": [18.8],
            "reference_qualifier": ["exact"],
            "reference_territory": ["CABBALR"],
            "reference_scope": [None],
            "note": [None],
            "source": ["s"],
            "vintage": ["2022"],
            "perimeter": ["ancien périmètre"],
            "line": [2],
        }
    )
    gaps = pd.DataFrame(
        {
            "quartier_id": ["q1"],
            "indicator_id": ["poverty_rate"],
            "kind": ["rate"],
            "value": [50.9],
            "value_qualifier": ["exact"],
            "reference_value": [18.8],
            "reference_qualifier": ["exact"],
            "reference_territory": ["CABBALR"],
            "gap": [32.1],
            "gap_unit": ["points de pourcentage"],
            "gap_qualifier": ["exact"],
            "index": [float("nan")],
            "polarity": [-1],
            "reading": ["défavorable"],
            "label_fr": ["+32,1 points"],
            "source": ["s"],
            "vintage": ["2022"],
            "perimeter": ["ancien périmètre"],
        }
    )
    objectives = pd.DataFrame(
        {
            "quartier_id": ["q1"],
            "enjeu": [1],
            "enjeu_title": ["ENJEU"],
            "strategic_objective": ["Stratégique"],
            "operational_objective": ["Opérationnel"],
            "action_rank": pd.array([1], dtype="Int64"),
            "action": ["<b>action</b>"],
            "line": [3],
        }
    )
    manifest = {"built_at": "2026-01-01T00:00:00+00:00", "version": "0", "raw_inputs": []}
    return Tables(quartiers, portrait, gaps, objectives, manifest)


__all__ = [
    "Html",
    "Tables",
    "caveats_html",
    "crosscheck_html",
    "data_fingerprint",
    "data_version_fr",
    "diagnostic_html",
    "example_tables",
    "findings_html",
    "format_datetime_fr",
    "gaps_table_fr",
    "html_table",
    "identity_table_fr",
    "load_manifest",
    "load_tables",
    "objectives_html",
    "portrait_table_fr",
    "quartier_ids",
    "quartier_section_html",
    "quartier_sections_html",
    "sources_et_methodes",
    "summary_table_fr",
    "tables_overview_fr",
    "title_html",
]
