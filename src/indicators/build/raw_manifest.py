"""Provenance of the build: the raw-data manifest ``data/raw/SHA256SUMS``.

:func:`check_raw_manifest` verifies the manifest (``sha256sum`` format) so a raw file
that changed is reported instead of being used silently.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from indicators.errors import InputError
from indicators.hashing import sha256_file
from indicators.sources.decoding import decode_text

__all__ = ["check_raw_manifest"]

_MANIFEST_LINE = re.compile(r"^(?P<hash>[0-9a-fA-F]{64}) [ *](?P<name>.+)$")
_NOT_DATA = {"SHA256SUMS", "README.md"}


def check_raw_manifest(raw_dir: str | os.PathLike[str]) -> list[str]:
    """Verify ``<raw_dir>/SHA256SUMS`` and list the data files it does not cover.

    The manifest has the ``sha256sum`` format (``<64 hex>  <path>``, paths relative to
    ``raw_dir``, ``/``-separated); it is checked with ``cd data/raw && sha256sum -c
    SHA256SUMS`` as well. ``README.md`` files and hidden files are documentation and are
    not expected in it.

    Parameters
    ----------
    raw_dir
        The ``data/raw`` folder.

    Returns
    -------
    list of str
        Files present under ``raw_dir`` but not listed (relative paths, sorted): they are
        used by the build, which reports them.

    Raises
    ------
    InputError
        When the manifest is missing or malformed, when a listed file is missing, or when
        its sha256 differs (the message names the file and the manifest line).
    """
    raw_dir = Path(raw_dir)
    manifest = raw_dir / "SHA256SUMS"
    if not manifest.is_file():
        raise InputError(
            "a manifest of the raw files (sha256sum format)", path=manifest, found="no such file"
        )
    listed: set[str] = set()
    text = decode_text(manifest.read_bytes(), path=manifest)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _MANIFEST_LINE.match(line.rstrip())
        if not match:
            raise InputError(
                "'<sha256>  <path>' as written by sha256sum", path=manifest, line=number, found=line
            )
        name = match["name"]
        listed.add(name)
        target = raw_dir / name
        _check_inside(raw_dir, name, manifest, number)
        if not target.is_file():
            raise InputError(
                f"the file listed on line {number} of {manifest}",
                path=target,
                found="no such file",
                raw=False,
            )
        actual = sha256_file(target)
        if actual != match["hash"].lower():
            raise InputError(
                f"the sha256 recorded on line {number} of {manifest} ({match['hash'][:12]}…),"
                f" found {actual[:12]}…: the raw file changed; if the change is intended, "
                f"update its README and its line in SHA256SUMS",
                path=target,
                raw=True,
            )
    unlisted = []
    for file in sorted(raw_dir.rglob("*")):
        relative = file.relative_to(raw_dir).as_posix()
        if (
            file.is_file()
            and file.name not in _NOT_DATA
            and not any(part.startswith(".") for part in file.relative_to(raw_dir).parts)
            and relative not in listed
        ):
            unlisted.append(relative)
    return unlisted


def _check_inside(raw_dir: Path, name: str, manifest: Path, number: int) -> None:
    """Refuse a manifest entry that names a file outside ``raw_dir`` (absolute path,
    ``..``, or a symbolic link leading out): the build reads only the project's inputs."""
    parts = name.replace("\\", "/").split("/")
    outside = name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]
    if not outside:
        root = raw_dir.resolve()
        resolved = (raw_dir / name).resolve()
        outside = root != resolved and root not in resolved.parents
    if outside:
        raise InputError(
            "a path inside data/raw (relative, without '..', no link leading out)",
            path=manifest,
            line=number,
            found=name,
        )
