"""The raw-data manifest data/raw/SHA256SUMS (provenance of the build)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indicators.build.raw_manifest import check_raw_manifest
from indicators.errors import InputError
from indicators.hashing import sha256_file

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"


def test_shipped_raw_data_matches_its_manifest():
    assert check_raw_manifest(RAW) == []


def _raw_copy(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "sub" / "a.csv").write_text("a\n1\n")
    (raw / "b.txt").write_text("b\n")
    (raw / "README.md").write_text("doc\n")
    lines = [f"{sha256_file(raw / n)}  {n}" for n in ("b.txt", "sub/a.csv")]
    (raw / "SHA256SUMS").write_text("\n".join(lines) + "\n")
    return raw


def test_manifest_reports_unlisted_files_only(tmp_path):
    raw = _raw_copy(tmp_path)
    assert check_raw_manifest(raw) == []
    (raw / "qpv").mkdir()
    (raw / "qpv" / "contours.geojson").write_text("{}")
    (raw / "qpv" / "README.md").write_text("doc")
    assert check_raw_manifest(raw) == ["qpv/contours.geojson"]


def test_changed_raw_file_is_an_error_naming_it(tmp_path):
    raw = _raw_copy(tmp_path)
    (raw / "sub" / "a.csv").write_text("a\n2\n")
    with pytest.raises(InputError) as info:
        check_raw_manifest(raw)
    message = str(info.value)
    assert "sub/a.csv" in message and "line 2" in message and "changed" in message


def test_missing_listed_file_and_malformed_manifest(tmp_path):
    raw = _raw_copy(tmp_path)
    (raw / "b.txt").unlink()
    with pytest.raises(InputError, match=r"b\.txt.*no such file"):
        check_raw_manifest(raw)
    (raw / "SHA256SUMS").write_text("not a checksum line\n")
    with pytest.raises(InputError, match="line 1"):
        check_raw_manifest(raw)
    shutil.rmtree(raw)
    raw.mkdir()
    with pytest.raises(InputError, match="SHA256SUMS"):
        check_raw_manifest(raw)
