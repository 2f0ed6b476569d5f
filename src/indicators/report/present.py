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
from pathlib import Path
from typing import Any

import pandas as pd

from indicators.catalog import BY_ID, INDICATORS
from indicators.config import Paths
from indicators.errors import InputError, ParameterError
from indicators.numbers import MISSING_TEXT, format_number, format_value

REQUIRED_TABLES = ("quartiers", "portrait", "gaps", "objectives")
OPTIONAL_TABLES = (
    "ips",
    "ips_communes",
    "ips_quartiers",
    "communes",
    "checks",
    "opendata_notes",
    "quartier_shapes",
    "grid",
)
REFERENCE_NAME = "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane (CABBALR)"
KEY_INDICATORS = ("poverty_rate", "employment_rate_15_64", "school_ips")
NOT_APPLICABLE = "—"
_TZ_NAME = "Europe/Paris"


class Html(str):
    """An HTML fragment that Jupyter displays as HTML (and that stays a ``str``)."""

    def _repr_html_(self) -> str:
        return str(self)


class Tables:
    """The processed tables a report needs, read from ``data/processed``.

    The four convention tables (``quartiers``, ``portrait``, ``gaps``, ``objectives``) and
    the build ``manifest`` are read at once. The open-data tables (``ips``,
    ``ips_communes``, ``ips_quartiers``, ``communes``, ``checks``, ``opendata_notes``,
    ``quartier_shapes``, ``grid``) are read on first use (a fiche that draws no map never
    imports geopandas) and are ``None`` when the build did not produce them.
    """

    def __init__(
        self,
        quartiers: pd.DataFrame,
        portrait: pd.DataFrame,
        gaps: pd.DataFrame,
        objectives: pd.DataFrame,
        manifest: dict[str, Any] | None = None,
        *,
        processed: Path | None = None,
        **optional: pd.DataFrame | None,
    ) -> None:
        unknown = set(optional) - set(OPTIONAL_TABLES)
        if unknown:
            raise TypeError(f"unknown tables: {sorted(unknown)}")
        self.quartiers = quartiers
        self.portrait = portrait
        self.gaps = gaps
        self.objectives = objectives
        self.manifest: dict[str, Any] = manifest or {}
        self._processed = processed
        self._optional: dict[str, pd.DataFrame | None] = dict(optional)

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name not in OPTIONAL_TABLES:
            raise AttributeError(name)
        cache = self.__dict__["_optional"]
        if name not in cache:
            cache[name] = _read_optional(self.__dict__["_processed"], name)
        return cache[name]

    def available(self) -> list[str]:
        """Names of the tables this build has (required and optional)."""
        return [*REQUIRED_TABLES, *(n for n in OPTIONAL_TABLES if getattr(self, n) is not None)]


def _read(processed: Path, name: str) -> pd.DataFrame:
    from indicators.build.storage import read_table

    path = processed / f"{name}.parquet"
    try:
        return read_table(processed, name)
    except Exception as error:  # pyarrow / geopandas errors on a damaged file
        raise InputError(f"a readable Parquet table ({type(error).__name__})", path=path) from error


def _read_optional(processed: Path | None, name: str) -> pd.DataFrame | None:
    if processed is None or not (processed / f"{name}.parquet").exists():
        return None
    return _read(processed, name)


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
    paths = root if isinstance(root, Paths) else Paths.from_root(root or None)
    found: dict[str, pd.DataFrame] = {}
    for name in REQUIRED_TABLES:
        path = paths.processed / f"{name}.parquet"
        if not path.exists():
            raise InputError("the table written by `indicators build` (run it first)", path=path)
        found[name] = _read(paths.processed, name)
    return Tables(**found, manifest=load_manifest(paths), processed=paths.processed)


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
    reference_note = _reference_ips_note(tables)
    if (
        reference_note
        and tables.portrait[tables.portrait["quartier_id"].isin(ids)]["indicator_id"]
        .eq("school_ips")
        .any()
    ):
        notes.append(reference_note)
    if not notes:
        return Html("")
    return Html(f'<div class="caveat"><strong>À savoir</strong>{_list_html(notes)}</div>')


