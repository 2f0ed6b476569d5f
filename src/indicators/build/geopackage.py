"""The processed layers in a GeoPackage (EPSG:2154) that opens in QGIS.

One layer per GeoDataFrame, reprojected to Lambert-93, written to a temporary file and
moved into place; a layer with a household count below the secrecy threshold is refused.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from indicators.build.exports import fixed_moment
from indicators.errors import ParameterError
from indicators.secrecy import check_secrecy
from indicators.sources.layers import check_layer

_LAYER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _for_ogr(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Column types OGR writes faithfully: text as object, nullable ints as float."""
    out = layer.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        dtype = out[column].dtype
        if (
            isinstance(dtype, pd.StringDtype)
            or pd.api.types.is_object_dtype(dtype)
            or isinstance(dtype, pd.BooleanDtype)
        ):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
        elif pd.api.types.is_extension_array_dtype(dtype) and pd.api.types.is_integer_dtype(dtype):
            out[column] = out[column].astype("float64")
    return out


def write_geopackage(layers: Mapping[str, gpd.GeoDataFrame], path: str | os.PathLike[str]) -> Path:
    """Write ``layers`` (name → GeoDataFrame) into one GeoPackage in EPSG:2154.

    Each layer must declare its CRS (it is reprojected to Lambert-93, never assumed)
    and have no empty geometry; layer names are plain identifiers (``communes_ips``).
    The file is written next to ``path`` under a temporary name and moved into place,
    so a failure leaves any previous file intact. GDAL's timestamps are taken from
    ``SOURCE_DATE_EPOCH`` (or 1980-01-01) so the content does not depend on the day.

    Raises
    ------
    InputError
        A layer without CRS, with an empty geometry, or with a household count below
        the secrecy threshold.
    ParameterError
        No layer, or an invalid layer name.
    """
    import pyogrio

    if not layers:
        raise ParameterError("write_geopackage needs at least one layer")
    prepared: dict[str, gpd.GeoDataFrame] = {}
    for name, layer in layers.items():
        if not _LAYER.match(name):
            raise ParameterError(f"invalid layer name {name!r}; expected letters, digits and '_'")
        checked = check_layer(layer, name)
        check_secrecy(checked, name)
        prepared[name] = _for_ogr(checked)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp_name)  # GDAL creates the file itself
    tmp = Path(tmp_name)
    moment = fixed_moment().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    try:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": moment})
        for name, layer in prepared.items():
            pyogrio.write_dataframe(layer, tmp, layer=name, driver="GPKG", promote_to_multi=False)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    return path


def read_geopackage(path: str | os.PathLike[str]) -> dict[str, gpd.GeoDataFrame]:
    """Every layer of a GeoPackage, by name (to check an export)."""
    import pyogrio

    return {
        str(name): gpd.read_file(path, layer=str(name)) for name, _ in pyogrio.list_layers(path)
    }
