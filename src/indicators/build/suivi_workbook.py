"""The forms the commune fills in: the yearly follow-up workbook and the indicators file.

``indicators suivi --annee <année>`` writes ``modeles/suivi_<année>.xlsx``;
``indicators indicateurs`` writes ``modeles/indicateurs_commune.xlsx`` and ``.csv``.

They live in ``modeles/``, not in ``data/processed`` (which only ``indicators build``
writes, and which is replaced at each build) nor in ``data/raw`` (which the code never
writes): a form is an output for a person, who fills it and then drops it into
``data/raw/suivi/`` or ``data/raw/indicateurs_commune/`` and records it with
``indicators record``. The module sits in :mod:`indicators.build` because it needs the
convention's objectives (stage ``convention``) and the reader of last year's file (stage
``sources``).

The follow-up workbook has one row per quartier × action (:data:`~indicators.sources.
suivi.COLUMNS`): the ids, the year and the convention's wording are locked (the sheet is
protected without password, every other cell stays editable); « État » is a dropdown of
:data:`~indicators.sources.suivi.STATES`, amounts accept numbers of 0 or more; the header
row is frozen; a « Mode d'emploi » sheet explains it all. When last year's filled file is
in ``data/raw/suivi/``, its state, porteur, partners and indicator are copied in (the
state also into « État l'année précédente »); amounts, values and comments start empty.
Nothing is ever invented: without last year's file every state is blank.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from indicators.build.exports import fixed_moment
from indicators.build.storage import atomic_write_bytes
from indicators.build.xlsx import _deterministic_zip
from indicators.config import Paths
from indicators.sources.commune_indicators import HEADERS as INDICATOR_HEADERS
from indicators.sources.commune_indicators import SHEET as INDICATOR_SHEET
from indicators.sources.suivi import COLUMNS, SHEET, STATES, read_suivi

__all__ = ["suivi_rows", "write_indicator_templates", "write_suivi_template"]

TEMPLATES = "modeles"
_HEADER_FILL = "1F4E79"
_LOCKED_FILL = "EDEDED"
_COPIED = ("etat", "porteur", "partenaires", "indicateur_realisation")


def suivi_rows(
    objectives: pd.DataFrame, names: dict[str, str], year: int, previous: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rows of the follow-up form of ``year`` (one per quartier × action).

    ``previous`` is last year's ``suivi`` rows (or ``None``): its state, porteur,
    partners and indicator are carried over.
    """
    actions = objectives.dropna(subset=["action_id"])
    rows = pd.DataFrame(
        {
            "action_id": actions["action_id"],
            "quartier_id": actions["quartier_id"],
            "annee": year,
            "quartier": actions["quartier_id"].map(names).fillna(actions["quartier_id"]),
            "enjeu": "Enjeu " + actions["enjeu"].astype(str) + " : " + actions["enjeu_title"],
            "objectifs": actions["strategic_objective"] + " / " + actions["operational_objective"],
            "action": actions["action"],
        }
    ).reset_index(drop=True)
    for column in COLUMNS:
        if column.key not in rows.columns:
            rows[column.key] = None
    if previous is not None and len(previous):
        last = previous.set_index(["quartier_id", "action_id"])
        keys = list(zip(rows["quartier_id"], rows["action_id"], strict=True))
        for key in _COPIED:
            rows[key] = [last[key].get(k) if k in last.index else None for k in keys]
        rows["etat_precedent"] = rows["etat"]
    return rows[[c.key for c in COLUMNS]]


