"""The registry of processed tables: one entry per table, in sheet order.

Each :class:`Table` gives a table's name, its pandera schema (when it has one, from
:mod:`indicators.build.schemas`), whether every build produces it, whether it is a layer
(a GeoDataFrame with a geometry), whether it is a sheet of the XLSX workbook, and its
French sheet name; :data:`HEADERS_FR` gives the French header of every known column.
Everything in :mod:`indicators.build` reads its list of tables from here.

A sheet name or header that names the EPCI is a template: ``{epci}`` stands for its
label with its article (:func:`~indicators.territory.the_epci`), filled when the
workbook is written (:func:`sheets_fr`, :func:`headers_fr`).

>>> [t.name for t in TABLES if t.workbook][:4]
['quartiers', 'portrait', 'gaps', 'objectives']
>>> BY_NAME["communes"].layer, BY_NAME["grid"].required
(True, False)
>>> sheets_fr("CATEST")["gaps"]
'Écarts à la CATEST'
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indicators.territory import the_epci

if TYPE_CHECKING:  # pandera is imported when a schema is used (not by a report's kernel)
    import pandera.pandas as pa

__all__ = [
    "BY_NAME",
    "HEADERS_FR",
    "SHEETS_FR",
    "TABLES",
    "WORKBOOK_TABLES",
    "Table",
    "fill_epci",
    "headers_fr",
    "sheets_fr",
]


@dataclass(frozen=True)
class Table:
    """One processed table.

    Attributes
    ----------
    name
        File stem in ``data/processed`` (``quartiers`` → ``quartiers.csv``/``.parquet``).
    sheet
        French sheet name (31 characters at most, ``{epci}`` included: filled, it is
        cut at 31 when the workbook is written).
    required
        Every build produces it (``False``: only when its optional raw input is there).
    layer
        A GeoDataFrame (its geometry is dropped in the workbook).
    workbook
        A sheet of ``exports/indicators.xlsx``.
    written
        Written to ``data/processed`` (``opendata_notes`` goes into the manifest's notes).
    schema_name
        Where its pandera schema is (``"schemas.QUARTIERS"``: a module of
        :mod:`indicators.build` and a name), if it has one; :attr:`schema` imports it.
    report_required
        Every report needs it: :func:`indicators.report.tables.load_tables` reads it at
        once and stops when it is missing (the others are read on first use).
    """

    name: str
    sheet: str
    required: bool = True
    layer: bool = False
    workbook: bool = True
    written: bool = True
    schema_name: str | None = None
    report_required: bool = False

    @property
    def schema(self) -> pa.DataFrameSchema | None:
        """The pandera schema the build validates the table against, if any."""
        if self.schema_name is None:
            return None
        module, name = self.schema_name.rsplit(".", 1)
        schema: pa.DataFrameSchema = getattr(
            importlib.import_module(f"indicators.build.{module}"), name
        )
        return schema

    def headers(self, columns: Iterable[str]) -> dict[str, str]:
        """French header of each of ``columns`` (an unknown column keeps its name).

        >>> BY_NAME["quartiers"].headers(["quartier_id", "extra"])
        {'quartier_id': 'Identifiant du quartier', 'extra': 'extra'}
        """
        return {c: HEADERS_FR.get(c, c) for c in columns}


#: The processed tables: the workbook's sheets in order, then the other tables.
TABLES: tuple[Table, ...] = (
    Table("quartiers", "Quartiers", schema_name="schemas.QUARTIERS", report_required=True),
    Table("portrait", "Portrait statistique", schema_name="schemas.PORTRAIT", report_required=True),
    Table("gaps", "Écarts à {epci}", schema_name="schemas.GAPS", report_required=True),
    Table(
        "objectives", "Objectifs et actions", schema_name="schemas.OBJECTIVES", report_required=True
    ),
    Table("checks", "Contrôles"),
    Table("ips_communes", "IPS par commune"),
    Table("ips_quartiers", "IPS par quartier"),
    Table("ips", "IPS des établissements"),
    Table("communes", "Communes", layer=True),
    Table("grid_quartiers", "Carroyage par quartier", required=False),
    Table("suivi", "Suivi des actions", required=False),
    Table("series_commune", "Indicateurs de la commune", required=False),
    Table(
        "references",
        "Références de la convention",
        required=False,
        schema_name="reference_schemas.REFERENCES",
    ),
    Table("references_conclusions", "Références : conclusions", required=False),
    Table(
        "ips_echelles",
        "IPS à toutes les échelles",
        required=False,
        schema_name="reference_schemas.IPS_ECHELLES",
    ),
    Table(
        "communes_indicateurs",
        "Communes : pauvreté, emploi",
        required=False,
        schema_name="reference_schemas.COMMUNES_INDICATEURS",
    ),
    Table("series", "Séries", required=False, schema_name="reference_schemas.SERIES"),
    Table("grid_quartiers_methods", "Carroyage 3 méthodes (analyse)", required=False),
    Table("qpv_contours", "Contours QPV 2024 de l'EPCI", required=False, layer=True),
    Table("qpv_repairs", "Réparations des contours QPV", required=False),
    Table(
        "quartier_shapes", "Périmètres des quartiers", required=False, layer=True, workbook=False
    ),
    Table("grid", "Carroyage Filosofi", required=False, workbook=False),
    Table("opendata_notes", "Notes sur les données", workbook=False, written=False),
)
BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
#: Tables of the spreadsheet export, in sheet order (geometry is dropped there).
WORKBOOK_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.workbook)
#: French sheet names of the known tables (31 characters at most).
SHEETS_FR: dict[str, str] = {t.name: t.sheet for t in TABLES}

#: French column headers of the known tables.
HEADERS_FR: dict[str, str] = {
    # identifiers and provenance
    "quartier_id": "Identifiant du quartier",
    "name": "Nom du quartier",
    "status": "Statut",
    "status_label": "Statut (libellé)",
    "code": "Code",
    "code_qp": "Code QPV",
    "communes": "Communes",
    "source": "Source",
    "source_line": "Ligne dans le fichier source",
    "vintage": "Millésime",
    "perimeter": "Périmètre des données",
    "source_text": "Source (texte de la convention)",
    "map_perimeter": "Périmètre cartographié",
    "caveat": "Avertissement",
    "irritants": "Points d'irritation",
    "opportunites": "Opportunités",
    "enjeux": "Enjeux",
    "line": "Ligne dans la convention",
    # portrait and gaps
    "indicator_id": "Identifiant de l'indicateur",
    "label": "Indicateur (libellé de la convention)",
    "value": "Valeur",
    "unit": "Unité",
    "qualifier": "Précision de la valeur",
    "value_text": "Valeur telle qu'écrite",
    "value_qualifier": "Précision de la valeur",
    "reference_value": "Valeur de référence",
    "reference_qualifier": "Précision de la référence",
    "decimals": "Décimales publiées",
    "reference_decimals": "Décimales publiées (référence)",
    "rounding_margin": "Marge d'arrondi (points)",
    "reference_territory": "Territoire de référence",
    "reference_scope": "Champ de la référence",
    "note": "Note",
    "kind": "Type d'indicateur",
    "gap": "Écart",
    "gap_unit": "Unité de l'écart",
    "gap_qualifier": "Précision de l'écart",
    "index": "Indice (quartier / référence × 100)",
    "polarity": "Sens (+1 : plus est mieux ; −1 : plus est moins bien)",
    "reading": "Lecture de l'écart",
    "label_fr": "Écart (texte)",
    # objectives
    "enjeu": "Enjeu (numéro)",
    "enjeu_title": "Enjeu",
    "strategic_objective": "Objectif stratégique",
    "operational_objective": "Objectif opérationnel",
    "action_rank": "Rang de l'action",
    "action": "Action",
    "enjeu_id": "Identifiant de l'enjeu",
    "objective_id": "Identifiant de l'objectif",
    "action_id": "Identifiant de l'action",
    # follow-up of the actions, the commune's indicators
    "annee": "Année",
    "etat": "État",
    "porteur": "Porteur",
    "partenaires": "Partenaires",
    "financement_prevu": "Financements prévus (€)",
    "financement_realise": "Financements réalisés (€)",
    "indicateur_realisation": "Indicateur de réalisation",
    "valeur_realisation": "Valeur de l'indicateur de réalisation",
    "commentaire": "Commentaire",
    "fichier": "Fichier",
    "ligne": "Ligne du fichier",
    "territory_type": "Type de territoire",
    "territory": "Territoire",
    "file": "Fichier",
    # IPS
    "uai": "UAI",
    "rentree": "Rentrée scolaire",
    "niveau": "Niveau",
    "commune_code": "Code commune",
    "commune_nom": "Commune",
    "nom_etablissement": "Établissement",
    "secteur": "Secteur",
    "ips": "IPS",
    "ips_marker": "Marque IPS (NS : non significatif)",
    "effectifs": "Effectifs",
    "effectifs_marker": "Marque effectifs",
    "ips_ecart_type": "Écart-type de l'IPS",
    "ips_ecart_type_marker": "Marque écart-type",
    "ips_national": "IPS national",
    "ips_national_public": "IPS national public",
    "ips_national_prive": "IPS national privé",
    "ips_academique": "IPS académique",
    "ips_academique_public": "IPS académique public",
    "ips_academique_prive": "IPS académique privé",
    "ips_departemental": "IPS départemental",
    "ips_departemental_public": "IPS départemental public",
    "ips_departemental_prive": "IPS départemental privé",
    "territoire_type": "Type de territoire",
    "territoire_code": "Code du territoire",
    "territoire_nom": "Territoire",
    "n_etablissements": "Nombre d'établissements",
    "n_ips": "Nombre d'IPS publiés",
    "n_ns": "Nombre d'IPS « NS »",
    "ips_moyen": "IPS moyen (non pondéré)",
    "ips_moyen_pondere": "IPS moyen pondéré par les effectifs",
    "ips_publie": "IPS publié",
    "ips_epci": "IPS moyen de {epci}",
    "ecart_epci": "Écart à {epci} (points d'IPS)",
    # communes
    "nom": "Nom",
    "epci_siren": "SIREN de l'EPCI",
    "epci_nom": "EPCI",
    "population_municipale": "Population municipale",
    "population_totale": "Population totale",
    "siren_commune": "SIREN de la commune",
    "departement": "Département",
    "arrondissement": "Arrondissement",
    "codes_postaux": "Codes postaux",
    "concerne_quartiers": "Commune concernée par un quartier",
    # checks and notes
    "check_id": "Contrôle",
    "convention_value": "Valeur de la convention",
    "open_data_value": "Valeur des données ouvertes",
    "method": "Méthode",
    "message": "Message",
    # Filosofi grid and its aggregates
    "idcar_200m": "Identifiant du carreau (INSPIRE)",
    "x": "X du coin inférieur gauche (EPSG:3035)",
    "y": "Y du coin inférieur gauche (EPSG:3035)",
    "i_est": "Carreau imputé (1 = oui)",
    "ind": "Personnes (carroyage)",
    "men": "Ménages (carroyage)",
    "men_pauv": "Ménages pauvres (carroyage)",
    "ind_snv": "Somme des niveaux de vie (€)",
    "log_soc": "Logements sociaux",
    "log_total": "Logements",
    "n_cells": "Nombre de carreaux habités",
    "part_menages_pauvres": "Part des ménages pauvres (Filosofi, carreaux de 200 m, estimation, %)",
    "niveau_vie_moyen": "Niveau de vie moyen par personne (carreaux de 200 m, estimation, €)",
    "part_logements_sociaux": "Part des logements sociaux (carreaux de 200 m, estimation, %)",
    "part_ind_cellules_imputees": "Part des personnes dans des carreaux imputés (%)",
    "n_cells_pauv_gt_30": "Carreaux où plus de 30 % des ménages sont pauvres",
    "secret": "Secret statistique",
    "secret_reason": "Motif du secret",
    "incomplete": "Données incomplètes",
    "incomplete_reason": "Motif des données incomplètes",
    # references and trends (issue 12)
    "voie": "Voie (lycées : GT, PRO, ensemble)",
    "mesure": "Mesure",
    "valeur": "Valeur",
    "methode": "Méthode",
    "millesime": "Millésime",
    "ecart": "Écart au chiffre de la convention",
    "concordant": "Égal au chiffre de la convention à l'arrondi près",
    "recommande": "Chiffre à retenir pour l'agglomération",
    "conclusion": "Conclusion",
    "menages_fiscaux": "Ménages fiscaux (Filosofi 2021)",
    "taux_pauvrete": "Taux de pauvreté à 60 % (Filosofi 2021, %)",
    "taux_pauvrete_marker": "Marque taux de pauvreté (s : secret)",
    "niveau_vie_median": "Niveau de vie médian (Filosofi 2021, €)",
    "niveau_vie_median_marker": "Marque niveau de vie (s : secret)",
    "population_rp": "Population (RP 2021, source secondaire)",
    "pop_15_64": "Population de 15-64 ans (RP 2021)",
    "taux_emploi_15_64": "Taux d'emploi des 15-64 ans (RP 2021, source secondaire, %)",
    "source_filosofi": "Source (Filosofi)",
    "source_rp": "Source (recensement)",
    "method_label": "Méthode d'agrégation (libellé)",
    "default_method": "Méthode publiée (par défaut)",
    "estimate": "Nature des chiffres",
    # QPV contours and their repairs
    "lib_qp": "Nom du QPV",
    "insee_com": "Codes INSEE des communes",
    "siren_epci": "SIREN des EPCI",
    "in_epci": "QPV de l'EPCI",
    "area_ha": "Surface (ha, Lambert-93)",
    "repaired": "Contour réparé",
    "feature": "Objet dans le fichier (index à partir de 0)",
    "invalid_reason": "Défaut du polygone (shapely.is_valid_reason)",
    "area_before_ha": "Surface avant réparation (ha)",
    "area_after_ha": "Surface après réparation (ha)",
    "area_change_pct": "Variation de surface (%)",
    "repair": "Réparation",
}


def fill_epci(texts: Mapping[str, str], epci_label: str | None) -> dict[str, str]:
    """``texts`` with ``{epci}`` replaced by the EPCI's label and its article."""
    phrase = the_epci(epci_label)
    return {key: text.replace("{epci}", phrase) for key, text in texts.items()}


def sheets_fr(epci_label: str | None) -> dict[str, str]:
    """:data:`SHEETS_FR` for the EPCI labelled ``epci_label`` (generic when ``None``)."""
    return fill_epci(SHEETS_FR, epci_label)


def headers_fr(epci_label: str | None) -> dict[str, str]:
    """:data:`HEADERS_FR` for the EPCI labelled ``epci_label`` (generic when ``None``)."""
    return fill_epci(HEADERS_FR, epci_label)


#: What one row of each table is, for the « Lisez-moi » sheet of the workbook (French;
#: ``{epci}`` filled as in the sheet names). A table without entry is listed without it.
DESCRIPTIONS_FR: dict[str, str] = {
    "quartiers": "Un quartier par ligne : nom, statut (QPV ou quartier d'intérêt "
    "communautaire), code officiel, communes, source et millésime de son portrait, "
    "avertissements, points d'irritation, opportunités et enjeux de la convention.",
    "portrait": "Un indicateur du portrait statistique d'un quartier par ligne, tel que la "
    "convention le donne : valeur, unité, précision (exacte, environ, au moins), valeur de "
    "référence de {epci}, source, millésime, ligne du texte.",
    "gaps": "Un indicateur d'un quartier ayant une valeur de référence par ligne : écart en "
    "points (quartier moins {epci}), indice pour l'IPS, précision de l'écart et lecture "
    "(défavorable, favorable, équivalent…).",
    "objectives": "Une action de la convention par ligne, avec son enjeu, ses objectifs "
    "stratégique et opérationnel et ses identifiants stables.",
    "checks": "Les IPS de la convention rapprochés des données ouvertes de la DEPP, avec la "
    "méthode et le constat.",
    "ips_communes": "IPS moyen des écoles et collèges de chaque commune de {epci} et de "
    "l'ensemble de ses communes, par rentrée, niveau et secteur ; établissements et IPS "
    "« NS » comptés.",
    "ips_quartiers": "La même chose pour les établissements que la commune associe à chaque "
    "quartier (vide tant que la commune ne les a pas listés).",
    "ips": "Un établissement (école ou collège) du département par rentrée : IPS publié par "
    "la DEPP ; « NS » (non significatif) laissé vide avec sa marque, jamais 0.",
    "communes": "Les communes membres de {epci} : codes, population, commune concernée "
    "par un quartier (contours dans le GeoPackage).",
    "grid_quartiers": "Le carroyage Filosofi agrégé à chaque quartier selon trois méthodes ; "
    "aucun chiffre sous 11 ménages (secret statistique).",
    "suivi": "Le suivi annuel des actions rempli par la commune : état, porteur, "
    "financements, indicateur de réalisation.",
    "series_commune": "Les indicateurs transmis par la commune, par territoire, indicateur "
    "et année, avec leur source.",
    "quartier_shapes": "Les périmètres des quartiers (contours officiels ou tracés par la "
    "commune).",
    "grid": "Les carreaux Filosofi de 200 m ; chiffres masqués sous 11 ménages.",
    "references": "Les lectures possibles des chiffres de référence de la convention "
    "(échelle, millésime, niveau, mesure), chacune avec sa valeur dans les données ouvertes "
    "et son écart au chiffre de la convention.",
    "references_conclusions": "Pour chaque chiffre de référence de la convention : ce à "
    "quoi il correspond et le chiffre à retenir.",
    "ips_echelles": "L'IPS à chaque échelle (établissement, quartier, commune, {epci}, "
    "département, académie, France), par rentrée, niveau, voie, secteur et mesure.",
    "communes_indicateurs": "Pauvreté (Filosofi) et emploi (recensement) de chaque commune "
    "concernée ; « s » : secret statistique.",
    "series": "Les séries des indicateurs par territoire et millésime, avec leur source et "
    "leur méthode.",
}
