"""French labels of coded values and the number formats of the spreadsheet exports.

The processed tables keep short codes (``exact``, ``lower_bound``, ``ecole``), which
programs read; the exports for people (the XLSX workbook,
:mod:`indicators.build.xlsx`, and the CSVs for French Excel,
:mod:`indicators.build.csv_excel`) show them in French through :func:`label_codes`.
:func:`number_formats` gives the Excel number format of each numeric column (written in
the file with ``.`` and ``,``, shown by a French Excel or LibreOffice as « 18,8 % » and
« 1 600 »).

Rates are numbers from 0 to 100 in every table (18,8 means 18,8 %, not 0,188); the
format only adds « % » after the number, so a cell holds the same value as the CSV.

>>> import pandas as pd
>>> frame = pd.DataFrame({"qualifier": ["exact", "lower_bound", "approx"]})
>>> label_codes(frame)["qualifier"].tolist()
['exacte', 'au moins', 'environ']
>>> unit_format("%", 1), unit_format("habitants", 0), unit_format("%", None)
('#,##0.0"\\xa0%"', '#,##0', 'General"\\xa0%"')
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = [
    "BOOLEANS_FR",
    "CODE_LABELS",
    "COLUMN_FORMATS",
    "label_codes",
    "number_formats",
    "unit_format",
]

_NBSP = "\u00a0"

#: Precision of a value (:data:`indicators.numbers.QUALIFIERS`), as the convention says it.
QUALIFIERS_FR: dict[str, str] = {
    "exact": "exacte",
    "approx": "environ",
    "lower_bound": "au moins",
    "upper_bound": "au plus",
    "secret": "secret statistique",
    "ns": "non significatif",
}
TERRITORY_TYPES_FR: dict[str, str] = {
    "etablissement": "établissement",
    "quartier": "quartier",
    "commune": "commune",
    "epci": "EPCI",
    "departement": "département",
    "academie": "académie",
    "france": "France",
}
#: Coded column → code → French label; a code not listed is shown as it is.
CODE_LABELS: dict[str, dict[str, str]] = {
    "qualifier": QUALIFIERS_FR,
    "value_qualifier": QUALIFIERS_FR,
    "reference_qualifier": QUALIFIERS_FR,
    "gap_qualifier": QUALIFIERS_FR,
    "niveau": {
        "ecole": "école",
        "college": "collège",
        "lycee": "lycée",
        "ensemble": "écoles et collèges",
    },
    "voie": {"ensemble": "ensemble", "gt": "générale et technologique", "pro": "professionnelle"},
    "kind": {"rate": "taux ou part", "level": "indice"},
    "mesure": {
        "ips_etablissement": "IPS de l'établissement",
        "moyenne_non_ponderee": "moyenne non pondérée",
        "moyenne_ponderee": "moyenne pondérée par les effectifs",
        "reference_depp": "référence DEPP",
        "taux_emploi": "taux d'emploi",
    },
    "territoire_type": TERRITORY_TYPES_FR,
    "territory_type": TERRITORY_TYPES_FR,
}
#: Booleans in the CSV for Excel (the workbook keeps real TRUE/FALSE cells).
BOOLEANS_FR: dict[bool, str] = {True: "oui", False: "non"}

# Excel number formats: « . » and « , » are the file's decimal and thousands separators,
# shown in the reader's locale (« 1 600 », « 18,8 »).
COUNT = "#,##0"
COUNT_1 = "#,##0.0"
DECIMAL_1 = "0.0"
DECIMAL_2 = "0.00"
PERCENT_1 = f'0.0"{_NBSP}%"'
SIGNED_1 = '+0.0;"\u2212"0.0;0.0'
EURO = f'#,##0"{_NBSP}€"'

#: Column → number format, for the columns whose format does not depend on the row.
COLUMN_FORMATS: dict[str, str] = {
    # counts
    **dict.fromkeys(
        (
            "population_municipale",
            "population_totale",
            "n_etablissements",
            "n_ips",
            "n_ns",
            "effectifs",
            "n_cells",
            "n_cells_pauv_gt_30",
        ),
        COUNT,
    ),
    # Filosofi counts are estimates with decimals
    **dict.fromkeys(("ind", "men", "men_pauv", "log_soc", "log_total"), COUNT_1),
    # IPS: one decimal, as the DEPP publishes them
    **dict.fromkeys(
        (
            "ips",
            "ips_ecart_type",
            "ips_national",
            "ips_national_public",
            "ips_national_prive",
            "ips_academique",
            "ips_academique_public",
            "ips_academique_prive",
            "ips_departemental",
            "ips_departemental_public",
            "ips_departemental_prive",
            "ips_moyen",
            "ips_moyen_pondere",
            "ips_publie",
            "ips_epci",
            "open_data_value",
            "valeur",  # IPS at every scale, references (IPS or rates)
        ),
        DECIMAL_1,
    ),
    **dict.fromkeys(("menages_fiscaux", "population_rp", "pop_15_64"), COUNT),
    **dict.fromkeys(("taux_pauvrete", "taux_emploi_15_64"), PERCENT_1),
    "niveau_vie_median": EURO,
    "ecart": SIGNED_1,
    # gaps and indices
    "gap": SIGNED_1,
    "ecart_epci": SIGNED_1,
    "index": DECIMAL_1,
    "rounding_margin": DECIMAL_2,
    # rates computed from the Filosofi grid (0-100)
    **dict.fromkeys(
        ("part_menages_pauvres", "part_logements_sociaux", "part_ind_cellules_imputees"),
        PERCENT_1,
    ),
    # euros
    **dict.fromkeys(
        ("financement_prevu", "financement_realise", "ind_snv", "niveau_vie_moyen"), EURO
    ),
}
#: Value column → (its unit column, its column of published decimals): the format
#: depends on the row (« 38 % », « 1 600 habitants », an IPS of 79).
_ROW_UNITS: dict[str, tuple[str, str]] = {
    "value": ("unit", "decimals"),
    "reference_value": ("unit", "reference_decimals"),
}


def label_codes(frame: pd.DataFrame, labels: Mapping[str, Mapping[str, str]] = CODE_LABELS):
    """A copy of ``frame`` whose coded columns show their French labels.

    Only the columns of ``labels`` change; a code without label and a missing value stay
    as they are.
    """
    out = frame.copy()
    for column, mapping in labels.items():
        if column in out.columns:
            series = out[column]
            out[column] = series.astype(object).map(
                lambda v, m=mapping: m.get(v, v) if isinstance(v, str) else v
            )
    return out


def unit_format(unit: object, decimals: object) -> str:
    """The number format of a value in ``unit`` published with ``decimals`` decimals.

    Percentages get « % » after the number; other units are in their own column. With
    unknown decimals the number is shown as stored (``General``), never with decimals
    the source did not publish.
    """
    percent = f'"{_NBSP}%"' if unit == "%" else ""
    if decimals is None or pd.isna(decimals):  # type: ignore[arg-type]
        return "General" + percent
    places = int(decimals)  # type: ignore[call-overload]
    return COUNT + ("." + "0" * places if places > 0 else "") + percent


def _kind_unit(kind: object) -> str | None:
    return "%" if kind == "rate" else None


def number_formats(frame: pd.DataFrame) -> dict[str, str | list[str]]:
    """Column → its number format, or one format per row (values with a unit column).

    Columns without a format (text, codes, years, line numbers) are left out: they
    keep Excel's ``General``.
    """
    formats: dict[str, str | list[str]] = {}
    for column in frame.columns:
        if column in _ROW_UNITS and pd.api.types.is_numeric_dtype(frame[column]):
            unit_col, decimals_col = _ROW_UNITS[column]
            n = len(frame)
            if unit_col in frame.columns:
                units = list(frame[unit_col])
            elif "kind" in frame.columns:  # the gaps table: rates and the IPS
                units = [_kind_unit(k) for k in frame["kind"]]
            else:
                units = [None] * n
            decimals = list(frame[decimals_col]) if decimals_col in frame.columns else [None] * n
            formats[column] = [unit_format(u, d) for u, d in zip(units, decimals, strict=True)]
        elif column in COLUMN_FORMATS and pd.api.types.is_numeric_dtype(frame[column]):
            formats[column] = COLUMN_FORMATS[column]
    return formats
