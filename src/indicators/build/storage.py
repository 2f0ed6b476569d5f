"""Atomic, deterministic writing of processed tables.

Writers never leave a half-written file: bytes go to a temporary file in the same
folder, are flushed to disk, then moved into place with :func:`os.replace`. A whole
output folder is produced in a staging folder and swapped in at the end
(:func:`staged_directory`), so a run killed midway leaves the previous outputs intact.

The same DataFrame always gives the same bytes (CSV and Parquet), which makes two
builds from the same inputs byte-identical.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a table is read (not by the report's parent process)
    import pandas as pd

TABLE_FORMATS = ("csv", "parquet")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def table_to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV, ``,``-separated, ``\\n`` line ends, no index; text cells that a
    spreadsheet would run as a formula start with ``'`` (:mod:`indicators.build.spreadsheet`)."""
    from indicators.build.spreadsheet import neutralise_formulas

    return neutralise_formulas(df).to_csv(index=False, lineterminator="\n").encode("utf-8")


def _geometry_name(df: pd.DataFrame) -> str | None:
    """Name of the active geometry column of a GeoDataFrame, else ``None``."""
    if hasattr(df, "geometry") and hasattr(df, "crs"):
        try:
            return str(df.geometry.name)
        except AttributeError:
            return None
    return None


def table_to_parquet_bytes(df: pd.DataFrame) -> bytes:
    """Parquet bytes (pyarrow, no index, zstd): identical for identical frames.

    A GeoDataFrame is written as GeoParquet (geometry as WKB, CRS in the metadata).
    """
    buffer = io.BytesIO()
    if _geometry_name(df):
        df.to_parquet(buffer, index=False, compression="zstd")
    else:
        df.to_parquet(buffer, index=False, engine="pyarrow", compression="zstd")
    return buffer.getvalue()


def write_table(
    df: pd.DataFrame,
    directory: str | os.PathLike[str],
    name: str,
    formats: Sequence[str] = TABLE_FORMATS,
) -> list[Path]:
    """Write ``df`` as ``<directory>/<name>.csv`` and ``.parquet`` atomically."""
    directory = Path(directory)
    written = []
    geometry = _geometry_name(df)
    for fmt in formats:
        if fmt == "csv":
            # Geometry stays in the (Geo)Parquet file; the CSV is for spreadsheets.
            # Lists of codes (« insee_com ») are written « 62178, 62194 » as received.
            flat = df.drop(columns=[geometry]) if geometry else df
            lists = [c for c in flat.columns if flat[c].map(lambda v: isinstance(v, list)).any()]
            if lists:
                flat = flat.assign(
                    **{
                        c: flat[c].map(lambda v: ", ".join(v) if isinstance(v, list) else v)
                        for c in lists
                    }
                )
            data = table_to_csv_bytes(flat)
        elif fmt == "parquet":
            data = table_to_parquet_bytes(df)
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown table format {fmt!r}")
        written.append(atomic_write_bytes(directory / f"{name}.{fmt}", data))
    return written


def read_table(directory: str | os.PathLike[str], name: str) -> pd.DataFrame:
    """Read a processed table back from its Parquet file (GeoParquet → GeoDataFrame)."""
    path = Path(directory) / f"{name}.parquet"
    import pandas as pd
    import pyarrow.parquet as pq

    if b"geo" in (pq.read_schema(path).metadata or {}):
        import geopandas

        return geopandas.read_parquet(path)
    return pd.read_parquet(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _remove_dead_leftovers(parent: Path, name: str) -> None:
    """Remove the staging / old folders of runs that are no longer alive.

    The folders are named ``.<name>-staging-<pid>-<random>``: one whose pid is alive
    belongs to a live run and is left alone (names without a pid, from older versions,
    are leftovers).
    """
    for kind in ("staging", "old"):
        for leftover in parent.glob(f".{name}-{kind}-*"):
            head = leftover.name[len(f".{name}-{kind}-") :].split("-", 1)[0]
            if head.isdigit() and _pid_alive(int(head)):
                continue
            shutil.rmtree(leftover, ignore_errors=True)


def untouched_folder(
    target: str | os.PathLike[str], owned: Callable[[Path], set[str]]
) -> list[str]:
    """For a run that has nothing to write in ``target``: remove the staging / old
    folders that dead runs left beside it (as :func:`staged_directory` does first) and
    return the files of ``target`` the tool did not write (as ``kept`` would list them)."""
    target = Path(target)
    if target.is_symlink():
        target = target.resolve()
    _remove_dead_leftovers(target.parent, target.name)
    return _not_written_by_us(target, owned)


def _not_written_by_us(target: Path, owned: Callable[[Path], set[str]] | None) -> list[str]:
    """Files of ``target`` the tool did not write (relative paths), to carry over."""
    if owned is None:
        return []
    mine = owned(target)
    found = []
    for file in sorted(target.rglob("*")):
        relative = file.relative_to(target).as_posix()
        if (file.is_file() or file.is_symlink()) and relative not in mine:
            if file.name.startswith(".") and file.name.endswith(".tmp"):
                continue  # a half-written file of a killed writer
            found.append(relative)
    return found


@contextlib.contextmanager
def staged_directory(
    target: str | os.PathLike[str],
    keep: Sequence[str] = ("README.md",),
    *,
    owned: Callable[[Path], set[str]] | None = None,
    kept: list[str] | None = None,
) -> Iterator[Path]:
    """Yield an empty staging folder that replaces ``target`` when the block succeeds.

    Files named in ``keep`` (e.g. the folder's README) are carried over from the old
    folder. With ``owned`` (a function giving the relative paths the tool wrote in the
    old folder), every other file of the old folder (a person's notes, a spreadsheet
    saved there) is carried over too, unless the new folder has a file of that name; their
    paths are appended to ``kept``. When ``target`` is a symbolic link, the folder it
    points to is replaced and the link stays.

    On an exception the staging folder is removed and ``target`` is untouched; if the
    process is killed, ``target`` is untouched and the leftover staging folder
    (``.<name>-staging-<pid>-*`` beside it) is removed by a later run once that pid is
    no longer alive: a live run's staging folder is never removed by another run.
    """
    target = Path(target)
    if target.is_symlink():
        target = target.resolve()
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_leftovers(parent, target.name)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-staging-{os.getpid()}-", dir=parent))
    try:
        yield staging
        if target.exists():
            carried = [n for n in keep if (target / n).exists()]
            carried += _not_written_by_us(target, owned)
            for name in dict.fromkeys(carried):
                if not (staging / name).exists():
                    (staging / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(target / name, staging / name, follow_symlinks=False)
                    if kept is not None and name not in keep:
                        kept.append(name)
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-{os.getpid()}-", dir=parent))
            os.rmdir(old)
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
        os.chmod(target, 0o755)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
