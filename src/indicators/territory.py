"""The territory of the contrat de ville, read from ``data/raw/territory.toml``.

The commune(s), their EPCI, the convention file and the quartiers' official codes are
data, not code: :func:`load_territory` reads and checks them, and every error is one
line naming the file and the key.

>>> load_territory_text('academie = "Lille"')  # doctest: +ELLIPSIS
Traceback (most recent call last):
  ...
indicators.errors.InputError: territory.toml, key 'convention': expected a table [convention], ...
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from indicators.errors import InputError

_INSEE = re.compile(r"(?:\d{2}|2[AB])\d{3}")
_SIREN = re.compile(r"\d{9}")
_DEPARTEMENT = re.compile(r"\d{2}|2[AB]|97\d")
_QPV = re.compile(r"Q[PN][0-9A-Z]{6}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NOTHING = object()


@dataclass(frozen=True)
class Commune:
    """A commune: INSEE code (text) and official name."""

    insee: str
    name: str


@dataclass(frozen=True)
class Epci:
    """The EPCI: SIREN (text), full name, short label, number of member communes."""

    siren: str
    name: str
    label: str
    member_count: int


@dataclass(frozen=True)
class Departement:
    """A département: code (text, ``"62"``, ``"2A"``, ``"971"``) and name."""

    code: str
    name: str


@dataclass(frozen=True)
class Territory:
    """Everything that names the territory; see ``data/raw/territory.toml``."""

    convention_file: str  #: relative to ``data/raw``, ``/``-separated
    reference_label: str  #: the label the convention gives the gaps' reference territory
    communes: tuple[Commune, ...]
    epci: Epci
    departement: Departement
    academie: str
    epci_members_dir: str  #: folder of ``data/raw`` (member list of the EPCI)
    commune_boundaries_dir: str  #: folder of ``data/raw`` (commune boundaries)
    quartier_codes: dict[str, str | None]  #: quartier id → official code (None: QIC)
    #: file of ``data/raw`` (``/``-separated): the Filosofi grid shipped for the territory
    filosofi_grid_file: str | None = None

    @property
    def commune_names(self) -> dict[str, str]:
        """INSEE code → name of the commune(s) of the convention, in file order."""
        return {commune.insee: commune.name for commune in self.communes}


def the_epci(label: str | None) -> str:
    """The EPCI's short label with its article, for French text: « la CATEST ».

    The article is « la » (a communauté, a métropole), elided before a vowel
    (« l'Eurométropole »); without a label, the generic « l'agglomération ». Templates
    write « Écart à {epci} », « Limite de {epci} »: every case reads right.

    >>> the_epci("CATEST"), the_epci("Eurométropole"), the_epci(None)
    ('la CATEST', "l'Eurométropole", "l'agglomération")
    """
    if not label:
        return "l'agglomération"
    vowel = unicodedata.normalize("NFD", label[0])[0].lower() in "aeiouy"
    return f"l'{label}" if vowel else f"la {label}"


class _Reader:
    """Typed access to the parsed TOML, raising one-line errors that name the key."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path

    def fail(self, key: str, expected: str, found: Any = _NOTHING) -> InputError:
        tail = f"expected {expected}"
        if found is not _NOTHING:
            shown = repr(found)
            tail += ", found " + (shown if len(shown) <= 80 else shown[:77] + "...")
        return InputError(tail, path=self.path, context=f"key {key!r}", raw=True)

    def missing(self, key: str, expected: str) -> InputError:
        return InputError(
            f"{expected}, found no such key", path=self.path, context=f"key {key!r}", raw=False
        )

    def table(self, data: dict[str, Any], key: str, keys: set[str], prefix: str = "") -> dict:
        name = prefix + key
        if key not in data:
            raise self.missing(name, f"a table [{name}]")
        value = data[key]
        if not isinstance(value, dict):
            raise self.fail(name, "a table", type(value).__name__)
        self.known(value, keys, name + ".")
        return value

    def known(self, data: dict[str, Any], keys: set[str], prefix: str) -> None:
        for extra in sorted(set(data) - keys):
            raise self.fail(prefix + extra, "no such key (known: " + ", ".join(sorted(keys)) + ")")

    def text(
        self,
        data: dict,
        key: str,
        prefix: str,
        pattern: re.Pattern | None = None,
        what: str = "a non-empty string",
    ) -> str:
        if key not in data:
            raise self.missing(prefix + key, what)
        value = data[key]
        if not isinstance(value, str):
            raise self.fail(prefix + key, what + " (in quotes)", value)
        if not value.strip() or (pattern is not None and not pattern.fullmatch(value)):
            raise self.fail(prefix + key, what, value)
        return value

    def folder(self, data: dict, key: str, prefix: str) -> str:
        value = self.text(data, key, prefix, what="a path relative to data/raw")
        parts = PurePosixPath(value).parts
        if value.startswith("/") or "\\" in value or ".." in parts or ":" in value:
            raise self.fail(prefix + key, "a path relative to data/raw, '/'-separated", value)
        return value


def load_territory_text(text: str, path: str | os.PathLike[str] = "territory.toml") -> Territory:
    """Parse and check the text of a territory file (``path`` names it in errors)."""
    read = _Reader(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r" \(at line (\d+), column (\d+)\)$", str(error))
        reason = str(error)[: where.start()] if where else str(error)
        line = int(where[1]) if where else None
        column = f", column {where[2]}" if where else ""
        raise InputError(f"valid TOML ({reason}{column})", path=path, line=line) from None
    read.known(
        data, {"convention", "communes", "epci", "departement", "academie", "raw", "quartiers"}, ""
    )
    convention = read.table(data, "convention", {"file", "reference_label"})
    communes = data.get("communes")
    if not isinstance(communes, list) or not communes:
        if communes is None:
            raise read.missing("communes", "one or more [[communes]] tables")
        raise read.fail("communes", "one or more [[communes]] tables", communes)
    parsed = []
    for index, commune in enumerate(communes):
        prefix = f"communes[{index}]."
        if not isinstance(commune, dict):
            raise read.fail(prefix[:-1], "a table", commune)
        read.known(commune, {"insee", "name"}, prefix)
        insee = read.text(commune, "insee", prefix, _INSEE, "an INSEE code of 5 characters")
        parsed.append(Commune(insee, read.text(commune, "name", prefix)))
    epci = read.table(data, "epci", {"siren", "name", "label", "member_count"})
    if "member_count" not in epci:
        raise read.missing("epci.member_count", "a positive whole number")
    count = epci["member_count"]
    if type(count) is not int or count < 1:
        raise read.fail("epci.member_count", "a positive whole number", count)
    departement = read.table(data, "departement", {"code", "name"})
    academie = read.table(data, "academie", {"name"})
    raw = read.table(data, "raw", {"epci_members", "commune_boundaries", "filosofi_grid"})
    quartiers = data.get("quartiers")
    if quartiers is None:
        raise read.missing("quartiers", "a table [quartiers]")
    if not isinstance(quartiers, dict) or not quartiers:
        raise read.fail("quartiers", "a table with one entry per quartier", quartiers)
    codes: dict[str, str | None] = {}
    for quartier, entry in quartiers.items():
        prefix = f"quartiers.{quartier}."
        if not _SLUG.fullmatch(quartier):
            raise read.fail(prefix[:-1], "a quartier id such as 'cites-6-et-30'", quartier)
        if not isinstance(entry, dict):
            raise read.fail(prefix[:-1], '{ code = "QP…" } or {}', entry)
        read.known(entry, {"code"}, prefix)
        what = "a QPV code such as 'QP062013' or 'QN06201M'"
        codes[quartier] = read.text(entry, "code", prefix, _QPV, what) if entry else None
    return Territory(
        convention_file=read.folder(convention, "file", "convention."),
        reference_label=read.text(convention, "reference_label", "convention."),
        communes=tuple(parsed),
        epci=Epci(
            siren=read.text(epci, "siren", "epci.", _SIREN, "a SIREN of 9 digits"),
            name=read.text(epci, "name", "epci."),
            label=read.text(epci, "label", "epci."),
            member_count=count,
        ),
        departement=Departement(
            read.text(departement, "code", "departement.", _DEPARTEMENT, "a département code"),
            read.text(departement, "name", "departement."),
        ),
        academie=read.text(academie, "name", "academie."),
        epci_members_dir=read.folder(raw, "epci_members", "raw."),
        commune_boundaries_dir=read.folder(raw, "commune_boundaries", "raw."),
        quartier_codes=codes,
        filosofi_grid_file=(
            read.folder(raw, "filosofi_grid", "raw.") if "filosofi_grid" in raw else None
        ),
    )


def load_territory(path: str | os.PathLike[str]) -> Territory:
    """Read and check a territory file (``data/raw/territory.toml``).

    Raises
    ------
    InputError
        One line naming the file and the key: the file is missing or not TOML, a key is
        missing, unknown or of the wrong type, or a code is malformed.
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(
            "the territory file (see data/raw/README.md)", path=path, found="no such file"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("UTF-8 text", path=path) from None
    return load_territory_text(text, path)
