"""Fuzzing the convention parser: random and mutated texts raise only the project's errors."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.convention.parse import parse_convention
from indicators.convention.text import decode_convention
from indicators.errors import IndicatorsError

from .conftest import CONVENTION, FIXTURES, REFERENCE

REAL = CONVENTION.read_text(encoding="utf-8").split("\n")
EXCERPT = (FIXTURES / "convention" / "template_minimal.txt").read_text(encoding="utf-8").split("\n")
_FRAGMENTS = [
    "\t",
    "•",
    '<ul style="list-style-type: none">',
    "<p>",
    "Statut : ",
    "Projet de quartier « X »",
    "ENJEU 9 : ",
    " : ",
    "(",
    ")",
    "%",
    "+ de ",
    "environ ",
    "**",
    "\u00a0",
    "Taux de pauvreté : ",
    "Portrait statistique",
    "- ",
    "",
]


def _parse(lines: list[str]) -> None:
    try:
        parse_convention("\n".join(lines), reference_label=REFERENCE, path="fuzz.txt")
    except IndicatorsError as error:
        message = str(error)
        assert message.startswith("fuzz.txt")
        assert "\n" not in message


@st.composite
def mutated(draw, base: list[str]):
    lines = list(base)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "splice", "truncate"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "insert":
            lines.insert(index, draw(st.sampled_from(_FRAGMENTS)) + draw(st.text(max_size=20)))
        elif action == "splice":
            line = lines[index]
            cut = draw(st.integers(min_value=0, max_value=len(line)))
            lines[index] = line[:cut] + draw(st.sampled_from(_FRAGMENTS)) + line[cut:]
        else:
            lines[index] = lines[index][: draw(st.integers(min_value=0, max_value=40))]
    return lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(REAL))
def test_mutated_real_convention(lines: list[str]) -> None:
    _parse(lines)


@settings(max_examples=150, deadline=None)
@given(mutated(EXCERPT))
def test_mutated_template_excerpt(lines: list[str]) -> None:
    _parse(lines)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=30)), max_size=30))
def test_random_text(lines: list[str]) -> None:
    _parse(lines)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    with contextlib.suppress(IndicatorsError):
        parse_convention(
            decode_convention(data, "fuzz.txt"), reference_label=REFERENCE, path="fuzz.txt"
        )