def quartier_section_html(
    tables: Tables, quartier_id: str, level: int = 2, chart: bool = True
) -> Html:
    """A whole section on one quartier: title, warnings, identity, portrait (and its
    chart), diagnostic, objectives (used by the dossier for each quartier in turn)."""
    sub = level + 1
    return Html(
        '<section class="quartier">'
        + title_html(tables, quartier_id, level)
        + caveats_html(tables, [quartier_id])
        + f"<h{sub}>Identité</h{sub}>"
        + html_table(identity_table_fr(tables, quartier_id))
        + f"<h{sub}>Portrait statistique</h{sub}>"
        + html_table(portrait_table_fr(tables, quartier_id))
        + (gap_chart_html(tables, quartier_id) if chart else "")
        + f"<h{sub}>Diagnostic partagé</h{sub}>"
        + diagnostic_html(tables, quartier_id, sub + 1)
        + f"<h{sub}>Objectifs et actions</h{sub}>"
        + objectives_html(tables, quartier_id, sub + 1)
        + "</section>"
    )


def quartier_sections_html(tables: Tables, level: int = 2, chart: bool = True) -> Html:
    """:func:`quartier_section_html` for every quartier, in the convention's order."""
    return Html(
        "".join(quartier_section_html(tables, q, level, chart) for q in quartier_ids(tables))
    )


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


# --------------------------------------------------------------------------- figures


def _figure_html(ax: Any, alt: str, kind: str = "") -> Html:
    """The figure of ``ax`` as an embedded PNG (150 dpi, ``data:`` URI); closes it.

    ``kind`` (e.g. ``map``) is an extra CSS class, for the print layout.
    """
    import io

    import matplotlib.pyplot as plt

    figure = ax.figure
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight", pad_inches=0.05)
    finally:
        plt.close(figure)
    return _png_html(buffer.getvalue(), alt, kind)


def _png_html(png: bytes, alt: str, kind: str = "") -> Html:
    """A PNG embedded as a ``data:`` URI in a ``<figure>`` (``kind``: extra CSS class)."""
    import base64

    data = base64.b64encode(png).decode("ascii")
    return Html(
        f'<figure class="{" ".join(["chart", kind]).strip()}"><img alt="{html.escape(alt)}" '
        f'src="data:image/png;base64,{data}"></figure>'
    )


def _prerendered(tables: Tables, name: str, alt: str, kind: str = "") -> Html | None:
    """The build's own PNG of figure ``name``, when it made one (``exports/figures``).

    ``indicators build`` renders every figure from the same tables, in the same folder
    swap, and records each file's sha256 in the manifest: a report embeds that PNG
    instead of drawing the figure a second time (and its kernel then needs neither
    matplotlib nor geopandas). A file missing or not matching the manifest is ignored.
    """
    import hashlib

    processed = tables.__dict__.get("_processed")
    key = f"figures/{name}.png"
    expected = (tables.manifest.get("exports") or {}).get(key)
    if processed is None or not expected:
        return None
    path = Path(processed) / "exports" / key
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != expected:
        return None
    return _png_html(data, alt, kind)


def _notice(text: str) -> Html:
    return Html(f'<p class="muted">{_esc(text)}</p>')


def gap_chart_html(tables: Tables, quartier_id: str) -> Html:
    """The quartier's chart against the agglomeration (:func:`charts.plot_gap_chart`)."""
    from indicators.figures.gap_chart import plot_gap_chart

    row = _quartier(tables, quartier_id)
    alt = f"{_text(row['name'])} comparé à l'agglomération"
    built = _prerendered(tables, f"ecarts_{quartier_id}", alt)
    if built is not None:
        return built
    ax = plot_gap_chart(tables.gaps, tables.portrait, quartier_id, quartiers=tables.quartiers)
    return _figure_html(ax, alt)


def gaps_across_html(tables: Tables) -> Html:
    """Every quartier's gaps to the agglomeration (:func:`charts.plot_gaps_across`)."""
    from indicators.figures.gaps_across import plot_gaps_across

    alt = "Écarts des quartiers à l'agglomération"
    built = _prerendered(tables, "ecarts_quartiers", alt)
    if built is not None:
        return built
    ax = plot_gaps_across(tables.gaps, tables.quartiers)
    return _figure_html(ax, alt)