def _instructions(sheet: object, lines: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 110
    for number, line in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if number == 1:
            cell.font = Font(bold=True, size=14)


def _header(sheet: object, headers: list[str], widths: list[float]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append(headers)
    for j, cell in enumerate(sheet[1], start=1):
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(j)].width = widths[j - 1]
    sheet.row_dimensions[1].height = 45


def _save(workbook: object, path: Path) -> Path:
    moment = fixed_moment()
    naive = moment.replace(tzinfo=None)
    workbook.properties.creator = "indicators"
    workbook.properties.created = naive
    workbook.properties.modified = naive
    buffer = io.BytesIO()
    workbook.save(buffer)
    return atomic_write_bytes(path, _deterministic_zip(buffer.getvalue(), moment))


def _suivi_instructions(year: int, prefilled: bool) -> list[str]:
    return [
        f"Suivi des actions du contrat de ville — année {year}",
        "Une ligne par quartier et par action de la convention. Les colonnes grises "
        "(identifiants, année, quartier, enjeu, objectifs, action) sont verrouillées : "
        "elles relient chaque ligne à la convention. Ne pas ajouter, supprimer ni copier "
        "de ligne.",
        "État : choisir dans la liste (" + ", ".join(STATES) + "). Laisser vide si "
        "l'état n'est pas connu : la ligne sera comptée « non renseignée », jamais devinée.",
        f"Financements prévus et réalisés : montants de l'année {year}, en euros, sans "
        "texte (0 ou plus). Laisser vide si le montant n'est pas connu.",
        "Porteur, partenaires, indicateur de réalisation et sa valeur, commentaire : texte libre.",
        (
            f"Ce fichier reprend l'état, le porteur, les partenaires et l'indicateur du "
            f"suivi {year - 1} : les mettre à jour."
            if prefilled
            else "Aucun suivi de l'année précédente n'a été trouvé : tout est à remplir."
        ),
        f"Une fois rempli : l'enregistrer sous data/raw/suivi/suivi_{year}.xlsx, puis "
        f"lancer « indicators record data/raw/suivi/suivi_{year}.xlsx », puis « indicators "
        f"build » et « indicators report --annee {year} --date-comite AAAA-MM-JJ ».",
        "La feuille est protégée sans mot de passe (Outils > Protéger la feuille pour la "
        "déverrouiller si besoin).",
    ]


def write_suivi_template(
    paths: Paths, year: int, out: Path | None = None
) -> tuple[Path, int, bool]:
    """Write the follow-up form of ``year``; return its path, its rows and whether last
    year's file pre-filled it."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from indicators.convention.parse import read_convention

    convention = read_convention(paths.convention, reference_label=paths.territory.reference_label)
    objectives = convention.objectives
    names = dict(
        zip(convention.quartiers["quartier_id"], convention.quartiers["name"], strict=True)
    )
    last = paths.raw / "suivi" / f"suivi_{year - 1}.xlsx"
    previous = None
    if last.is_file():
        known = set(zip(objectives["quartier_id"], objectives["action_id"], strict=True))
        previous = read_suivi(last, known)
    rows = suivi_rows(objectives, names, year, previous)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    _header(sheet, [c.header for c in COLUMNS], [c.width for c in COLUMNS])
    grey = PatternFill("solid", fgColor=_LOCKED_FILL)
    free = Protection(locked=False)
    for values in rows.itertuples(index=False, name=None):
        sheet.append([None if pd.isna(v) else v for v in values])
    last_row = len(rows) + 1
    for j, column in enumerate(COLUMNS, start=1):
        for (cell,) in sheet.iter_rows(min_row=2, max_row=last_row, min_col=j, max_col=j):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column.locked:
                cell.fill = grey
            else:
                cell.protection = free
            if column.kind == "amount":
                cell.number_format = '#,##0.00 "€"'
    letter = {c.key: get_column_letter(j) for j, c in enumerate(COLUMNS, start=1)}
    states = DataValidation(
        type="list",
        formula1='"' + ",".join(STATES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="État inconnu",
        error="Choisir un état dans la liste : " + ", ".join(STATES) + ".",
        showInputMessage=True,
        promptTitle="État de l'action",
        prompt="Choisir dans la liste ; laisser vide si l'état n'est pas connu.",
    )
    states.add(f"{letter['etat']}2:{letter['etat']}{last_row}")
    amounts = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Montant invalide",
        error="Un montant en euros, 0 ou plus, sans texte.",
    )
    for key in ("financement_prevu", "financement_realise"):
        amounts.add(f"{letter[key]}2:{letter[key]}{last_row}")
    sheet.add_data_validation(states)
    sheet.add_data_validation(amounts)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    protection = sheet.protection
    protection.sheet = True
    protection.autoFilter = False
    protection.sort = False
    protection.formatColumns = False
    protection.formatRows = False
    _instructions(
        workbook.create_sheet("Mode d'emploi"), _suivi_instructions(year, previous is not None)
    )
    target = out or paths.root / TEMPLATES / f"suivi_{year}.xlsx"
    return _save(workbook, target), len(rows), previous is not None


def _indicator_instructions(paths: Paths) -> list[str]:
    territory = paths.territory
    quartiers = ", ".join(territory.quartier_codes)
    communes = ", ".join(f"{c.insee} ({c.name})" for c in territory.communes)
    return [
        "Indicateurs de la commune — une ligne par territoire, indicateur et année",
        "Territoire : l'identifiant d'un quartier"
        + (f" ({quartiers})" if quartiers else "")
        + f", le code INSEE de la commune ({communes}) ou le SIREN de l'EPCI "
        f"({territory.epci.siren}, {territory.epci.label}).",
        "Indicateur : son nom, toujours écrit de la même façon (ex. « Allocataires CAF », "
        "« Familles suivies par le PRE »). Unité : la même pour toutes les lignes d'un "
        "indicateur (« % » pour un taux, « familles », « dossiers »…).",
        "Année : l'année de la donnée. Valeur : un nombre (pas de texte ; virgule décimale "
        "acceptée). Précision : exacte (ou vide), environ, au moins, au plus.",
        "Source : qui a produit le chiffre et quand (ex. « CAF du Pas-de-Calais, extraction "
        "du 31/12/2024 »). Elle figure sous chaque graphique.",
        "Sens (nouvel indicateur) : +1 si une hausse est une bonne nouvelle, -1 si c'est une "
        "mauvaise nouvelle, 0 si ni l'un ni l'autre ; au moins sur une ligne de l'indicateur.",
        "Une fois rempli : l'enregistrer dans data/raw/indicateurs_commune/ (XLSX ou CSV), "
        "lancer « indicators record <fichier> » puis « indicators build ».",
    ]


def write_indicator_templates(paths: Paths, folder: Path | None = None) -> list[Path]:
    """Write the empty indicators file as XLSX (with dropdowns) and CSV (``;``, UTF-8)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    folder = folder or paths.root / TEMPLATES
    headers = list(INDICATOR_HEADERS.values())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = INDICATOR_SHEET
    _header(sheet, headers, [14, 30, 12, 8, 12, 12, 40, 14])
    keys = list(INDICATOR_HEADERS)
    col = {k: chr(ord("A") + i) for i, k in enumerate(keys)}
    lists = {
        "qualifier": '"exacte,environ,au moins,au plus"',
        "polarity": '"+1,-1,0"',
    }
    for key, formula in lists.items():
        rule = DataValidation(
            type="list", formula1=formula, allow_blank=True, showErrorMessage=True
        )
        rule.add(f"{col[key]}2:{col[key]}2000")
        sheet.add_data_validation(rule)
    year = DataValidation(
        type="whole",
        operator="between",
        formula1="1990",
        formula2="2100",
        allow_blank=True,
        showErrorMessage=True,
        error="Une année (4 chiffres).",
    )
    year.add(f"{col['vintage']}2:{col['vintage']}2000")
    sheet.add_data_validation(year)
    sheet.freeze_panes = "A2"
    _instructions(workbook.create_sheet("Mode d'emploi"), _indicator_instructions(paths))
    xlsx = _save(workbook, folder / "indicateurs_commune.xlsx")
    csv = atomic_write_bytes(
        folder / "indicateurs_commune.csv", (";".join(headers) + "\n").encode("utf-8")
    )
    return [xlsx, csv]
