"""Declared schemas of the processed tables, checked before anything is written.

Each schema is a :mod:`pandera` ``DataFrameSchema``: columns, dtypes, nullability,
ranges, allowed values and unique keys. :func:`validate` turns pandera's report into
the project's one-line :class:`~indicators.errors.SchemaError`. Which table has which
schema is said by the registry, :mod:`indicators.build.tables`.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from indicators.catalog import BY_ID
from indicators.convention.ids import ID_PATTERN
from indicators.errors import SchemaError
from indicators.numbers import QUALIFIERS

_STR = pa.Column(str)
_OPT_STR = pa.Column(str, nullable=True)
_QUARTIER_ID = pa.Column(str, pa.Check.str_matches(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"))
_QUALIFIER = pa.Column(str, pa.Check.isin(QUALIFIERS))


def _percent(nullable: bool = True) -> pa.Column:
    return pa.Column(float, pa.Check.in_range(0, 100), nullable=nullable)


QUARTIERS = pa.DataFrameSchema(
    {
        "quartier_id": _QUARTIER_ID,
        "name": _STR,
        "status": pa.Column(str, pa.Check.isin(["QPV", "QIC"])),
        "status_label": _STR,
        "code": pa.Column(str, pa.Check.str_matches(r"^QP\d{6}$"), nullable=True),
        "communes": _STR,
        "source": _OPT_STR,
        "vintage": pa.Column(str, pa.Check.str_matches(r"^\d{4}$"), nullable=True),
        "perimeter": _OPT_STR,
        "source_text": _OPT_STR,
        "map_perimeter": _OPT_STR,
        "caveat": _OPT_STR,
        "irritants": _OPT_STR,
        "opportunites": _OPT_STR,
        "enjeux": _OPT_STR,
        "line": pa.Column(int, pa.Check.ge(1)),
    },
    strict=True,
    ordered=True,
    unique=["quartier_id"],
    name="quartiers",
)

PORTRAIT = pa.DataFrameSchema(
    {
        "quartier_id": _QUARTIER_ID,
        "indicator_id": pa.Column(str, pa.Check.isin(list(BY_ID))),
        "label": _STR,
        "value": pa.Column(float, pa.Check.ge(0)),
        "unit": _OPT_STR,
        "qualifier": _QUALIFIER,
        "decimals": pa.Column(int, pa.Check.in_range(0, 6)),
        "value_text": _STR,
        "reference_value": pa.Column(float, pa.Check.ge(0), nullable=True),
        "reference_qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS), nullable=True),
        "reference_decimals": pa.Column("Int64", pa.Check.in_range(0, 6), nullable=True),
        "reference_territory": _OPT_STR,
        "reference_scope": _OPT_STR,
        "note": _OPT_STR,
        "source": _OPT_STR,
        "vintage": _OPT_STR,
        "perimeter": _OPT_STR,
        "line": pa.Column(int, pa.Check.ge(1)),
    },
    checks=[
        pa.Check(
            lambda df: ~(df["unit"].eq("%") & df["value"].gt(100)),
            error="a percentage is at most 100",
        )
    ],
    strict=True,
    ordered=True,
    unique=["quartier_id", "indicator_id"],
    name="portrait",
)

OBJECTIVES = pa.DataFrameSchema(
    {
        "quartier_id": _QUARTIER_ID,
        "enjeu": pa.Column(int, pa.Check.in_range(1, 9)),
        "enjeu_title": _STR,
        "strategic_objective": _STR,
        "operational_objective": _STR,
        "action_rank": pa.Column("Int64", pa.Check.ge(1), nullable=True),
        "action": pa.Column(str, pa.Check.str_length(min_value=3), nullable=True),
        "line": pa.Column(int, pa.Check.ge(1)),
        "enjeu_id": pa.Column(str, pa.Check.str_matches(ID_PATTERN)),
        "objective_id": pa.Column(str, pa.Check.str_matches(ID_PATTERN)),
        "action_id": pa.Column(str, pa.Check.str_matches(ID_PATTERN), nullable=True),
    },
    strict=True,
    ordered=True,
    unique=["quartier_id", "enjeu", "operational_objective", "action_rank"],
    name="objectives",
)

GAPS = pa.DataFrameSchema(
    {
        "quartier_id": _QUARTIER_ID,
        "indicator_id": pa.Column(str, pa.Check.isin(list(BY_ID))),
        "kind": pa.Column(str, pa.Check.isin(["rate", "level"])),
        "value": pa.Column(float),
        "value_qualifier": _QUALIFIER,
        "reference_value": pa.Column(float),
        "reference_qualifier": _QUALIFIER,
        "reference_territory": _STR,
        "gap": pa.Column(float, nullable=True),
        "gap_unit": _STR,
        "gap_qualifier": pa.Column(str, pa.Check.isin([*QUALIFIERS, "undetermined"])),
        "rounding_margin": pa.Column(float, pa.Check.ge(0)),
        "index": pa.Column(float, nullable=True),
        "polarity": pa.Column(int, pa.Check.isin([-1, 0, 1])),
        "reading": pa.Column(
            str,
            pa.Check.isin(
                ["favorable", "défavorable", "équivalent", "supérieur", "inférieur", "indéterminé"]
            ),
        ),
        "label_fr": _STR,
        "source": _OPT_STR,
        "vintage": _OPT_STR,
        "perimeter": _OPT_STR,
    },
    strict=True,
    ordered=True,
    unique=["quartier_id", "indicator_id"],
    name="gaps",
)


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, *, source: str) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise one :class:`SchemaError` on failure.

    The message names the source file, the table, the column and the first failing row.
    """
    try:
        return schema.validate(df, lazy=False)
    except pa.errors.SchemaError as error:
        column = getattr(error, "column_name", None)
        cases = getattr(error, "failure_cases", None)
        where = ""
        if isinstance(cases, pd.DataFrame) and not cases.empty:
            first = cases.iloc[0]
            index = first.get("index")
            value = first.get("failure_case")
            if index is not None and not pd.isna(index):
                where = f" (table row {int(index) + 1}, value {value!r})"
            else:
                where = f" (value {value!r})"
        reason = str(error).splitlines()[0]
        raise SchemaError(
            f"table {schema.name!r} to match its schema: {reason}{where}",
            path=source,
            column=column if isinstance(column, str) else None,
        ) from None
