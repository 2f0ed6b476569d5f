"""How the reports name the territory: every name comes from the :class:`Territory`.

>>> from indicators.report.examples import example_territory
>>> territory = example_territory()
>>> communes_fr(territory), of_communes_fr(territory)
('Commune A', 'de Commune A')
>>> reference_column_fr(territory), epci_full_name_fr(territory)
('Agglomération (CAEX)', "Communauté d'agglomération d'Exemple (CAEX)")
"""

from __future__ import annotations

from indicators.territory import Territory

_VOWELS = "AEIOUYÀÂÉÈÊÎÔÛ"


def communes_fr(territory: Territory) -> str:
    """The commune(s) signing the convention: « A », « A et B », « A, B et C »."""
    names = [commune.name for commune in territory.communes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def of_communes_fr(territory: Territory) -> str:
    """« de A » (« d'A » before a vowel), as in « la convention de A »."""
    text = communes_fr(territory)
    return ("d'" if text[:1].upper() in _VOWELS else "de ") + text


def reference_column_fr(territory: Territory) -> str:
    """Header of the column of the convention's reference figures: « Agglomération (X) »."""
    return f"Agglomération ({territory.reference_label})"


def epci_column_fr(territory: Territory) -> str:
    """Name of the EPCI as a row of a table of territories: « Agglomération (X) »."""
    return f"Agglomération ({territory.epci.label})"


def epci_full_name_fr(territory: Territory) -> str:
    """The EPCI's full name and its label: « Communauté d'agglomération … (X) »."""
    return f"{territory.epci.name} ({territory.epci.label})"


__all__ = [
    "communes_fr",
    "epci_column_fr",
    "epci_full_name_fr",
    "of_communes_fr",
    "reference_column_fr",
]