def locator_map_html(
    tables: Tables, quartier_id: str | None = None, zoom: bool | None = None
) -> Html:
    """Where the quartiers are (:func:`maps.plot_locator_map`), or why it is absent.

    With ``quartier_id``, only that quartier's communes are highlighted (and its shape
    drawn when the build has one), framed closely unless ``zoom`` is ``False``
    (:func:`maps.plot_quartier_communes`). The build's own PNG is used when it has one.
    """
    zoom = quartier_id is not None if zoom is None else zoom
    title = None
    if quartier_id is not None:
        title = f"{_text(_quartier(tables, quartier_id)['name'])} : communes concernées"
    alt = title or "Localisation des quartiers dans l'agglomération"
    if quartier_id is not None and zoom:
        built = _prerendered(tables, f"carte_communes_{quartier_id}", alt, "map")
    elif quartier_id is None and not zoom:
        built = _prerendered(tables, "carte_situation", alt, "map")
    else:
        built = None
    if built is not None:
        return built
    if tables.communes is None:
        return _notice(
            "Carte de localisation non disponible : la construction des données n'a pas "
            "produit la couche des communes."
        )
    from indicators.figures.locator_maps import plot_locator_map, plot_quartier_communes

    if quartier_id is not None and zoom:
        ax = plot_quartier_communes(
            tables.communes, tables.quartiers, quartier_id, tables.quartier_shapes
        )
        return _figure_html(ax, alt, "map")
    quartiers, shapes = tables.quartiers, tables.quartier_shapes
    if quartier_id is not None:
        quartiers = quartiers[quartiers["quartier_id"] == quartier_id]
        if shapes is not None:
            shapes = shapes[shapes["quartier_id"] == quartier_id]
    ax = plot_locator_map(tables.communes, quartiers, shapes, zoom=zoom, title=title)
    return _figure_html(ax, alt, "map")


def latest_rentree(tables: Tables, niveau: str = "ecole") -> str | None:
    """The most recent rentrée with commune IPS means for ``niveau`` (``None`` if none)."""
    table = tables.ips_communes
    if table is None or table.empty:
        return None
    rentrees = table.loc[table["niveau"] == niveau, "rentree"].dropna().astype(str)
    return max(rentrees) if not rentrees.empty else None


def ips_map_html(tables: Tables, rentree: str = "", niveau: str = "ecole") -> Html:
    """Mean school IPS by commune (:func:`maps.plot_ips_choropleth`), or why it is absent.

    ``rentree``: e.g. ``"2024-2025"``; empty for the most recent one.
    """
    rentree = rentree or latest_rentree(tables, niveau) or ""
    alt = f"IPS moyen des écoles par commune, rentrée {rentree}"
    if rentree and niveau == "ecole":
        built = _prerendered(tables, f"carte_ips_ecoles_{rentree.replace('-', '_')}", alt, "map")
        if built is not None:
            return built
    if tables.communes is None or tables.ips_communes is None or not rentree:
        return _notice(
            "Carte des IPS non disponible : la construction des données n'a pas produit les "
            "IPS par commune."
        )
    from indicators.figures.ips_maps import plot_ips_choropleth

    ax = plot_ips_choropleth(tables.communes, tables.ips_communes, rentree, niveau=niveau)
    return _figure_html(ax, alt, "map")


# --------------------------------------------------------------------------- IPS check


_CHECK_COLUMNS = ("quartier_id", "convention_value", "open_data_value", "rentree", "status")


def _checks(tables: Tables, ids: Sequence[str] | None) -> pd.DataFrame | None:
    """The ``checks`` rows of the quartiers ``ids`` and of the agglomeration."""
    checks = tables.checks
    if checks is None or checks.empty or not set(_CHECK_COLUMNS) <= set(checks.columns):
        return None
    if ids is not None:
        checks = checks[checks["quartier_id"].isna() | checks["quartier_id"].isin(list(ids))]
    return checks


def crosscheck_table_fr(tables: Tables, ids: Sequence[str] | None = None) -> pd.DataFrame | None:
    """The IPS cross-check in French: one row per territory and rentrée.

    ``ids``: the quartiers to show besides the agglomeration (default: all). ``None``
    when the build produced no ``checks`` table.
    """
    checks = _checks(tables, ids)
    if checks is None:
        return None
    names = dict(zip(tables.quartiers["quartier_id"], tables.quartiers["name"], strict=True))
    rows = []
    for _, row in checks.iterrows():
        quartier_id = _text(row["quartier_id"])
        convention, open_data = row["convention_value"], row["open_data_value"]
        gap = (
            NOT_APPLICABLE
            if pd.isna(convention) or pd.isna(open_data)
            else format_number(open_data - convention, 1, sign=True) + " points"
        )
        rows.append(
            (
                names.get(quartier_id, quartier_id) if quartier_id else "Agglomération (CABBALR)",
                _text(row["rentree"]) or NOT_APPLICABLE,
                format_value(convention),
                format_number(open_data, 1),
                gap,
                _text(row["status"]),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Territoire",
            "Rentrée",
            "IPS (convention)",
            "IPS (données ouvertes)",
            "Écart",
            "Constat",
        ],
    )


