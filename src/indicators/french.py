"""French wording: plurals and dates as a reader expects them.

« 2 indicateurs subsistent », never « 2 indicateur(s) subsiste(nt) »; « 1er décembre
2026 », never « 1 décembre 2026 ». Numbers use French typography
(:func:`indicators.numbers.format_number`: « 1 600 »).

>>> plural(1, "indicateur"), plural(2, "indicateur"), plural(0, "commune")
('1 indicateur', '2 indicateurs', '0 commune')
>>> plural(3, "établissement × rentrée", "établissements × rentrée")
'3 établissements × rentrée'
>>> date_fr("2026-12-01"), date_fr("2026-06-12")
('1er décembre 2026', '12 juin 2026')
"""

from __future__ import annotations

import datetime as _dt

from indicators.numbers import format_number

__all__ = ["MONTHS", "date_fr", "day_fr", "plural", "plural_word"]

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def plural_word(n: float, singular: str, plural_form: str | None = None) -> str:
    """``singular`` for 0 and 1 (French rule), else ``plural_form`` (default: + « s »)."""
    if abs(n) < 2:
        return singular
    return plural_form if plural_form is not None else singular + "s"


def plural(n: float, singular: str, plural_form: str | None = None) -> str:
    """« 1 commune », « 18 communes », « 1 600 habitants » (French number format)."""
    return f"{format_number(n)} {plural_word(n, singular, plural_form)}"


def day_fr(day: int) -> str:
    """« 1er » for the first of the month, else the number."""
    return "1er" if day == 1 else str(day)


def date_fr(value: str | _dt.date) -> str:
    """« 1er décembre 2026 » from a date or an ISO date (``AAAA-MM-JJ``)."""
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value[:10])
    return f"{day_fr(value.day)} {MONTHS[value.month - 1]} {value.year}"
