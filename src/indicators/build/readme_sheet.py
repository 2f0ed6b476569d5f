"""The « Lisez-moi » sheet of the workbook: what each sheet is, sources, method, versions.

:func:`readme_sections` writes it from the tables of a build, its manifest and the
territory (never a name written in the code); :func:`sheets_section` alone is the short
version a workbook gets when nothing else is known. Everything is French text, read by
the commune's and the agglomeration's staff.

>>> [s.title for s in readme_sections({}, titles={}, manifest={})][1:]
['Feuilles', 'Lire les chiffres', 'Autres fichiers']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from indicators.build.provenance import data_fingerprint
from indicators.build.tables import DESCRIPTIONS_FR, fill_epci
from indicators.figures.caveats import ips_reference_caveat
from indicators.territory import Territory, the_epci

__all__ = ["README_SHEET", "README_WIDTHS", "ReadmeSection", "readme_sections", "sheets_section"]

README_SHEET = "Lisez-moi"
#: Column widths of the sheet (characters): label, text, then the sources' columns.
README_WIDTHS = (30, 70, 30, 26, 50)
LICENCE_OUVERTE = "Licence Ouverte / Etalab 2.0"
_TZ_NAME = "Europe/Paris"


@dataclass(frozen=True)
class ReadmeSection:
    """A block of the sheet: a bold title, an optional bold header row, then rows."""

    title: str
    rows: tuple[tuple[object, ...], ...] = ()
    header: tuple[str, ...] | None = None


def _date_fr(moment: object) -> str:
    """« 9 juillet 2024 à 02:00 » (« 1er » on the first), Paris time; « inconnue »."""
    if not moment:
        return "inconnue"
    from babel.dates import format_datetime

    value = _dt.datetime.fromisoformat(str(moment))
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    try:
        from zoneinfo import ZoneInfo

        value, suffix = value.astimezone(ZoneInfo(_TZ_NAME)), ""
    except Exception:  # no time-zone database on this machine
        suffix = " (UTC)"
    day = "d'er'" if value.day == 1 else "d"
    return format_datetime(value, f"{day} MMMM y 'à' HH:mm", locale="fr_FR") + suffix


def sheets_section(
    titles: Mapping[str, str], counts: Mapping[str, int], epci_label: str | None = None
) -> ReadmeSection:
    """One row per sheet: its title, what a row is, its number of rows."""
    descriptions = fill_epci(DESCRIPTIONS_FR, epci_label)
    rows = tuple(
        (title, descriptions.get(name, ""), counts.get(name)) for name, title in titles.items()
    )
    return ReadmeSection("Feuilles", rows, ("Feuille", "Contenu (une ligne =)", "Lignes"))


def _text(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _sources(
    tables: Mapping[str, pd.DataFrame], territory: Territory | None
) -> tuple[tuple[object, ...], ...]:
    epci = the_epci(territory.epci.label if territory else None)
    communes = ", ".join(territory.commune_names.values()) if territory else "la commune"
    rows: list[tuple[object, ...]] = []
    quartiers = tables.get("quartiers")
    if quartiers is not None and {"source", "vintage", "perimeter"} <= set(quartiers.columns):
        groups: dict[tuple[str, str, str], list[str]] = {}
        for _, q in quartiers.iterrows():
            key = (_text(q["source"]), _text(q["vintage"]), _text(q["perimeter"]))
            groups.setdefault(key, []).append(_text(q.get("name")) or _text(q["quartier_id"]))
        for (source, vintage, perimeter), names in groups.items():
            rows.append(
                (
                    "Portraits statistiques : " + ", ".join(names),
                    f"{source or 'source non indiquée'}, cité par la convention d'application "
                    f"communale du contrat de ville ({communes})",
                    vintage or "non indiqué",
                    "document administratif public (licence non précisée)",
                    perimeter or "non indiqué",
                )
            )
        rows.append(
            (
                "Valeurs de référence",
                "la convention (chiffres entre parenthèses)",
                "non indiqué",
                "document administratif public (licence non précisée)",
                f"{epci} (ensemble de l'agglomération)",
            )
        )
    ips = tables.get("ips")
    if ips is not None and "rentree" in ips.columns:
        rentrees = sorted({_text(r) for r in ips["rentree"] if _text(r)})
        departement = territory.departement.name if territory else "du département"
        rows.append(
            (
                "Indices de position sociale (IPS)",
                "DEPP, ministère de l'Éducation nationale (data.education.gouv.fr)",
                "rentrées " + ", ".join(rentrees),
                LICENCE_OUVERTE,
                f"écoles et collèges publics et privés ({departement}) ; moyennes sur les "
                f"communes de {epci}",
            )
        )
    if tables.get("communes") is not None:
        members = f"data/raw/{territory.epci_members_dir}" if territory else "data/raw"
        bounds = f"data/raw/{territory.commune_boundaries_dir}" if territory else "data/raw"
        rows.append(
            (
                "Communes et populations",
                "DGCL (composition des EPCI), INSEE (populations légales)",
                f"voir {members}/README.md",
                LICENCE_OUVERTE,
                f"communes membres de {epci}",
            )
        )
        rows.append(
            (
                "Contours des communes",
                "IGN, Admin Express",
                f"voir {bounds}/README.md",
                LICENCE_OUVERTE,
                "reprojetés en Lambert-93 (EPSG:2154)",
            )
        )
    optional = {
        "quartier_shapes": (
            "Périmètres des quartiers",
            "ANCT (contours officiels des QPV) ou la commune",
            "voir data/raw/qpv/ et data/raw/perimeters/",
            "selon le fichier",
            "quartiers du contrat de ville",
        ),
        "grid": (
            "Carroyage Filosofi 200 m",
            "INSEE",
            "voir data/raw/filosofi/README.md",
            LICENCE_OUVERTE,
            "carreaux des communes concernées ; rien sous 11 ménages",
        ),
        "suivi": (
            "Suivi des actions",
            "la commune (formulaires de suivi remplis)",
            "une année par fichier",
            "données de la commune",
            "actions de la convention, par quartier",
        ),
        "series_commune": (
            "Indicateurs de la commune",
            "la commune (source indiquée ligne par ligne)",
            "une année par ligne",
            "données de la commune",
            "quartiers, commune, agglomération",
        ),
    }
    rows.extend(row for name, row in optional.items() if tables.get(name) is not None)
    return tuple(rows)


def _method(tables: Mapping[str, pd.DataFrame], epci: str) -> tuple[tuple[object, ...], ...]:
    rows: list[tuple[object, ...]] = [
        (
            "Taux et parts",
            "Des nombres de 0 à 100 affichés avec « % » : 18,8 vaut 18,8 % (pas 0,188). "
            "Ils sont affichés avec les décimales publiées par la source (une décimale pour "
            "les taux calculés).",
        ),
        (
            "Écarts",
            f"Valeur du quartier moins valeur de {epci} : en points de pourcentage pour les "
            "taux, en points d'indice pour l'IPS. « Équivalent » : écart dans la marge "
            "d'arrondi des deux chiffres publiés.",
        ),
        (
            "Précision",
            "« environ » et « au moins » (« + de » dans la convention) reproduisent la "
            "source ; un écart calculé à partir d'un minimum est lui-même un minimum.",
        ),
        (
            "Valeurs absentes",
            "Une cellule vide est une valeur que la source ne donne pas, secrète ou non "
            "significative (« NS ») : jamais zéro.",
        ),
        (
            "Codes",
            "Les identifiants (quartier, indicateur, action) restent en codes : ce sont les "
            "mêmes dans tous les fichiers. Les codes géographiques sont du texte.",
        ),
    ]
    checks = tables.get("checks")
    caveat = ips_reference_caveat(checks)
    if caveat:
        rows.append(("IPS de référence", caveat + " Détail dans la feuille « Contrôles »."))
    if tables.get("grid") is not None or tables.get("grid_quartiers") is not None:
        rows.append(
            ("Secret statistique", "Aucun chiffre du carroyage n'est donné sous 11 ménages.")
        )
    return tuple(rows)


#: Layers of the GeoPackage, for the « Autres fichiers » section.
LAYERS_FR: dict[str, str] = {
    "communes_ips": "communes de {epci} avec l'IPS moyen des écoles par rentrée "
    "(ips_ecoles_AAAA_AAAA) et le nombre d'IPS « NS » (n_ns_AAAA_AAAA)",
    "perimetres_quartiers": "périmètres des quartiers",
    "carroyage_quartiers": "périmètres des quartiers avec le carroyage Filosofi agrégé",
}


def _files(layers: Iterable[str], epci_label: str | None) -> tuple[tuple[object, ...], ...]:
    described = fill_epci(LAYERS_FR, epci_label)
    rows: list[tuple[object, ...]] = [
        (
            f"indicators.gpkg, couche {name}",
            (described.get(name) or "couche") + " ; Lambert-93 (EPSG:2154), pour QGIS. "
            "Noms de champs en codes : leur libellé est l'en-tête de la même colonne ici.",
        )
        for name in layers
    ]
    rows += [
        (
            "csv_excel/*.csv",
            "Les mêmes tableaux en CSV pour Excel en français : séparateur « ; », virgule "
            "décimale, UTF-8 avec BOM, en-têtes et libellés en français. Un texte commençant "
            "par = + - @ y est précédé d'une apostrophe (il n'est jamais exécuté).",
        ),
        (
            "figures/*.png, *.svg",
            "Chaque graphique et carte, en PNG (150 dpi) et en SVG (texte modifiable), avec "
            "sa source et ses avertissements.",
        ),
        (
            "../*.csv, ../*.parquet",
            "Les tableaux pour l'analyse (data/processed) : séparateur « , », point décimal, "
            "UTF-8, codes non traduits.",
        ),
    ]
    return tuple(rows)


def readme_sections(
    tables: Mapping[str, pd.DataFrame],
    *,
    titles: Mapping[str, str],
    manifest: Mapping[str, object],
    territory: Territory | None = None,
    layers: Iterable[str] = (),
) -> list[ReadmeSection]:
    """The sections of the « Lisez-moi » sheet.

    Parameters
    ----------
    tables
        The build's tables (sources and caveats are read from them).
    titles
        Table name → sheet title, for the tables of the workbook
        (:func:`indicators.build.xlsx.sheet_titles`).
    manifest
        The build's provenance (``built_at``, ``version``, ``raw_inputs``).
    territory
        Names the commune(s) and the EPCI; ``None``: generic words.
    layers
        The layers of the GeoPackage.
    """
    label = territory.epci.label if territory else None
    epci = the_epci(label)
    where = ""
    if territory is not None:
        where = f"{', '.join(territory.commune_names.values())} ({territory.epci.label})"
    about = (
        (
            "Contenu",
            "Les tableaux calculés par l'outil indicators à partir de la convention "
            "d'application communale du contrat de ville et des données ouvertes"
            + (f", pour {where}" if where else "")
            + " : une feuille par tableau après celle-ci.",
        ),
        ("Construit le", _date_fr(manifest.get("built_at"))),
        (
            "Version des données",
            f"indicators {_text(manifest.get('version')) or 'inconnue'} ; empreinte des "
            f"sources {data_fingerprint(manifest)} (la même que dans les rapports)",
        ),
    )
    counts = {name: len(tables[name]) for name in titles if name in tables}
    sections = [
        ReadmeSection("Indicateurs des quartiers de la politique de la ville", about),
        sheets_section(titles, counts, label),
    ]
    sources = _sources(tables, territory)
    if sources:
        header = ("Source", "Producteur", "Millésime", "Licence", "Périmètre")
        sections.append(ReadmeSection("Sources", sources, header))
    sections.append(ReadmeSection("Lire les chiffres", _method(tables, epci)))
    sections.append(ReadmeSection("Autres fichiers", _files(layers, label)))
    return sections
