"""Short caveats that an exported figure carries in its own note (French).

A chart copied out of the reports (PNG, SVG) loses the text around it, so a warning the
reports give next to a chart is also written under the chart itself. The text is built
from the build's ``checks`` table (:mod:`indicators.analysis.crosscheck`).

>>> import pandas as pd
>>> checks = pd.DataFrame({"quartier_id": [None, None], "status": ["écart", "écart"],
...     "convention_value": [104.0, 104.0], "open_data_value": [93.26, 93.81]})
>>> print(ips_reference_caveat(checks))  # doctest: +NORMALIZE_WHITESPACE
Attention : l'IPS de référence de l'agglomération donné par la convention (104) ne
correspond pas à la moyenne des écoles de l'agglomération dans les données ouvertes de la
DEPP (93,3 à 93,8 selon la rentrée) ; l'écart d'IPS est à lire avec prudence.
"""

from __future__ import annotations

import pandas as pd

from indicators.numbers import format_number, format_value

__all__ = ["IPS_CAVEAT_START", "ips_reference_caveat"]

#: The first words of :func:`ips_reference_caveat` (to find it in a figure).
IPS_CAVEAT_START = "Attention : l'IPS de référence"

_COLUMNS = ("quartier_id", "status", "convention_value", "open_data_value")


def ips_reference_caveat(checks: pd.DataFrame | None) -> str | None:
    """The warning on the agglomeration's IPS of the convention, or ``None``.

    ``None`` when there is no ``checks`` table or when the open data agree with the
    convention (no agglomeration row with the status « écart »).
    """
    if checks is None or checks.empty or not set(_COLUMNS) <= set(checks.columns):
        return None
    rows = checks[
        checks["quartier_id"].isna()
        & checks["status"].eq("écart")
        & checks["open_data_value"].notna()
    ]
    if rows.empty:
        return None
    low = format_number(rows["open_data_value"].min(), 1)
    high = format_number(rows["open_data_value"].max(), 1)
    found = low if low == high else f"{low} à {high} selon la rentrée"
    reference = format_value(rows["convention_value"].iloc[0])
    return (
        f"{IPS_CAVEAT_START} de l'agglomération donné par la convention ({reference}) "
        "ne correspond pas à la moyenne des écoles de l'agglomération dans les données "
        f"ouvertes de la DEPP ({found}) ; l'écart d'IPS est à lire avec prudence."
    )
