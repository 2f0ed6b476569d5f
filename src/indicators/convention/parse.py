"""Parse a *convention d'application communale* into tidy tables.

The parser follows the CABBALR template of the contrat de ville « Engagements
Quartiers 2030 », not Divion's names: any commune's convention written on that template
gives the same three tables.

- ``quartiers``: one row per « Projet de quartier « … » » section (identity, source of
  the portrait, irritants, opportunités, enjeux prioritaires);
- ``portrait``: one row per statistic line of a portrait, with its qualifier and the
  agglomeration's reference figure given in parentheses;
- ``objectives``: the objectives tree, one row per action bullet.

The text was extracted from the signed PDF: tables are flattened to tab-separated lines
with HTML fragments, bullets can be glued together and a cell can be split over a page
break. Those defects are repaired here; anything else that drifts from the template is
an :class:`~indicators.errors.InputError` naming the file, the line and what was
expected. Nothing is invented: a statistic the text does not give is absent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from indicators.catalog import BY_ID, Indicator, match_indicator, normalise_label
from indicators.errors import InputError
from indicators.numbers import parse_quantity

REFERENCE_TERRITORY = "CABBALR"

_HEADING = re.compile(r"^Projet de quartier\s*[«\"“]\s*(?P<name>.+?)\s*[»\"”]\s*$")
_END_HEADINGS = ("organisation et pilotage local", "les signataires")
_KEY_VALUE = re.compile(r"^(?P<key>[^:]{2,200}?)\s*:\s*(?P<value>.*)$")
_ENJEU = re.compile(r"^ENJEU\s+(?P<number>\d+)\s*:\s*(?P<title>.+?)\s*$", re.I)
_PAREN = re.compile(r"^\((?P<text>.*)\)\.?$")
_REFERENCE = re.compile(r"^(?P<number>.+?)\s+sur l'ensemble\s+(?P<scope>.+?)\s*$", re.I)
_UL = re.compile(r"<\s*/?\s*(ul|li)\b[^>]*>", re.I)
_P = re.compile(r"<\s*/?\s*p\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<\s*/?\s*[a-z][^>]*>", re.I)
_CAPTION_KEYS = ("sources", "source", "realisation", "pour telecharger la carte")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_MARK = "\x00"

QUARTIER_COLUMNS = (
    "quartier_id",
    "name",
    "status",
    "status_label",
    "code",
    "communes",
    "source",
    "vintage",
    "perimeter",
    "source_text",
    "map_perimeter",
    "caveat",
    "irritants",
    "opportunites",
    "enjeux",
    "line",
)
PORTRAIT_COLUMNS = (
    "quartier_id",
    "indicator_id",
    "label",
    "value",
    "unit",
    "qualifier",
    "decimals",
    "value_text",
    "reference_value",
    "reference_qualifier",
    "reference_decimals",
    "reference_territory",
    "reference_scope",
    "note",
    "source",
    "vintage",
    "perimeter",
    "line",
)
OBJECTIVE_COLUMNS = (
    "quartier_id",
    "enjeu",
    "enjeu_title",
    "strategic_objective",
    "operational_objective",
    "action_rank",
    "action",
    "line",
)


@dataclass
class Convention:
    """The three tables parsed from one convention."""

    quartiers: pd.DataFrame
    portrait: pd.DataFrame
    objectives: pd.DataFrame


def slugify(name: str) -> str:
    """A stable ASCII id for a quartier name.

    >>> slugify("Coteau Stade Parc - Cité 34")
    'coteau-stade-parc-cite-34'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def normalise_code(code: str) -> str:
    """Official QPV code without spaces: ``"QP 06 20 13"`` → ``"QP062013"``.

    >>> normalise_code("QP 06 20 13")
    'QP062013'
    """
    compact = _SPACES.sub("", code.replace("**", "")).upper()
    if not re.fullmatch(r"QP\d{6}", compact):
        raise ValueError(code)
    return compact


