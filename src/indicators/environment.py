"""The command's surroundings: output streams, ``SOURCE_DATE_EPOCH``, ``HOME``.

Faults of the environment, not of the data, must end in one line too, never in a
traceback or a screen of warnings:

- :func:`prepare_streams`: a closed standard stream is reopened on ``/dev/null`` (so no
  file the run opens can take its place and receive a kernel's output); text that the
  output encoding cannot show (« 1 600 » with a narrow no-break space, « œ », « ’ »
  under ``PYTHONIOENCODING=ascii`` or ``latin-1``) is transliterated instead of raising;
- :func:`check_source_date_epoch`: ``SOURCE_DATE_EPOCH``, when set, must be a whole
  number of seconds from 1980-01-01 (the first date a zip file, hence an XLSX, can
  hold) to 9999-12-31;
- :func:`prepare_home`: when ``HOME`` is missing or not writable, Matplotlib, Jupyter
  and IPython get a temporary folder for their caches and runtime files.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import os
import shutil
import sys
import tempfile
import unicodedata

from indicators.errors import ParameterError

__all__ = ["check_source_date_epoch", "prepare_home", "prepare_streams"]

EPOCH_MIN, EPOCH_MAX = 315_532_800, 253_402_300_799  # 1980-01-01, 9999-12-31 (UTC)
_ERRORS = "indicators-transliterate"
_PLAIN = {
    "\u202f": " ",
    "\u00a0": " ",
    "\u2009": " ",
    "«": '"',
    "»": '"',
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "−": "-",
    "–": "-",
    "—": "-",
    "…": "...",
    "œ": "oe",
    "Œ": "OE",
}


def _transliterate(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    out = []
    for char in text:
        plain = _PLAIN.get(char)
        if plain is None:
            decomposed = unicodedata.normalize("NFKD", char)
            plain = "".join(c for c in decomposed if ord(c) < 128) or "?"
        out.append(plain)
    return "".join(out), error.end


codecs.register_error(_ERRORS, _transliterate)


def _reopen_closed_descriptors() -> None:
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            opened = os.open(os.devnull, os.O_RDWR)
            if opened != fd:  # pragma: no cover - a lower descriptor was closed first
                os.dup2(opened, fd)
                os.close(opened)


def prepare_streams() -> None:
    """Closed streams → ``/dev/null``; unencodable output text → transliterated."""
    _reopen_closed_descriptors()
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
            continue
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
        if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):  # detached or closed stream
                stream.reconfigure(errors=_ERRORS)


def check_source_date_epoch() -> None:
    """Refuse a malformed ``SOURCE_DATE_EPOCH`` with one line (see the module docstring)."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value == "":
        return
    text = value.strip()
    if not (text.isascii() and text.isdigit() and EPOCH_MIN <= int(text) <= EPOCH_MAX):
        raise ParameterError(
            "SOURCE_DATE_EPOCH: expected a whole number of seconds since 1970-01-01 UTC, "
            f"from {EPOCH_MIN} (1980-01-01) to {EPOCH_MAX}, as `date +%s` prints it; "
            f"found {value!r}"
        )


def _writable_dir(path: str | None) -> bool:
    return bool(path) and os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)  # type: ignore[arg-type]


def prepare_home() -> str | None:
    """When ``HOME`` cannot be written, point the tools' caches to a temporary folder.

    Returns the temporary folder (removed at exit), or ``None`` when ``HOME`` is fine.
    """
    if _writable_dir(os.environ.get("HOME")):
        return None
    folder = tempfile.mkdtemp(prefix="indicators-home-")
    atexit.register(shutil.rmtree, folder, True)
    for variable, sub in (
        ("MPLCONFIGDIR", "matplotlib"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("JUPYTER_CONFIG_DIR", "jupyter-config"),
        ("IPYTHONDIR", "ipython"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
    ):
        if not _writable_dir(os.environ.get(variable)):
            os.environ[variable] = os.path.join(folder, sub)
            os.makedirs(os.environ[variable], exist_ok=True)
    return folder