def _reference_ips_note(tables: Tables) -> str:
    """A warning when the agglomeration's IPS in the convention is not found in open data."""
    checks = _checks(tables, [])
    if checks is None:
        return ""
    gaps = checks[checks["status"].eq("écart") & checks["open_data_value"].notna()]
    if gaps.empty:
        return ""
    low, high = gaps["open_data_value"].min(), gaps["open_data_value"].max()
    found = (
        f"{format_number(low, 1)}"
        if format_number(low, 1) == format_number(high, 1)
        else f"entre {format_number(low, 1)} et {format_number(high, 1)} selon la rentrée"
    )
    reference = format_value(gaps["convention_value"].iloc[0])
    return (
        f"IPS : la valeur de référence de l'agglomération donnée par la convention ({reference}) "
        f"n'est pas retrouvée dans les données ouvertes ({found}) ; les écarts d'IPS sont "
        "donc à lire avec prudence (voir le contrôle croisé des IPS)."
    )


def crosscheck_html(tables: Tables, ids: Sequence[str] | None = None) -> Html:
    """The IPS cross-check (convention vs open data) and its methods, or why it is absent."""
    frame = crosscheck_table_fr(tables, ids)
    if frame is None:
        return Html(
            "<p>Le contrôle croisé des IPS de la convention avec les données ouvertes du "
            "ministère de l'Éducation nationale n'est pas disponible : la construction des "
            "données n'a pas produit la table des contrôles.</p>"
        )
    checks = _checks(tables, ids)
    assert checks is not None  # crosscheck_table_fr returned a frame
    findings = [_reference_ips_note(tables)]
    if "message" in checks.columns:
        findings += [_text(m) for m in checks.loc[checks["quartier_id"].notna(), "message"]]
    findings = list(dict.fromkeys(f for f in findings if f))
    methods = []
    if "method" in checks.columns:
        methods = list(dict.fromkeys(_text(m) for m in checks["method"] if _text(m)))
    return Html(
        html_table(frame)
        + (f"<p><strong>Constats</strong></p>{_list_html(findings)}" if findings else "")
        + (f"<p><strong>Méthodes</strong></p>{_list_html(methods)}" if methods else "")
    )


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
    if tables.ips is not None and "rentree" in tables.ips.columns:
        rentrees = sorted({_text(r) for r in tables.ips["rentree"] if _text(r)})
        sources.append(
            "Indices de position sociale (IPS) des écoles et collèges : DEPP, ministère de "
            "l'Éducation nationale, données ouvertes (data.education.gouv.fr), rentrées "
            + ", ".join(rentrees)
            + "."
        )
    if tables.communes is not None:
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
    notes = [_text(n) for n in manifest.get("notes", []) if _text(n)]
    if tables.opendata_notes is not None and "message" in tables.opendata_notes.columns:
        notes += [_text(m) for m in tables.opendata_notes["message"] if _text(m)]
    secret = _secret_count(tables)
    if secret is not None and not notes:
        notes.append(
            f"IPS non diffusés (secret ou non significatif) : {format_number(secret)} "
            f"ligne(s) établissement × rentrée, affichées « {MISSING_TEXT} »."
        )
    built = f"<h3>Notes de la construction des données</h3>{_list_html(notes)}" if notes else ""
    raw = pd.DataFrame(
        [
            (_text(r.get("path")), _text(r.get("sha256"))[:12])
            for r in manifest.get("raw_inputs", [])
            if not _text(r.get("path")).endswith("README.md")
        ],
        columns=["Fichier source", "Empreinte (sha256, début)"],
    )
    version = data_version_fr(manifest)
    return Html(
        '<section class="sources"><h2>Sources et méthodes</h2>'
        f"<h3>Sources</h3>{_list_html(sources)}"
        f"<h3>Méthodes et précautions</h3>{_list_html(method)}"
        + built
        + f"<h3>Versions des données</h3><p>{_esc(version[:1].upper() + version[1:])}.</p>"
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
