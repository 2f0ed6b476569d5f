"""The alt texts the build wrote beside its figures, for the PNGs the reports embed.

``indicators build`` writes every figure's French alt text into
``exports/figures/textes_alternatifs.json`` (:func:`indicators.build.figure_export.
write_alt_texts`, from the same tables and the same registry function as the report would
call) and records its sha256 in the manifest. A report that embeds the build's PNG takes
the build's text: its kernel then reads no commune layer and classifies no map (the IPS
map's classes cost a ``mapclassify`` import, about 2 s, in the dossier's kernel).

A manifest without the file (a build of an earlier version) gives ``None``: the report
writes the text itself, as before. A file that does not match the manifest, or is not
the JSON expected, is an :class:`~indicators.errors.InputError`.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from pathlib import Path
from typing import Any

from indicators.errors import InputError
from indicators.figures.registry import ALT_TEXTS_FILE

__all__ = ["built_alt_text", "read_checked"]

_KEY = f"figures/{ALT_TEXTS_FILE}"
_READ: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def read_checked(path: Path, expected: str, what: str, context: str | None = None) -> bytes:
    """The bytes of a file of the build's exports, checked against the manifest's sha256.

    Raises
    ------
    InputError
        The file is missing or unreadable (``what`` is expected), or its bytes are not
        those of the manifest.
    """
    rebuild = "(run `indicators build` again)"
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            f"{what} {rebuild}", path=path, context=context, found=type(error).__name__
        ) from None
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise InputError(
            f"the sha256 of the build manifest, {expected[:12]}… {rebuild}",
            path=path,
            context=context,
            found=found[:12] + "…",
        )
    return data


def _read(tables: Any, expected: str) -> dict[str, str]:
    path = tables.processed / "exports" / _KEY
    data = read_checked(path, expected, "the alt texts listed in the build manifest")
    try:
        texts = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"a JSON object of alt texts ({error})", path=path) from None
    if not isinstance(texts, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in texts.items()
    ):
        raise InputError("a JSON object of figure names and alt texts", path=path)
    return texts


def built_alt_text(tables: Any, name: str) -> str | None:
    """The build's alt text of figure ``name`` (``None``: tables from memory, or no text).

    ``tables`` is a :class:`~indicators.report.tables.Tables`; the file is read once per
    ``tables``.
    """
    if tables.processed is None:
        return None
    expected = (tables.manifest.get("exports") or {}).get(_KEY)
    if expected is None:
        return None
    if tables not in _READ:
        _READ[tables] = _read(tables, expected)
    return _READ[tables].get(name)
