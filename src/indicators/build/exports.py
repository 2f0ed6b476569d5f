"""The reproducible timestamp every binary export writes (XLSX properties, zip entries,
GeoPackage metadata): ``SOURCE_DATE_EPOCH`` when set, else a fixed date.

The exports themselves live one per format: :mod:`indicators.build.figure_export`
(PNG and SVG figures), :mod:`indicators.build.geopackage` (layers for QGIS) and
:mod:`indicators.build.xlsx` (the workbook); the secrecy check they share is
:func:`indicators.secrecy.check_secrecy`.
"""

from __future__ import annotations

import datetime as _dt
import os

#: Date written in the XLSX properties and zip entries when ``SOURCE_DATE_EPOCH`` is unset
#: (the zip format's own epoch: clearly not a real date).
FIXED_DATE = _dt.datetime(1980, 1, 1, tzinfo=_dt.UTC)


def fixed_moment() -> _dt.datetime:
    """``SOURCE_DATE_EPOCH`` as a UTC moment, or :data:`FIXED_DATE` when it is unset."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    return FIXED_DATE
