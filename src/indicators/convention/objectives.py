"""The objectives tree of a quartier: enjeux, objectives and action bullets.

The tables of « Objectifs poursuivis » were flattened to tab-separated lines with HTML
fragments: bullets can be glued together and a cell can be split over a page break.
Those defects are repaired here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from indicators.catalog import normalise_label
from indicators.convention.sections import Section
from indicators.convention.text import clean_text, join_text
from indicators.errors import InputError

_ENJEU = re.compile(r"^ENJEU\s+(?P<number>\d+)\s*:\s*(?P<title>.+?)\s*$", re.I)
_UL = re.compile(r"<\s*/?\s*(ul|li)\b[^>]*>", re.I)
_P = re.compile(r"<\s*/?\s*p\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<\s*/?\s*[a-z][^>]*>", re.I)
_MARK = "\x00"

_FUNCTION_WORDS = {
    "de",
    "du",
    "des",
    "la",
    "le",
    "les",
    "l",
    "d",
    "à",
    "a",
    "au",
    "aux",
    "en",
    "et",
    "un",
    "une",
    "par",
    "pour",
    "sur",
    "avec",
    "dans",
    "ou",
}
_INFINITIVE = re.compile(r"^[A-ZÉÈÀÂÎÔÛ][a-zéèêëàâîïôöûüç'\-]+(er|ir|re|oir)$")


def _split_glued(text: str) -> list[str]:
    """Split bullets whose « • » markers were lost, before each capitalised infinitive.

    Actions of the template start with an infinitive (« Développer », « Mener »...).
    A capitalised infinitive that follows a content word, an acronym or a closing
    parenthesis, outside parentheses, starts a new action; after a function word
    (« un projet de Repair café ») it does not.

    >>> _split_glued("Mettre en réseau les citoyens Développer un projet de Repair café")
    ['Mettre en réseau les citoyens', 'Développer un projet de Repair café']
    """
    words = text.split(" ")
    items: list[list[str]] = [[]]
    depth = 0
    previous = ""
    for word in words:
        if not word:
            continue
        bare = word.strip(".,;:")
        previous_bare = previous.strip(".,;:").lower().split("'")[-1]
        starts = (
            depth == 0
            and items[-1]
            and _INFINITIVE.match(bare) is not None
            and (
                previous.endswith(")")
                or (previous_bare not in _FUNCTION_WORDS and previous[:1].islower())
                or (len(previous_bare) >= 2 and previous.strip(".,;:").isupper())
            )
        )
        if starts:
            items.append([])
        items[-1].append(word)
        depth = max(0, depth + word.count("(") - word.count(")"))
        previous = word
    return [" ".join(item) for item in items if item]


def _parse_actions(cell: str) -> tuple[str, list[str]]:
    """Split an action cell into the text before its first bullet and its bullets."""
    text = _P.sub(" ", cell)
    text = _UL.sub(_MARK, text)
    text = _ANY_TAG.sub(" ", text)
    glued = "•" not in text
    parts = re.split(f"[{_MARK}•]", text)
    lead = clean_text(parts[0])
    items: list[str] = []
    for part in parts[1:]:
        cleaned = clean_text(part)
        if not cleaned:
            continue
        items.extend(_split_glued(cleaned) if glued else [cleaned])
    return lead, items


def _is_action_cell(cell: str) -> bool:
    return bool(_UL.search(cell) or _P.search(cell) or "•" in cell)


@dataclass
class ObjectiveRow:
    """One operational objective with its actions, as parsed so far."""

    enjeu: int
    enjeu_title: str
    strategic: str | None
    strategic_explicit: bool
    operational: str | None
    actions: list[str]
    line: int


def known_objectives(sections: list[Section]) -> tuple[set[str], set[str]]:
    """Strategic and operational objectives seen where the column is unambiguous.

    In a line of three cells or more whose second cell is not an action cell, the
    second cell is an operational objective and a non-empty first cell a strategic one.
    """
    strategic, operational = set(), set()
    for section in sections:
        for _, raw in section.lines:
            cells = raw.split("\t")
            if len(cells) < 3 or not cells[1].strip() or _is_action_cell(cells[1]):
                continue
            operational.add(clean_text(cells[1]))
            if cells[0].strip():
                strategic.add(clean_text(cells[0]))
    return strategic, operational


def _matches(text: str, known: set[str]) -> bool:
    return any(item == text or item.startswith(text + " ") for item in known)


def parse_objectives(
    lines: list[tuple[int, str]],
    quartier: str,
    path: str,
    known: tuple[set[str], set[str]],
) -> list[ObjectiveRow]:
    """The objective rows of one quartier's « Objectifs poursuivis » lines."""
    known_strategic, known_operational = known
    rows: list[ObjectiveRow] = []
    enjeu: tuple[int, str] | None = None
    current_strategic: str | None = None
    after_break = False
    context = f"quartier {quartier!r}"
    error = partial(InputError, path=path, context=context)  # raise error(expected, line=…)
    for number, raw in lines:
        stripped = clean_text(raw)
        if not stripped:
            after_break = True
            continue
        heading = _ENJEU.match(stripped)
        if heading:
            enjeu = (int(heading.group("number")), heading.group("title").strip())
            current_strategic = None
            after_break = False
            continue
        if "objectifs operationnels" in normalise_label(stripped) or normalise_label(
            stripped
        ).startswith("objectifs de la strategie"):
            after_break = False
            continue
        if re.fullmatch(r"[-\s|]+", raw):
            continue
        if "\t" not in raw:
            raise error(
                "a table row (tab-separated), an 'ENJEU n :' heading or a blank line",
                line=number,
                found=stripped,
            )
        if enjeu is None:
            raise error("an 'ENJEU n : …' heading before the objectives table", line=number)
        cells = raw.split("\t")
        action_index = next((i for i, c in enumerate(cells) if _is_action_cell(c)), None)
        if action_index is None and len(cells) >= 3 and cells[2].strip():
            action_index = 2
        if action_index is None:
            descriptors, action_cell = cells[:2], ""
        else:
            descriptors = cells[:action_index]
            action_cell = " ".join(cells[action_index:])
        texts = [clean_text(c) for c in descriptors]
        filled = [(i, t) for i, t in enumerate(texts) if t]
        strategic = operational = None
        if len(filled) >= 2:
            strategic, operational = filled[0][1], filled[1][1]
        elif len(filled) == 1:
            position, only = filled[0]
            if _matches(only, known_operational) and not _matches(only, known_strategic):
                operational = only
            elif _matches(only, known_strategic) or (position == 0 and len(texts) >= 2):
                strategic = only
            else:
                operational = only
        lead, bullets = _parse_actions(action_cell)
        starts_with_text = bool(lead)
        continuation = bool(rows) and (
            (starts_with_text and operational is None)
            or (after_break and operational is None and (bullets or strategic))
            or (after_break and starts_with_text)
        )
        after_break = False
        if continuation:
            previous = rows[-1]
            if strategic:
                if previous.strategic_explicit and previous.strategic != strategic:
                    raise error(
                        f"the continuation of the row at line {previous.line}",
                        line=number,
                        found=strategic,
                    )
                previous.strategic, previous.strategic_explicit = strategic, True
                current_strategic = strategic
            if operational:
                previous.operational = join_text(previous.operational, operational)
            if lead:
                if previous.actions:
                    previous.actions[-1] = join_text(previous.actions[-1], lead)
                else:
                    previous.actions.append(lead)
            previous.actions.extend(bullets)
            continue
        if strategic:
            current_strategic = strategic
        if operational is None:
            raise error(
                "an operational objective in the second column", line=number, found=raw.strip()
            )
        actions = ([lead] if lead else []) + bullets
        rows.append(
            ObjectiveRow(
                enjeu[0], enjeu[1], current_strategic, bool(strategic), operational, actions, number
            )
        )
    for row in rows:
        if not row.strategic:
            raise error("a strategic objective (first column) for this row", line=row.line)
    return rows
