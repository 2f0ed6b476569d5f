"""One quartier's section: identity, lists, portrait lines and objectives."""

from __future__ import annotations

import re
from functools import partial

from indicators.catalog import match_indicator, normalise_label
from indicators.convention.objectives import ObjectiveRow, parse_objectives
from indicators.convention.portrait import parse_source, portrait_row
from indicators.convention.sections import Section
from indicators.convention.text import clean_text, join_text, normalise_code, slugify
from indicators.errors import InputError
from indicators.french import plural

_KEY_VALUE = re.compile(r"^(?P<key>[^:]{2,200}?)\s*:\s*(?P<value>.*)$")
_PAREN = re.compile(r"^\((?P<text>.*)\)\.?$")
_CAPTION_KEYS = ("sources", "source", "realisation", "pour telecharger la carte")
_STATUS = (
    (re.compile(r"quartier prioritaire", re.I), "QPV"),
    (re.compile(r"int[ée]r[êe]t communautaire", re.I), "QIC"),
)
_LISTS = (
    (re.compile(r"^les\s*« ?\s*irritants", re.I), "irritants"),
    (re.compile(r"^les\s*« ?\s*opportunit", re.I), "opportunites"),
    (re.compile(r"^les enjeux prioritaires", re.I), "enjeux"),
)


def parse_section(
    section: Section, path: str, known: tuple[set[str], set[str]], reference_label: str
) -> tuple[dict[str, object], list[dict[str, object]], list[ObjectiveRow]]:
    """The quartier's row, its portrait rows and its objective rows.

    ``reference_label`` names the reference territory of the portrait's figures.
    """
    name = clean_text(section.name)
    context = f"quartier {name!r}"
    error = partial(InputError, path=path, context=context)  # raise error(expected, line=…)
    info: dict[str, object] = {
        "quartier_id": slugify(name),
        "name": name,
        "status": None,
        "status_label": None,
        "code": None,
        "communes": None,
        "source": None,
        "vintage": None,
        "perimeter": None,
        "source_text": None,
        "map_perimeter": None,
        "line": section.line,
    }
    lists: dict[str, list[str]] = {"irritants": [], "opportunites": [], "enjeux": []}
    portrait: list[dict[str, object]] = []
    state = "identity"
    portrait_heading = False
    objective_lines: list[tuple[int, str]] = []
    for number, raw in section.lines:
        if state == "objectives":
            objective_lines.append((number, raw))
            continue
        stripped = clean_text(raw)
        if not stripped:
            continue
        label = normalise_label(stripped)
        if label == "cartographie":
            state = "map"
            continue
        if label == "portrait statistique":
            state, portrait_heading = "portrait", True
            continue
        if label.startswith("objectifs poursuivis"):
            state = "objectives"
            continue
        list_match = next((key for pattern, key in _LISTS if pattern.match(label)), None)
        if list_match:
            state = list_match
            continue
        if state in lists:
            if stripped.startswith(("- ", "• ", "-\u00a0")) or stripped in ("-", "•"):
                lists[state].append(stripped.lstrip("-• ").strip())
            elif lists[state]:
                lists[state][-1] = join_text(lists[state][-1], stripped)
            else:
                raise error("a list item starting with '- '", line=number, found=stripped)
            continue
        paren = _PAREN.match(stripped)
        if paren:
            if state == "map":
                info["map_perimeter"] = re.sub(r"^p[ée]rim[èe]tre\s*", "", paren.group("text"))
            elif state == "portrait" and not portrait and info["source_text"] is None:
                info["source_text"] = paren.group("text").strip()
                info.update(parse_source(paren.group("text")))
            else:
                raise error(
                    "a portrait line 'Indicateur : valeur (référence)'", line=number, found=stripped
                )
            continue
        key_value = _KEY_VALUE.match(stripped)
        if key_value is None:
            if state == "map":
                continue  # leftovers of the map's caption
            raise error(
                "a line 'Clé : valeur' of the quartier's identity or portrait",
                line=number,
                found=stripped,
            )
        key, value = key_value.group("key").strip(), key_value.group("value")
        norm_key = normalise_label(key)
        if norm_key == "statut":
            info["status_label"] = clean_text(value)
            info["status"] = next(
                (code for pattern, code in _STATUS if pattern.search(value)), None
            )
            if info["status"] is None:
                raise error(
                    "a status 'Quartier prioritaire…' or 'Quartier d'intérêt communautaire…'",
                    line=number,
                    found=clean_text(value),
                )
        elif norm_key == "code quartier":
            try:
                info["code"] = normalise_code(value)
            except ValueError:
                raise error(
                    "an official code such as 'QP 06 20 13'", line=number, found=clean_text(value)
                ) from None
        elif re.fullmatch(r"communes? concernees?", norm_key):
            communes = re.split(r"\s*,\s*|\s+et\s+", clean_text(value))
            info["communes"] = "; ".join(c for c in communes if c)
        elif norm_key in _CAPTION_KEYS or (state == "identity" and norm_key.startswith("source")):
            continue
        else:
            indicator = match_indicator(key)
            if indicator is None:
                raise error(
                    "a known indicator label (e.g. 'Taux de pauvreté', 'Part du parc social')",
                    line=number,
                    found=key,
                )
            if any(row["indicator_id"] == indicator.id for row in portrait):
                raise error(
                    f"one line per indicator; {indicator.label_fr!r} is given twice", line=number
                )
            portrait.append(
                portrait_row(
                    indicator,
                    key,
                    value,
                    quartier=name,
                    path=path,
                    line=number,
                    reference_label=reference_label,
                )
            )
    if info["status"] is None:
        raise error("a 'Statut : …' line in the quartier's section", line=section.line)
    if info["status"] == "QPV" and info["code"] is None:
        raise error("a 'Code quartier : QP …' line for a QPV", line=section.line)
    if info["communes"] is None:
        raise error("a 'Commune(s) concernée(s) : …' line", line=section.line)
    caveats = []
    if portrait and not portrait_heading:
        caveats.append(
            "Portrait incomplet : le titre « Portrait statistique », la source et la plupart "
            "des lignes manquent dans le texte ; "
            f"{plural(len(portrait), 'indicateur subsiste', 'indicateurs subsistent')}."
        )
    elif portrait and info["source_text"] is None:
        caveats.append("Source du portrait non indiquée dans le texte.")
    if not portrait:
        caveats.append("Aucun indicateur de portrait dans le texte.")
    if info["perimeter"]:
        caveats.append(f"Données calculées sur l'{info['perimeter']}.")
    info["caveat"] = " ".join(caveats) or None
    for key, items in lists.items():
        info[key] = "\n".join(items) if items else None
    for row in portrait:
        row.update(
            quartier_id=info["quartier_id"],
            source=info["source"],
            vintage=info["vintage"],
            perimeter=info["perimeter"],
        )
    rows = parse_objectives(objective_lines, name, path, known) if objective_lines else []
    return info, portrait, rows
