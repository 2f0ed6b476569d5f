"""Pandera schemas of the references and trends tables (issue 12), by table name.

Registered in :mod:`indicators.build.tables` and checked by
:mod:`indicators.build.references` before anything is written.
"""

from __future__ import annotations

import pandera.pandas as pa

from indicators.analysis.ips_scales import MESURES, SCALES
from indicators.numbers import QUALIFIERS

__all__ = ["COMMUNES_INDICATEURS", "IPS_ECHELLES", "REFERENCES", "SERIES"]

_STR = pa.Column(str)
_RATE = pa.Column(float, pa.Check.in_range(0, 100), nullable=True)

IPS_ECHELLES = pa.DataFrameSchema(
    {
        "territoire_type": pa.Column(str, pa.Check.isin(SCALES)),
        "territoire_code": _STR,
        "territoire_nom": _STR,
        "rentree": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{4}$")),
        "niveau": pa.Column(str, pa.Check.isin(["ecole", "college", "lycee"])),
        "voie": pa.Column(str, pa.Check.isin(["ensemble", "gt", "pro"])),
        "secteur": pa.Column(str, pa.Check.isin(["ensemble", "public", "privé"])),
        "mesure": pa.Column(str, pa.Check.isin(list(MESURES))),
        "valeur": pa.Column(float, pa.Check.in_range(30, 200), nullable=True),
        "n_etablissements": pa.Column("int64", pa.Check.ge(0)),
        "n_ips": pa.Column("int64", pa.Check.ge(0)),
        "n_ns": pa.Column("int64", pa.Check.ge(0)),
        "effectifs": pa.Column(float, nullable=True),
        "source": _STR,
        "methode": _STR,
    },
    strict=True,
    ordered=True,
    unique=["territoire_type", "territoire_code", "rentree", "niveau", "voie", "secteur", "mesure"],
    name="ips_echelles",
)
REFERENCES = pa.DataFrameSchema(
    {
        "indicator_id": pa.Column(str, pa.Check.isin(["school_ips", "employment_rate_15_64"])),
        "convention_value": pa.Column(float),
        "valeur": pa.Column(float, nullable=True),
        "concordant": pa.Column(bool),
        "recommande": pa.Column(bool),
    },
    strict=False,
    name="references",
)
COMMUNES_INDICATEURS = pa.DataFrameSchema(
    {
        "code": pa.Column(str, pa.Check.str_matches(r"^(?:\d{5}|2[AB]\d{3})$"), unique=True),
        "taux_pauvrete": _RATE,
        "taux_pauvrete_marker": pa.Column(str, pa.Check.isin(["", "s", "absent"])),
        "niveau_vie_median": pa.Column(float, pa.Check.gt(0), nullable=True),
        "taux_emploi_15_64": _RATE,
        "secret": pa.Column(bool),
    },
    strict=False,
    name="communes_indicateurs",
)
SERIES = pa.DataFrameSchema(
    {
        "territoire_type": _STR,
        "territoire_code": _STR,
        "indicator_id": _STR,
        "vintage": _STR,
        "value": pa.Column(float, nullable=True),
        "qualifier": pa.Column(str, pa.Check.isin([*QUALIFIERS, "secret", "ns"])),
        "perimeter": _STR,
        "source": _STR,
        "method": _STR,
    },
    strict=False,
    name="series",
)
