"""Text helpers of the convention parser: decoding, markup removal, ids and codes.

The convention is a text extracted from a PDF: Markdown emphasis, non-breaking spaces
and odd encodings are dealt with here, once, for every other module of the parser.
"""

from __future__ import annotations

import re
import unicodedata

from indicators.errors import InputError

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


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


def clean_text(value: str) -> str:
    """Markdown emphasis removed, spaces folded."""
    return _SPACES.sub(" ", value.replace("**", "").replace("__", "")).strip()


def join_text(first: str | None, second: str) -> str:
    """``second`` appended to ``first`` with one space (``second`` alone if no ``first``)."""
    return second if not first else f"{first.rstrip()} {second.lstrip()}"


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