def _text(value: str) -> str:
    """Markdown emphasis removed, spaces folded."""
    return _SPACES.sub(" ", value.replace("**", "").replace("__", "")).strip()


def decode_convention(data: bytes, path: str) -> str:
    """Decode the convention's bytes as UTF-8, refusing empty, binary or mis-encoded files."""
    if not data.strip():
        raise InputError("a non-empty convention text", path=path, line=1)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError("a text file, found a binary (NUL) byte", path=path, line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            "UTF-8 text (the file looks like another encoding, e.g. cp1252/latin-1)",
            path=path,
            line=line,
        ) from None
    mojibake = re.search(r"Ã[©¨ª§ ´®¯¹»¢]", text)
    if mojibake:
        line = text[: mojibake.start()].count("\n") + 1
        raise InputError(
            "UTF-8 text encoded once (found 'Ã©'-style characters: encoded twice)",
            path=path,
            line=line,
        )
    return text.lstrip("\ufeff")


def read_convention(path: str | Path) -> Convention:
    """Read and parse a convention text file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"a readable file ({error.strerror})", path=path, raw=True) from None
    return parse_convention(decode_convention(data, str(path)), path=str(path))


# --------------------------------------------------------------------------- sections


@dataclass
class _Section:
    name: str
    line: int  # 1-based line of the heading
    lines: list[tuple[int, str]] = field(default_factory=list)


def _split_sections(lines: list[str], path: str) -> list[_Section]:
    sections: list[_Section] = []
    current: _Section | None = None
    for number, raw in enumerate(lines, start=1):
        if "\t" not in raw:
            stripped = _text(raw)
            match = _HEADING.match(stripped)
            if match:
                current = _Section(match.group("name"), number)
                sections.append(current)
                continue
            if current is not None and normalise_label(stripped) in _END_HEADINGS:
                current = None
                continue
        if current is not None:
            current.lines.append((number, raw))
    if not sections:
        raise InputError(
            "at least one heading 'Projet de quartier « … »' (convention template)",
            path=path,
            line=1,
        )
    for section in sections:
        if re.search(r"[<>]|[\x00-\x08\x0b-\x1f]", section.name):
            raise InputError(
                "a quartier name without markup or control characters",
                path=path,
                line=section.line,
                found=section.name,
            )
    seen: dict[str, int] = {}
    for section in sections:
        quartier = slugify(section.name)
        if quartier in seen:
            raise InputError(
                f"each quartier once; {_text(section.name)!r} already starts at line "
                f"{seen[quartier]}",
                path=path,
                line=section.line,
            )
        seen[quartier] = section.line
    _check_table_of_contents(lines, sections, path)
    return sections


def _check_table_of_contents(lines: list[str], sections: list[_Section], path: str) -> None:
    """Every quartier the « Sommaire » announces has its section, and no other appears.

    The template's table of contents lists each « Projet de quartier « … » » with its
    page; a text cut short (or a section lost) no longer matches it.
    """
    announced: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if "\t" not in raw:
            continue
        title, _, page = raw.rpartition("\t")
        match = _HEADING.match(_text(title))
        if match and page.strip().isdigit():
            announced.setdefault(slugify(match.group("name")), number)
    if not announced:
        return
    found = {slugify(section.name): section for section in sections}
    for quartier, number in announced.items():
        if quartier not in found:
            raise InputError(
                f"the section of quartier {quartier!r} announced in the sommaire at line "
                f"{number} (text truncated or section lost?)",
                path=path,
                line=len(lines),
            )
    for quartier, section in found.items():
        if quartier not in announced:
            raise InputError(
                f"a quartier listed in the sommaire; {section.name!r} is not",
                path=path,
                line=section.line,
            )


# --------------------------------------------------------------------------- portrait


def _parse_source(text: str) -> dict[str, str | None]:
    """Split « données sigville 2022 basées sur l'ancien périmètre » into its parts.

    >>> _parse_source("données sigville 2022 basées sur l'ancien périmètre")["perimeter"]
    'ancien périmètre'
    >>> _parse_source("données 2024 de la Préfecture du Pas-de-Calais")["source"]
    'Préfecture du Pas-de-Calais'
    """
    body = _text(text)
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


def _portrait_row(
    indicator: Indicator,
    label: str,
    rest: str,
    *,
    quartier: str,
    path: str,
    line: int,
) -> dict[str, object]:
    context = f"quartier {quartier!r}"
    rest = rest.strip()
    value_text, paren = rest, None
    if "(" in rest:
        cut = rest.index("(")
        value_text = rest[:cut]
        closing = rest.rfind(")")
        paren = rest[cut + 1 : closing if closing > cut else None].strip()
    value_text = _text(value_text).rstrip(".").strip()
    quantity = parse_quantity(value_text, path=path, line=line, context=context)
    row: dict[str, object] = {
        "indicator_id": indicator.id,
        "label": _text(label),
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
        reference = _REFERENCE.match(_text(paren))
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
                reference_territory=REFERENCE_TERRITORY,
                reference_scope=f"sur l'ensemble {scope}",
            )
            _check_unit_and_bounds(indicator, ref.unit, ref.value, path, line, context, paren)
        else:
            row["note"] = _text(paren)
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
    low, high = indicator.bounds
    if not low <= value <= high:
        raise InputError(
            f"{indicator.label_fr!r} between {low:g} and {high:g}",
            path=path,
            line=line,
            context=context,
            found=text,
        )


# --------------------------------------------------------------------------- objectives


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
    lead = _text(parts[0])
    items: list[str] = []
    for part in parts[1:]:
        cleaned = _text(part)
        if not cleaned:
            continue
        items.extend(_split_glued(cleaned) if glued else [cleaned])
    return lead, items


def _is_action_cell(cell: str) -> bool:
    return bool(_UL.search(cell) or _P.search(cell) or "•" in cell)


@dataclass
class _Row:
    enjeu: int
    enjeu_title: str
    strategic: str | None
    strategic_explicit: bool
    operational: str | None
    actions: list[str]
    line: int


def _join(first: str | None, second: str) -> str:
    return second if not first else f"{first.rstrip()} {second.lstrip()}"


def _known_objectives(sections: list[_Section]) -> tuple[set[str], set[str]]:
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
            operational.add(_text(cells[1]))
            if cells[0].strip():
                strategic.add(_text(cells[0]))
    return strategic, operational


def _matches(text: str, known: set[str]) -> bool:
    return any(item == text or item.startswith(text + " ") for item in known)


def _parse_objectives(
    lines: list[tuple[int, str]],
    quartier: str,
    path: str,
    known: tuple[set[str], set[str]],
) -> list[_Row]:
    known_strategic, known_operational = known
    rows: list[_Row] = []
    enjeu: tuple[int, str] | None = None
    current_strategic: str | None = None
    after_break = False
    context = f"quartier {quartier!r}"
    for number, raw in lines:
        stripped = _text(raw)
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
            raise InputError(
                "a table row (tab-separated), an 'ENJEU n :' heading or a blank line",
                path=path,
                line=number,
                context=context,
                found=stripped,
            )
        if enjeu is None:
            raise InputError(
                "an 'ENJEU n : …' heading before the objectives table",
                path=path,
                line=number,
                context=context,
            )
        cells = raw.split("\t")
        action_index = next((i for i, c in enumerate(cells) if _is_action_cell(c)), None)
        if action_index is None and len(cells) >= 3 and cells[2].strip():
            action_index = 2
        if action_index is None:
            descriptors, action_cell = cells[:2], ""
        else:
            descriptors = cells[:action_index]
            action_cell = " ".join(cells[action_index:])
        texts = [_text(c) for c in descriptors]
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
                    raise InputError(
                        f"the continuation of the row at line {previous.line}",
                        path=path,
                        line=number,
                        context=context,
                        found=strategic,
                    )
                previous.strategic, previous.strategic_explicit = strategic, True
                current_strategic = strategic
            if operational:
                previous.operational = _join(previous.operational, operational)
            if lead:
                if previous.actions:
                    previous.actions[-1] = _join(previous.actions[-1], lead)
                else:
                    previous.actions.append(lead)
            previous.actions.extend(bullets)
            continue
        if strategic:
            current_strategic = strategic
        if operational is None:
            raise InputError(
                "an operational objective in the second column",
                path=path,
                line=number,
                context=context,
                found=raw.strip(),
            )
        actions = ([lead] if lead else []) + bullets
        rows.append(
            _Row(
                enjeu[0], enjeu[1], current_strategic, bool(strategic), operational, actions, number
            )
        )
    for row in rows:
        if not row.strategic:
            raise InputError(
                "a strategic objective (first column) for this row",
                path=path,
                line=row.line,
                context=context,
            )
    return rows


# --------------------------------------------------------------------------- quartier


_STATUS = (
    (re.compile(r"quartier prioritaire", re.I), "QPV"),
    (re.compile(r"int[ée]r[êe]t communautaire", re.I), "QIC"),
)
_LISTS = (
    (re.compile(r"^les\s*« ?\s*irritants", re.I), "irritants"),
    (re.compile(r"^les\s*« ?\s*opportunit", re.I), "opportunites"),
    (re.compile(r"^les enjeux prioritaires", re.I), "enjeux"),
)


def _parse_section(
    section: _Section, path: str, known: tuple[set[str], set[str]]
) -> tuple[dict[str, object], list[dict[str, object]], list[_Row]]:
    name = _text(section.name)
    context = f"quartier {name!r}"
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
        stripped = _text(raw)
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
                lists[state][-1] = _join(lists[state][-1], stripped)
            else:
                raise InputError(
                    "a list item starting with '- '",
                    path=path,
                    line=number,
                    context=context,
                    found=stripped,
                )
            continue
        paren = _PAREN.match(stripped)
        if paren:
            if state == "map":
                info["map_perimeter"] = re.sub(r"^p[ée]rim[èe]tre\s*", "", paren.group("text"))
            elif state == "portrait" and not portrait and info["source_text"] is None:
                info["source_text"] = paren.group("text").strip()
                info.update(_parse_source(paren.group("text")))
            else:
                raise InputError(
                    "a portrait line 'Indicateur : valeur (référence)'",
                    path=path,
                    line=number,
                    context=context,
                    found=stripped,
                )
            continue
        key_value = _KEY_VALUE.match(stripped)
        if key_value is None:
            if state == "map":
                continue  # leftovers of the map's caption
            raise InputError(
                "a line 'Clé : valeur' of the quartier's identity or portrait",
                path=path,
                line=number,
                context=context,
                found=stripped,
            )
        key, value = key_value.group("key").strip(), key_value.group("value")
        norm_key = normalise_label(key)
        if norm_key == "statut":
            info["status_label"] = _text(value)
            info["status"] = next(
                (code for pattern, code in _STATUS if pattern.search(value)), None
            )
            if info["status"] is None:
                raise InputError(
                    "a status 'Quartier prioritaire…' or 'Quartier d'intérêt communautaire…'",
                    path=path,
                    line=number,
                    context=context,
                    found=_text(value),
                )
        elif norm_key == "code quartier":
            try:
                info["code"] = normalise_code(value)
            except ValueError:
                raise InputError(
                    "an official code such as 'QP 06 20 13'",
                    path=path,
                    line=number,
                    context=context,
                    found=_text(value),
                ) from None
        elif re.fullmatch(r"communes? concernees?", norm_key):
            communes = re.split(r"\s*,\s*|\s+et\s+", _text(value))
            info["communes"] = "; ".join(c for c in communes if c)
        elif norm_key in _CAPTION_KEYS or (state == "identity" and norm_key.startswith("source")):
            continue
        else:
            indicator = match_indicator(key)
            if indicator is None:
                raise InputError(
                    "a known indicator label (e.g. 'Taux de pauvreté', 'Part du parc social')",
                    path=path,
                    line=number,
                    context=context,
                    found=key,
                )
            if any(row["indicator_id"] == indicator.id for row in portrait):
                raise InputError(
                    f"one line per indicator; {indicator.label_fr!r} is given twice",
                    path=path,
                    line=number,
                    context=context,
                )
            portrait.append(
                _portrait_row(indicator, key, value, quartier=name, path=path, line=number)
            )
    if info["status"] is None:
        raise InputError(
            "a 'Statut : …' line in the quartier's section",
            path=path,
            line=section.line,
            context=context,
        )
    if info["status"] == "QPV" and info["code"] is None:
        raise InputError(
            "a 'Code quartier : QP …' line for a QPV",
            path=path,
            line=section.line,
            context=context,
        )
    if info["communes"] is None:
        raise InputError(
            "a 'Commune(s) concernée(s) : …' line",
            path=path,
            line=section.line,
            context=context,
        )
    caveats = []
    if portrait and not portrait_heading:
        caveats.append(
            "Portrait incomplet : le titre « Portrait statistique », la source et la plupart "
            f"des lignes manquent dans le texte ; {len(portrait)} indicateur(s) subsiste(nt)."
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
    rows = _parse_objectives(objective_lines, name, path, known) if objective_lines else []
    return info, portrait, rows


def parse_convention(text: str, *, path: str = "<convention>") -> Convention:
    """Parse the text of a convention into its three tables (see the module docstring)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sections = _split_sections(lines, path)
    known = _known_objectives(sections)
    quartiers, portrait, objectives = [], [], []
    for section in sections:
        info, rows, tree = _parse_section(section, path, known)
        quartiers.append(info)
        portrait.extend(rows)
        for row in tree:
            base = {
                "quartier_id": info["quartier_id"],
                "enjeu": row.enjeu,
                "enjeu_title": row.enjeu_title,
                "strategic_objective": row.strategic,
                "operational_objective": row.operational,
                "line": row.line,
            }
            if row.actions:
                for rank, action in enumerate(row.actions, start=1):
                    objectives.append({**base, "action_rank": rank, "action": action})
            else:
                objectives.append({**base, "action_rank": None, "action": None})
    return Convention(
        quartiers=_frame(quartiers, QUARTIER_COLUMNS),
        portrait=_order_portrait(_frame(portrait, PORTRAIT_COLUMNS)),
        objectives=_frame(objectives, OBJECTIVE_COLUMNS),
    )


def _frame(records: list[dict[str, object]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    for column in frame.columns:
        if column in ("value", "reference_value"):
            frame[column] = frame[column].astype("float64")
        elif column in ("line", "enjeu", "decimals"):
            frame[column] = frame[column].astype("int64")
        elif column in ("action_rank", "reference_decimals"):
            frame[column] = frame[column].astype("Int64")
        else:
            frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
            frame[column] = frame[column].astype("str")
    return frame


def _order_portrait(portrait: pd.DataFrame) -> pd.DataFrame:
    """Rows in the text's order of quartiers, then in the indicators' display order."""
    if portrait.empty:
        return portrait
    order = portrait["indicator_id"].map(lambda i: BY_ID[i].order)
    quartier_rank = {q: i for i, q in enumerate(dict.fromkeys(portrait["quartier_id"]))}
    keys = portrait["quartier_id"].map(quartier_rank) * 100 + order
    return portrait.iloc[keys.argsort(kind="stable")].reset_index(drop=True)
