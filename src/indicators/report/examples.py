"""Tiny synthetic tables in the real layout, for doctests and examples only.

Their territory is fictional too (:func:`example_territory`: « Commune A » in the
« CAEX »), so that no doctest names the real commune.

>>> example_tables().quartiers["name"].tolist()
['Quartier <synthétique>']
>>> example_tables().territory.reference_label
'CAEX'
"""

from __future__ import annotations

import pandas as pd

from indicators.report.tables import Tables
from indicators.territory import Commune, Departement, Epci, Territory


def example_territory() -> Territory:
    """A fictional territory: one commune, « Commune A », in a fictional EPCI « CAEX »."""
    return Territory(
        convention_file="convention/convention-exemple.txt",
        reference_label="CAEX",
        communes=(Commune("99001", "Commune A"),),
        epci=Epci("000000000", "Communauté d'agglomération d'Exemple", "CAEX", 2),
        departement=Departement("99", "Exemple"),
        academie="Exemple",
        epci_members_dir="exemple_epci",
        commune_boundaries_dir="exemple_communes",
        quartier_codes={"q1": "QP000000"},
    )


def example_tables() -> Tables:
    """Tiny synthetic tables in the real layout (for doctests and examples only)."""
    territory = example_territory()
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
            "reference_territory": [territory.reference_label],
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
            "reference_territory": [territory.reference_label],
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
    return Tables(quartiers, portrait, gaps, objectives, manifest, territory=territory)


__all__ = [
    "example_tables",
    "example_territory",
]
