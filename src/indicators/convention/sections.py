"""Quartier sections of a convention and the check of its table of contents.

Each « Projet de quartier « … » » heading opens a section that runs to the next heading
or to the template's closing chapters (« Organisation et pilotage local », « Les
signataires »). The « Sommaire » must announce exactly the sections found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indicators.catalog import normalise_label
from indicators.convention.text import clean_text, slugify
from indicators.errors import InputError

_HEADING = re.compile(r"^Projet de quartier\s*[«\"“]\s*(?P<name>.+?)\s*[»\"”]\s*$")
_END_HEADINGS = ("organisation et pilotage local", "les signataires")


@dataclass
class Section:
    """One quartier's section: its name, heading line and (line number, text) lines."""

    name: str
    line: int  # 1-based line of the heading
    lines: list[tuple[int, str]] = field(default_factory=list)


def split_sections(lines: list[str], path: str) -> list[Section]:
    """The quartier sections of ``lines``, checked: named, unique, as the sommaire says."""
    sections: list[Section] = []
    current: Section | None = None
    for number, raw in enumerate(lines, start=1):
        if "\t" not in raw:
            stripped = clean_text(raw)
            match = _HEADING.match(stripped)
            if match:
                current = Section(match.group("name"), number)
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
                f"each quartier once; {clean_text(section.name)!r} already starts at line "
                f"{seen[quartier]}",
                path=path,
                line=section.line,
            )
        seen[quartier] = section.line
    check_table_of_contents(lines, sections, path)
    return sections


def check_table_of_contents(lines: list[str], sections: list[Section], path: str) -> None:
    """Every quartier the « Sommaire » announces has its section, and no other appears.

    The template's table of contents lists each « Projet de quartier « … » » with its
    page; a text cut short (or a section lost) no longer matches it.
    """
    announced: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if "\t" not in raw:
            continue
        title, _, page = raw.rpartition("\t")
        match = _HEADING.match(clean_text(title))
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
