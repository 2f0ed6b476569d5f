"""Portrait lines of a quartier: source, value, reference figure, unit and bounds checks.

A portrait line reads « Indicateur : valeur (référence sur l'ensemble de
l'agglomération) »; the reference figure is the agglomeration's, labelled with the
territory's ``reference_label`` (``data/raw/territory.toml``).
"""

from __future__ import annotations

import re

from indicators.catalog import Indicator, implausible, normalise_label
from indicators.convention.text import clean_text
from indicators.errors import InputError
from indicators.numbers import parse_quantity

_REFERENCE = re.compile(r"^(?P<number>.+?)\s+sur l'ensemble\s+(?P<scope>.+?)\s*$", re.I)


def parse_source(text: str) -> dict[str, str | None]:
    """Split « données sigville 2022 basées sur l'ancien périmètre » into its parts.

    >>> parse_source("données sigville 2022 basées sur l'ancien périmètre")["perimeter"]
    'ancien périmètre'
    >>> parse_source("données 2024 de la Préfecture du Pas-de-Calais")["source"]
    'Préfecture du Pas-de-Calais'
    """
    body = clean_text(text)
    perimeter = None
    match = re.search(r"\s*bas[ée]es? sur (?:l'|le |la |les )?(?P<p>.+)$", body, re.I)
    if match:
        perimeter = match.group("p").strip()
        body = body[: match.start()]
    year = re.search(r"\b(19|20)\d{2}\b", body)
    vintage = year.group(0) if year else None
    if year:
        body = body[: year.start()] + body[year.end() :]
    body = re.sub(r"^\s*donn[ée]es\s*", "", body, flags=re.I).strip()
    body = re.sub(r"^(de la|de l'|du|des|de)\s+", "", body, flags=re.I).strip()
    return {"source": body or None, "vintage": vintage, "perimeter": perimeter}


def portrait_row(
    indicator: Indicator,
    label: str,
    rest: str,
    *,
    quartier: str,
    path: str,
    line: int,
    reference_label: str,
) -> dict[str, object]:
    """One portrait row from the text after « label : », checked against ``indicator``.

    A reference figure gets ``reference_label`` as its ``reference_territory``.
    """
    context = f"quartier {quartier!r}"
    rest = rest.strip()
    value_text, paren = rest, None
    if "(" in rest:
        cut = rest.index("(")
        value_text = rest[:cut]
        closing = rest.rfind(")")
        paren = rest[cut + 1 : closing if closing > cut else None].strip()
    value_text = clean_text(value_text).rstrip(".").strip()
    quantity = parse_quantity(value_text, path=path, line=line, context=context)
    row: dict[str, object] = {
        "indicator_id": indicator.id,
        "label": clean_text(label),
        "value": quantity.value,
        "unit": quantity.unit,
        "qualifier": quantity.qualifier,
        "decimals": quantity.decimals,
        "value_text": value_text,
        "reference_value": None,
        "reference_qualifier": None,
        "reference_decimals": None,
        "reference_territory": None,
        "reference_scope": None,
        "note": None,
        "line": line,
    }
    if paren:
        reference = _REFERENCE.match(clean_text(paren))
        if reference:
            ref = parse_quantity(reference.group("number"), path=path, line=line, context=context)
            scope = reference.group("scope")
            if "agglom" not in normalise_label(scope):
                raise InputError(
                    "a reference figure 'sur l'ensemble de l'agglomération'",
                    path=path,
                    line=line,
                    context=context,
                    found=paren,
                )
            row.update(
                reference_value=ref.value,
                reference_qualifier=ref.qualifier,
                reference_decimals=ref.decimals,
                reference_territory=reference_label,
                reference_scope=f"sur l'ensemble {scope}",
            )
            _check_unit_and_bounds(indicator, ref.unit, ref.value, path, line, context, paren)
        else:
            row["note"] = clean_text(paren)
    _check_unit_and_bounds(indicator, quantity.unit, quantity.value, path, line, context, rest)
    return row


def _check_unit_and_bounds(
    indicator: Indicator,
    unit: str | None,
    value: float,
    path: str,
    line: int,
    context: str,
    text: str,
) -> None:
    expected = indicator.unit
    unit_ok = (
        (unit or None) == expected
        or (expected == "hectares" and unit is not None and unit.lower() in ("ha", "hectares"))
        or (expected == "habitants" and unit is not None and unit.lower() == "habitants")
    )
    if not unit_ok:
        what = (
            "a percentage (« … % »)"
            if expected == "%"
            else ("an index without unit" if expected is None else f"a value in {expected}")
        )
        raise InputError(
            f"{what} for {indicator.label_fr!r}",
            path=path,
            line=line,
            context=context,
            found=text,
        )
    wrong = implausible(indicator, value)
    if wrong is not None:
        raise InputError(
            f"{indicator.label_fr!r} {wrong}",
            path=path,
            line=line,
            context=context,
            found=text,
        )
