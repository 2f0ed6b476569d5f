"""French number parsing and formatting."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.errors import IndicatorsError, InputError
from indicators.numbers import (
    Quantity,
    format_number,
    format_percent,
    format_points,
    format_value,
    parse_quantity,
)

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 600", Quantity(1600.0, None, "exact", 0)),
        ("18,8%", Quantity(18.8, "%", "exact", 1)),
        ("38 %", Quantity(38.0, "%", "exact", 0)),
        ("+ de 95%", Quantity(95.0, "%", "lower_bound", 0)),
        ("**+ de 30%**", Quantity(30.0, "%", "lower_bound", 0)),
        ("environ **1 600 habitants**", Quantity(1600.0, "habitants", "approx", 0)),
        (f"environ 1{NBSP}600 habitants", Quantity(1600.0, "habitants", "approx", 0)),
        (f"1{NNBSP}600", Quantity(1600.0, None, "exact", 0)),
        (f"50,9{NBSP}%", Quantity(50.9, "%", "exact", 1)),
        ("**44 hectares**.", Quantity(44.0, "hectares", "exact", 0)),
        ("**79**", Quantity(79.0, None, "exact", 0)),
        ("moins de 5 %", Quantity(5.0, "%", "upper_bound", 0)),
        ("12 345 678,25", Quantity(12345678.25, None, "exact", 2)),
    ],
)
def test_parse_quantity(text: str, expected: Quantity) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize("text", ["", "NS", "abc %", "18,8 % 20 %", "1 60", "--5", "12 ans et 3"])
def test_malformed_values_name_the_place(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_quantity(text, path="conv.txt", line=12, context="quartier 'Cités 6 et 30'")
    message = str(caught.value)
    assert message.startswith("conv.txt, line 12, quartier 'Cités 6 et 30': expected")
    assert "\n" not in message


def test_formatting_follows_french_typography() -> None:
    assert format_number(1600) == f"1{NNBSP}600"
    assert format_percent(18.8) == f"18,8{NBSP}%"
    assert format_points(32.1) == f"+32,1{NBSP}points"
    assert format_points(-20.7) == f"\u221220,7{NBSP}points"
    assert format_number(-25, 0, sign=True) == "\u221225"
    assert format_value(1600, "habitants", "approx") == f"environ 1{NNBSP}600 habitants"
    assert format_value(95, "%", "lower_bound") == f"plus de 95{NBSP}%"
    assert format_value(float("nan"), "%") == "non disponible"


def test_rounding_is_half_away_from_zero() -> None:
    # Babel alone rounds half to even (32,0); official statistics round 32,05 to 32,1.
    assert format_number(32.05, 1) == "32,1"
    assert format_number(0.125, 2) == "0,13"
    assert format_number(-0.04, 1) == "0,0"


_spaces = st.sampled_from([" ", NBSP, NNBSP])


@given(
    value=st.integers(min_value=0, max_value=10**9),
    decimals=st.integers(min_value=0, max_value=3),
    space=_spaces,
    unit=st.sampled_from(["", "%", " %", f"{NBSP}%", " habitants"]),
    prefix=st.sampled_from(["", "environ ", "+ de ", "plus de ", "**"]),
)
def test_format_then_parse_round_trips(value, decimals, space, unit, prefix) -> None:
    number = value / 10**decimals
    text = format_number(number, decimals).replace(NNBSP, space)
    if decimals == 3 and 1 <= number < 1000:
        # « 1,234 » may be 1 234 written with a thousands comma: refused, never guessed.
        with pytest.raises(InputError, match="unambiguous number"):
            parse_quantity(prefix + text + unit)
        return
    quantity = parse_quantity(prefix + text + unit)
    assert math.isclose(quantity.value, number, rel_tol=0, abs_tol=10 ** -(decimals + 1))
    assert quantity.decimals == decimals
    expected_unit = unit.strip(" " + NBSP) or None
    assert quantity.unit == expected_unit


@given(st.text(max_size=40))
def test_parser_raises_only_project_errors(text: str) -> None:
    with contextlib.suppress(IndicatorsError):
        parse_quantity(text)
