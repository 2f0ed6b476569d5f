"""``indicators record <file>``: record a raw input's sha256 in ``data/raw/SHA256SUMS``.

The one place where the code writes into ``data/raw``, and only when asked, for one
file, after a person put it there: it adds the file's line (or replaces it when the file
changed) in the ``sha256sum`` format the build checks (:mod:`indicators.build.
raw_manifest`), keeps the lines sorted by path, and writes the manifest atomically. It
never touches the file itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from indicators.build.storage import atomic_write_bytes
from indicators.config import Paths
from indicators.errors import InputError
from indicators.hashing import sha256_file

__all__ = ["record_raw"]


def record_raw(paths: Paths, file: str | os.PathLike[str]) -> tuple[str, str, str]:
    """Record ``file`` (under ``data/raw``) in ``SHA256SUMS``.

    Returns
    -------
    (relative path, sha256, what happened): ``"ajouté"``, ``"mis à jour"`` or
    ``"inchangé"``.

    Raises
    ------
    InputError
        When ``file`` is not a file under ``data/raw`` (or is the manifest or a README).
    """
    target = Path(file)
    if not target.is_absolute():
        target = Path.cwd() / target
    target = target.resolve()
    raw = paths.raw.resolve()
    if not target.is_file():
        raise InputError("a file to record", path=file, found="no such file")
    try:
        relative = target.relative_to(raw).as_posix()
    except ValueError:
        raise InputError(
            f"a file inside {paths.raw} (copy it there first, as received)", path=file, raw=False
        ) from None
    if target.name in ("SHA256SUMS", "README.md", "PROVENANCE.md"):
        raise InputError("a data file (not the manifest or a README)", path=file)
    digest = sha256_file(target)
    manifest = raw / "SHA256SUMS"
    lines = manifest.read_text(encoding="utf-8").splitlines() if manifest.is_file() else []
    status = "ajouté"
    kept: list[str] = []
    for line in lines:
        if line.endswith(f"  {relative}") or line.endswith(f" *{relative}"):
            status = "inchangé" if line.startswith(digest) else "mis à jour"
            continue
        kept.append(line)
    comments = [ln for ln in kept if ln.startswith("#") or not ln.strip()]
    entries = [ln for ln in kept if ln not in comments]
    entries.append(f"{digest}  {relative}")
    entries.sort(key=lambda ln: ln[66:])
    atomic_write_bytes(manifest, ("\n".join([*comments, *entries]) + "\n").encode("utf-8"))
    return relative, digest, status
