"""The indicators a convention's « portrait statistique » may give.

One :class:`Indicator` per statistic of the contrat de ville template: a stable id, the
pattern that recognises its label as written, its unit, whether it is a rate (gaps in
percentage points) or a level (gaps as a difference and an index), and its polarity
(does a higher value mean a better or a worse situation for the quartier?).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["rate", "level", "count"]


@dataclass(frozen=True)
class Indicator:
    """A statistic of the portrait.

    Attributes
    ----------
    id
        Stable ASCII id used in every table.
    label_fr
        Short French label for charts and tables.
    pattern
        Regular expression matched against the normalised label as written.
    kind
        ``rate`` (a percentage; gaps in points), ``level`` (an index such as the IPS;
        gaps as a difference and an index) or ``count`` (population, area; no gap).
    polarity
        ``+1`` when a higher value is a better situation, ``-1`` when worse, ``0`` when
        neither (no favourable / unfavourable reading is given).
    unit
        Expected unit: ``%`` for rates, ``None`` for an index, a word for counts.
    bounds
        Plausible range; a value outside it is an input error.
    order
        Display order: poverty, employment and IPS first, as the comité reads them.
    whole
        The value counts people (or things): a whole number.

    Every indicator has a plausibility rule (:func:`implausible`): rates within 0–100,
    counts whole and positive, surfaces positive, the IPS within the range the DEPP
    publishes for schools (40–180 here; the shipped Pas-de-Calais files span 61.5–146.4).
    """

    id: str
    label_fr: str
    pattern: str
    kind: Kind
    polarity: int
    unit: str | None
    bounds: tuple[float, float]
    order: int
    whole: bool = False


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "poverty_rate", "Taux de pauvreté", r"^taux de pauvrete\b", "rate", -1, "%", (0, 100), 1
    ),
    Indicator(
        "employment_rate_15_64",
        "Taux d'emploi des 15-64 ans",
        r"^taux d'emploi( des 15 ?- ?64 ans)?\b",
        "rate",
        +1,
        "%",
        (0, 100),
        2,
    ),
    Indicator(
        "school_ips",
        "IPS des établissements scolaires",
        r"^indice de position(nement)? social",
        "level",
        +1,
        None,
        (40, 180),
        3,
    ),
    Indicator(
        "neet_16_25",
        "Part des 16-25 ans non scolarisés et sans emploi",
        r"^part des 16 ?- ?25 ans non scolarises et sans emploi",
        "rate",
        -1,
        "%",
        (0, 100),
        4,
    ),
    Indicator(
        "share_under_25",
        "Part des moins de 25 ans",
        r"^part des (- de|moins de) 25 ans",
        "rate",
        0,
        "%",
        (0, 100),
        5,
    ),
    Indicator(
        "social_housing_share",
        "Part du parc social",
        r"^part du parc (locatif )?social",
        "rate",
        0,
        "%",
        (0, 100),
        6,
    ),
    Indicator(
        "single_parent_families_share",
        "Part des familles monoparentales",
        r"^part des familles monoparentales",
        "rate",
        -1,
        "%",
        (0, 100),
        7,
    ),
    Indicator(
        "population",
        "Population",
        r"^population$",
        "count",
        0,
        "habitants",
        (1, 10_000_000),
        8,
        True,
    ),
    Indicator("area_ha", "Surface", r"^surface$", "count", 0, "hectares", (0, 1_000_000), 9),
)

BY_ID: dict[str, Indicator] = {ind.id: ind for ind in INDICATORS}


def implausible(indicator: Indicator, value: float) -> str | None:
    """What ``value`` should be for ``indicator`` when it is not plausible, else ``None``.

    >>> implausible(BY_ID["population"], 1.6)
    'a whole number of habitants'
    >>> implausible(BY_ID["area_ha"], 0) is None, implausible(BY_ID["poverty_rate"], 101)
    (False, 'between 0 and 100')
    """
    low, high = indicator.bounds
    if indicator.kind == "count" and not value > 0:
        return f"a positive number of {indicator.unit}"
    if indicator.whole and not float(value).is_integer():
        return f"a whole number of {indicator.unit}"
    if not low <= value <= high:
        return f"between {low:g} and {high:g}"
    return None


def normalise_label(label: str) -> str:
    """Lower-case, accents removed, apostrophes and spaces folded.

    >>> normalise_label("Taux d’emploi des 15-64 ans")
    "taux d'emploi des 15-64 ans"
    """
    text = unicodedata.normalize("NFKD", label.replace("**", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"\s+", " ", text).strip().lower()
    return text


def match_indicator(label: str) -> Indicator | None:
    """The indicator whose pattern matches ``label`` as written, or ``None``.

    >>> match_indicator("Part des - de 25 ans").id
    'share_under_25'
    >>> match_indicator("Nombre de licornes") is None
    True
    """
    normalised = normalise_label(label)
    for indicator in INDICATORS:
        if re.search(indicator.pattern, normalised):
            return indicator
    return None
