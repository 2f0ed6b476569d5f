"""French numbers: parsing the convention's figures and formatting them for readers.

Parsing turns the convention's written values into a :class:`Quantity` that keeps its
qualifier, because « environ 1 600 habitants » and « + de 95 % » are not exact figures
and must never be shown as if they were:

>>> parse_quantity("environ **1 600 habitants**")
Quantity(value=1600.0, unit='habitants', qualifier='approx', decimals=0)
>>> parse_quantity("+ de 95%")
Quantity(value=95.0, unit='%', qualifier='lower_bound', decimals=0)
>>> parse_quantity("18,8%").value
18.8

Formatting follows French typography with Babel (``fr_FR``): decimal comma, narrow
no-break space (U+202F) between thousands, no-break space (U+00A0) before ``%``, and the
true minus sign (U+2212). Rounding is half away from zero, as official statistics do
(Babel alone rounds half to even).

>>> format_number(1600) == "1\\u202f600"
True
>>> format_percent(18.8) == "18,8\\u00a0%"
True
>>> format_points(-20.7) == "\\u221220,7\\u00a0points"
True
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Literal

from babel.numbers import format_decimal

from indicators.errors import InputError

LOCALE = "fr_FR"
NBSP = "\u00a0"
NNBSP = "\u202f"
MINUS = "\u2212"
MISSING_TEXT = "non disponible"

Qualifier = Literal["exact", "approx", "lower_bound", "upper_bound"]
QUALIFIERS: tuple[str, ...] = ("exact", "approx", "lower_bound", "upper_bound")

# Words that qualify a figure, as they are written in French administrative texts.
_QUALIFIER_PATTERNS: tuple[tuple[re.Pattern[str], Qualifier], ...] = (
    (
        re.compile(r"^(?:\+\s*de|plus\s+de|au\s+moins|sup[ée]rieure?\s+[àa]|>)\s*", re.I),
        "lower_bound",
    ),
    (re.compile(r"^(?:-\s*de|moins\s+de|inf[ée]rieure?\s+[àa]|<)\s*", re.I), "upper_bound"),
    (re.compile(r"^(?:environ|près\s+de|pres\s+de|~|≈|quasiment|presque)\s*", re.I), "approx"),
)
# A number in French notation: digits grouped by (no-break) spaces, optional decimal comma.
_NUMBER = re.compile(r"^(?P<int>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[,.](?P<dec>\d+))?")
_UNIT = re.compile(r"^(?P<unit>%|[^\W\d_][\w\-]*)?\s*$")


@dataclass(frozen=True)
class Quantity:
    """A parsed figure: value, unit as written (``%``, ``habitants``...), qualifier."""

    value: float
    unit: str | None
    qualifier: Qualifier
    decimals: int


def _clean(text: str) -> str:
    """Drop markdown emphasis and fold every kind of space to a plain one."""
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"[\s\u00a0\u202f\u2009]+", " ", text)
    return text.strip().rstrip(".").strip()


def parse_quantity(
    text: str,
    *,
    path: str | None = None,
    line: int | None = None,
    context: str | None = None,
) -> Quantity:
    """Parse a French figure such as « environ 1 600 habitants » or « + de 95% ».

    Parameters
    ----------
    text
        The value as written (markdown bold and any kind of space allowed).
    path, line, context
        Where the text comes from, used in the error message (e.g. the quartier).

    Raises
    ------
    InputError
        When the text is not one number with an optional qualifier and unit.
    """
    error = partial(InputError, path=path, line=line, context=context, found=text.strip())
    cleaned = _clean(text)
    qualifier: Qualifier = "exact"
    for pattern, name in _QUALIFIER_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            qualifier = name
            cleaned = cleaned[match.end() :]
            break
    number = _NUMBER.match(cleaned)
    if number is None:
        raise error("a French number (e.g. « 1 600 », « 18,8 % », « + de 95 % »)")
    _refuse_ambiguous(cleaned, number, error)
    integer = re.sub(r"[ \u00a0\u202f]", "", number.group("int"))
    decimals = number.group("dec") or ""
    value = float(f"{integer}.{decimals}" if decimals else integer)
    rest = cleaned[number.end() :].strip()
    unit_match = _UNIT.match(rest)
    if unit_match is None:
        raise error("one number followed by at most a unit")
    return Quantity(value, unit_match.group("unit"), qualifier, len(decimals))


# « 1,600 », « 1.600 », « 1'600 »: a separator followed by exactly three digits after one
# to three digits may be a thousands separator (English, German, Swiss writing) as well as
# a decimal mark. French groups thousands with spaces, so such a writing is refused.
_AMBIGUOUS = re.compile(r"^[1-9]\d{0,2}(?:[,.'’]\d{3})+(?!\d)")


def _refuse_ambiguous(
    cleaned: str, number: re.Match[str], error: Callable[[str], InputError]
) -> None:
    """Refuse a number whose separator could be a thousands separator (see ``_AMBIGUOUS``).

    ``error`` makes the error from what was expected (it knows the place and the text).

    >>> try:
    ...     parse_quantity("environ 1,600 habitants")
    ... except InputError as error:
    ...     print(str(error).split(";")[1])
     write « 1 600 » or « 1,6 », found 'environ 1,600 habitants'
    """
    ambiguous = _AMBIGUOUS.match(cleaned)
    if ambiguous is None:
        return
    written = ambiguous.group(0)
    grouped = format_number(float(re.sub(r"\D", "", written)))
    head, tail = re.split(r"[,.'’]", written, maxsplit=1)
    reading = f"« {grouped} »"
    if tail.isdigit():  # one separator: a decimal reading exists too
        reading += f" or « {head},{tail.rstrip('0') or '0'} »"
    raise error(
        f"an unambiguous number: « {written} » may use a thousands separator that French"
        f" writes as a space; write {reading}"
    )


def _round_half_up(value: float, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def _is_missing(value: object) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    # pandas.NA, without importing pandas (a value can only be it once pandas is loaded)
    pandas = sys.modules.get("pandas")
    return pandas is not None and value is getattr(pandas, "NA", None)


def format_number(value: float | None, decimals: int = 0, *, sign: bool = False) -> str:
    """A number in French format, e.g. ``1 600`` or ``18,8``; missing → « non disponible ».

    >>> format_number(32.05, 1)
    '32,1'
    >>> format_number(None)
    'non disponible'
    """
    if _is_missing(value):
        return MISSING_TEXT
    rounded = _round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(abs(rounded), format=pattern, locale=LOCALE)
    text = text.replace(NBSP, NNBSP).replace(" ", NNBSP)
    if rounded < 0:
        return MINUS + text
    if sign and rounded > 0:
        return "+" + text
    return text


def format_percent(value: float | None, decimals: int = 1, *, sign: bool = False) -> str:
    """A percentage given in percent (``18.8`` → « 18,8 % »)."""
    if _is_missing(value):
        return MISSING_TEXT
    return format_number(value, decimals, sign=sign) + NBSP + "%"


def format_points(value: float | None, decimals: int = 1) -> str:
    """A signed gap in percentage points (« +32,1 points », « −20,7 points »)."""
    if _is_missing(value):
        return MISSING_TEXT
    return format_number(value, decimals, sign=True) + NBSP + "points"


_QUALIFIER_PREFIX = {
    "exact": "",
    "approx": "environ ",
    "lower_bound": "plus de ",
    "upper_bound": "moins de ",
}


def qualifier_prefix(qualifier: str) -> str:
    """The French words that go before a qualified figure (« environ », « plus de »)."""
    try:
        return _QUALIFIER_PREFIX[qualifier]
    except KeyError:
        raise ValueError(f"unknown qualifier {qualifier!r}; expected one of {QUALIFIERS}") from None


def format_value(
    value: float | None,
    unit: str | None = None,
    qualifier: str = "exact",
    decimals: int | None = None,
) -> str:
    """A figure with its unit and qualifier, as a French reader expects it.

    >>> format_value(1600, "habitants", "approx") == "environ 1\\u202f600 habitants"
    True
    >>> format_value(95, "%", "lower_bound") == "plus de 95\\u00a0%"
    True
    """
    if _is_missing(value):
        return MISSING_TEXT
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    if unit == "%":
        body = format_percent(value, decimals)
    else:
        body = format_number(value, decimals) + (f" {unit}" if unit else "")
    return qualifier_prefix(qualifier) + body
