"""The references-and-trends step of the build (issue 12): national files → five tables.

:func:`references_step` runs after the ``communes`` step of
:func:`~indicators.build.opendata.build_open_data`. It reads the optional national
sources of :data:`~indicators.build.sources.SOURCES` (``ips_national/``,
``filosofi_communes_2021/``, ``rp2021_communes/``) — only the needed columns — and the
territory (``data/raw/territory.toml``: département, académie, EPCI), then adds:

- ``ips_echelles``: IPS of the schools of the communes concerned and means at every scale;
- ``communes_indicateurs``: poverty rate, median standard of living, employment rate of
  the 15-64 of the EPCI's communes (secret flagged);
- ``references`` and ``references_conclusions``: the convention's agglomeration
  references beside their open-data candidates, and the French conclusion;
- ``series``: territory × indicator × vintage, for every trend chart.

An absent national source gives a note and fewer rows, never an error; a malformed one
is an :class:`~indicators.errors.InputError`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from indicators.analysis.commune_rates import commune_indicators
from indicators.analysis.ips_scales import ips_scales
from indicators.analysis.references import (
    academie_departements,
    reference_candidates,
    reference_conclusions,
)
from indicators.analysis.series import build_series
from indicators.build import reference_schemas as rs
from indicators.build.schemas import validate
from indicators.build.sources import BY_PATH

__all__ = ["REFERENCE_TABLES", "references_step"]

REFERENCE_TABLES: tuple[str, ...] = (
    "ips_echelles",
    "communes_indicateurs",
    "references",
    "references_conclusions",
    "series",
)
_SCHEMAS = {
    "ips_echelles": rs.IPS_ECHELLES,
    "communes_indicateurs": rs.COMMUNES_INDICATEURS,
    "references": rs.REFERENCES,
    "series": rs.SERIES,
}


def _read_all(state: Any, path: str, *args: object) -> list[pd.DataFrame]:
    source = BY_PATH[path]
    frames = []
    for file in source.files(state.raw):
        frame = source.reader(file, *args)
        state.notes.extend((path, note) for note in frame.attrs.get("notes", []))
        frames.append(frame)
    if not frames:
        state.notes.append((path, f"Aucun fichier dans data/raw/{path}/ : non utilisé."))
    return frames


def _mapping(state: Any) -> pd.DataFrame | None:
    source = BY_PATH["quartier_schools.csv"]
    found = source.files(state.raw)
    if not found:
        return None
    return source.reader(found[0], state.table["quartier_id"].tolist())


def references_step(state: Any) -> None:
    """Add the five reference tables to ``state.tables`` (see the module docstring)."""
    territory = state.territory
    members = dict(zip(state.members["code"], state.members["nom"], strict=True))
    communes = state.tables["communes"]
    concerned = communes.loc[communes["concerne_quartiers"], "code"].tolist()
    epci = (state.siren, territory.epci.label, list(members))
    dep = (territory.departement.code, territory.departement.name)

    national = _read_all(state, "ips_national")
    scales = acad_deps = None
    if national:
        frames = pd.concat(national, ignore_index=True)
        quartiers = state.quartiers
        names = (
            {}
            if quartiers is None
            else dict(zip(quartiers["quartier_id"], quartiers["name"], strict=True))
        )
        scales = ips_scales(
            frames,
            epci_members=members,
            epci_code=state.siren,
            epci_name=territory.epci.label,
            departement=dep,
            academie=territory.academie,
            concerned=concerned,
            quartier_schools=_mapping(state),
            quartier_names=names,
        )
        acad_deps = academie_departements(frames, territory.academie)
        state.tables["ips_echelles"] = scales
    filosofi = _read_all(state, "filosofi_communes_2021", set(members))
    rp = _read_all(state, "rp2021_communes")
    rp_frame = rp[0] if rp else None
    indicators = None
    if filosofi and rp_frame is not None:
        indicators = commune_indicators(members, concerned, filosofi[0], rp_frame)
        state.tables["communes_indicateurs"] = indicators
    candidates = reference_candidates(
        state.portrait,
        scales,
        rp_frame,
        epci=epci,
        departement=dep,
        academie=(territory.academie, acad_deps or [dep[0]]),
    )
    if len(candidates):
        state.tables["references"] = candidates
        state.tables["references_conclusions"] = reference_conclusions(candidates)
    else:
        state.notes.append(
            ("references", "Aucun fichier national : références de la convention non expliquées.")
        )
    scopes = {
        "departement": (dep[0], dep[1], None),
        "france": ("FR", "France", None),
    }
    if rp_frame is not None:
        scopes["departement"] = (
            dep[0],
            dep[1],
            rp_frame.loc[rp_frame["departement"].eq(dep[0]), "commune_code"].tolist(),
        )
    if state.quartiers is not None:
        state.tables["series"] = build_series(
            state.portrait,
            state.quartiers,
            epci=epci,
            scales=scales,
            communes=indicators,
            rp=rp_frame,
            scopes=scopes,
        )
    for name, schema in _SCHEMAS.items():
        if name in state.tables:
            state.tables[name] = validate(state.tables[name], schema, source=name)
