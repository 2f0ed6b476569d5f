"""Text decoding of input files: UTF-8 or Windows-1252, NUL bytes and mojibake refused.

French public data come as UTF-8 (with or without BOM) or Windows-1252 text.
:func:`decode_text` accepts both and refuses, with the line of the problem, what cannot
be one of them: NUL bytes (UTF-16 or binary), undecodable bytes, and UTF-8 text that was
read as Windows-1252 and saved again (``"Ã©"`` for ``"é"``).

>>> decode_text("Béthune\\n".encode("cp1252"), path="x.csv")
'Béthune\\n'
"""

from __future__ import annotations

import os
import re

from indicators.errors import InputError

__all__ = ["decode_text", "line_of_offset"]

# UTF-8 text that was decoded as Windows-1252 and saved again ("Ã©" for "é", "â€™" for "’").
_CP1252_HIGH = bytes(b for b in range(0x80, 0xC0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00c5][" + re.escape(_CP1252_HIGH.decode("cp1252")) + "]|\u00e2\u20ac"
)


def line_of_offset(data: bytes | str, offset: int) -> int:
    """1-based line of character (or byte) ``offset`` in ``data``."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1


def decode_text(data: bytes, *, path: str | os.PathLike[str], encoding: str | None = None) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else Windows-1252.

    Parameters
    ----------
    data
        The file's bytes.
    path
        The file, for error messages.
    encoding
        Force one encoding instead of trying UTF-8 then cp1252.

    Raises
    ------
    InputError
        When the bytes are neither UTF-8 nor cp1252 (e.g. UTF-16), or when the text shows
        mojibake (UTF-8 read as cp1252 and saved again: ``"Ã©"`` for ``"é"``).
    """
    if b"\x00" in data:  # anywhere: a NUL deep in a file would cut a field silently
        raise InputError(
            "text in UTF-8 or Windows-1252; the file contains NUL bytes (UTF-16 or binary?)",
            path=path,
            line=line_of_offset(data, data.index(b"\x00")),
            raw=True,
        )
    candidates = [encoding] if encoding else ["utf-8-sig", "cp1252"]
    failure: UnicodeDecodeError | None = None
    text: str | None = None
    for candidate in candidates:
        try:
            text = data.decode(candidate)
            break
        except UnicodeDecodeError as exc:
            failure = exc
    if text is None:
        assert failure is not None
        raise InputError(
            f"text in {' or '.join(candidates)}; byte 0x{data[failure.start]:02x} cannot be "
            f"decoded as {failure.encoding}",
            path=path,
            line=line_of_offset(data, failure.start),
            raw=True,
        )
    bad = _MOJIBAKE.search(text)
    if bad:
        raise InputError(
            "text in UTF-8 or Windows-1252, not UTF-8 that was re-encoded (mojibake such as "
            "'Ã©' for 'é'): re-export the file from its source",
            path=path,
            line=line_of_offset(text, bad.start()),
            found=text[max(0, bad.start() - 10) : bad.end() + 10].replace("\n", " "),
        )
    return text
