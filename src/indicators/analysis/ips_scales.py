"""School IPS at every scale: school, quartier, commune, EPCI, département, académie, France.

:func:`ips_scales` turns the national DEPP files (:mod:`indicators.sources.ips_national`)
into one long table (:data:`SCALE_COLUMNS`), per rentrée × niveau (école, collège,
lycée) × voie (``ensemble``; for lycées also ``gt`` and ``pro``) × secteur (``public``,
``privé``, ``ensemble``). Every row says which figure it is (``mesure``):

- ``ips_etablissement``: a school's own published IPS (schools of the communes concerned);
- ``moyenne_non_ponderee``: the plain mean of the published IPS of a territory's schools
  (« NS » and blanks left out and counted in ``n_ns`` / ``n_etablissements``, never 0);
- ``moyenne_ponderee``: the pupil-weighted mean computed here, only where every school
  with an IPS has a pupil count (collèges; lycées 2022-23);
- ``reference_depp``: the DEPP's own pupil-weighted reference (``ips_national``,
  ``ips_academique``, ``ips_departemental`` of the écoles files from 2022-23).

``methode`` says the same in French for the reader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["MESURES", "SCALES", "SCALE_COLUMNS", "ips_scales"]

SCALES: tuple[str, ...] = (
    "etablissement",
    "quartier",
    "commune",
    "epci",
    "departement",
    "academie",
    "france",
)
MESURES: dict[str, str] = {
    "ips_etablissement": "IPS publié de l'établissement (DEPP)",
    "moyenne_non_ponderee": "moyenne non pondérée des IPS publiés des établissements "
    "(« NS » exclus, jamais comptés 0)",
    "moyenne_ponderee": "moyenne des IPS pondérée par les effectifs, calculée ici "
    "(établissements ayant un IPS et des effectifs publiés)",
    "reference_depp": "référence publiée par la DEPP, pondérée par les effectifs d'élèves",
}
SCALE_COLUMNS: tuple[str, ...] = (
    "territoire_type",
    "territoire_code",
    "territoire_nom",
    "rentree",
    "niveau",
    "voie",
    "secteur",
    "mesure",
    "valeur",
    "n_etablissements",
    "n_ips",
    "n_ns",
    "effectifs",
    "source",
    "methode",
)
_KEYS = ["rentree", "niveau", "voie", "secteur"]
_REF_SCALE = {"national": "france", "academique": "academie", "departemental": "departement"}
_SUFFIX = {"ensemble": "", "public": "_public", "privé": "_prive"}


def _means(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Unweighted and (where complete) pupil-weighted means per ``by`` × rentrée…

    Sums and counts per secteur first, then the ``ensemble`` rows as their totals (one
    pass over the schools).
    """
    has = frame["ips"].notna()
    weight = frame["effectifs"].where(has)
    data = pd.DataFrame(
        {
            **{k: frame[k] for k in [*by, *_KEYS]},
            "n_etablissements": 1,
            "n_ips": has.astype("int64"),
            "n_ns": frame["ips_marker"].eq("NS").astype("int64"),
            "sum_ips": frame["ips"].fillna(0.0),
            "effectifs": weight.fillna(0.0),
            "n_weights": weight.notna().astype("int64"),
            "weighted": (frame["ips"] * weight).fillna(0.0),
        }
    )
    keys = [*by, *_KEYS]
    per_sector = data.groupby(keys, sort=False, observed=True).sum().reset_index()
    totals = (
        per_sector.drop(columns="secteur")
        .groupby([k for k in keys if k != "secteur"], sort=False, observed=True)
        .sum()
        .reset_index()
        .assign(secteur="ensemble")
    )
    out = pd.concat([per_sector, totals], ignore_index=True)
    out["moyenne"] = (out["sum_ips"] / out["n_ips"]).where(out["n_ips"] > 0)
    full = out["n_weights"].eq(out["n_ips"]) & out["n_ips"].gt(0) & out["effectifs"].gt(0)
    plain = out.assign(mesure="moyenne_non_ponderee", valeur=out["moyenne"], effectifs=np.nan)
    weighted = out[full].assign(
        mesure="moyenne_ponderee", valeur=out["weighted"] / out["effectifs"]
    )
    both = pd.concat([plain, weighted], ignore_index=True)
    files = frame.groupby(["rentree", "niveau"], observed=True)["source"].first().reset_index()
    both = both.merge(files, on=["rentree", "niveau"], how="left")
    return both.drop(columns=["moyenne", "n_weights", "weighted", "sum_ips"])


def _depp_references(frame: pd.DataFrame, scale: str, mask: pd.Series) -> pd.DataFrame:
    """The DEPP's reference of ``scale`` (``national``…) for the rows in ``mask``."""
    rows = []
    columns = ["rentree", "niveau", "source", *(f"ips_{scale}{x}" for x in _SUFFIX.values())]
    subset = frame.loc[mask & frame["ips_national"].notna(), columns]
    for (rentree, niveau, source), group in subset.groupby(
        ["rentree", "niveau", "source"], sort=True
    ):
        for secteur, suffix in _SUFFIX.items():
            values = group[f"ips_{scale}{suffix}"].dropna().unique()
            if len(values) == 1:
                rows.append(
                    {
                        "rentree": rentree,
                        "niveau": niveau,
                        "voie": "ensemble",
                        "secteur": secteur,
                        "mesure": "reference_depp",
                        "valeur": float(values[0]),
                        "source": f"{source} (colonne ips_{scale}{suffix})",
                    }
                )
    return pd.DataFrame(rows)


def _label(frame: pd.DataFrame, kind: str, code: str, name: str) -> pd.DataFrame:
    return frame.assign(territoire_type=kind, territoire_code=code, territoire_nom=name)


def ips_scales(
    national: pd.DataFrame,
    *,
    epci_members: Mapping[str, str],
    epci_code: str,
    epci_name: str,
    departement: tuple[str, str],
    academie: str,
    concerned: Sequence[str],
    quartier_schools: pd.DataFrame | None = None,
    quartier_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """IPS of the schools of the communes concerned and mean IPS at every scale.

    Parameters
    ----------
    national
        The national school table (:data:`~indicators.sources.ips_national.NATIONAL_COLUMNS`).
    epci_members
        INSEE code → name of the EPCI's communes (each gets its own means).
    epci_code, epci_name
        The EPCI's SIREN and label.
    departement
        (code, name) of the département.
    academie
        Name of the académie (compared without case).
    concerned
        INSEE codes of the communes concerned by the quartiers (their schools get a row each).
    quartier_schools
        ``quartier_id``, ``uai``: the schools the commune lists per quartier.
    quartier_names
        quartier id → name.

    Returns
    -------
    pandas.DataFrame
        :data:`SCALE_COLUMNS`.
    """
    parts = []
    schools_all = national
    refs = [c for c in national.columns if c.startswith("ips_") and c != "ips_marker"]
    core = [*_KEYS, "uai", "commune_code", "departement", "academie", "ips", "ips_marker"]
    national = national[[*core, "effectifs", "source", *refs]]
    dep_code, dep_name = departement
    in_dep = national["departement"].eq(dep_code)
    in_acad = national["academie"].str.casefold().eq(academie.casefold())
    scopes = (
        ("france", "FR", "France", pd.Series(True, index=national.index), "national"),
        ("academie", academie, f"Académie de {academie}", in_acad, "academique"),
        ("departement", dep_code, dep_name, in_dep, "departemental"),
    )
    for kind, code, name, mask, depp in scopes:
        parts.append(_label(_means(national[mask], []), kind, code, name))
        parts.append(_label(_depp_references(national, depp, mask), kind, code, name))
    communes_codes = pd.Index(national["commune_code"].to_numpy(dtype=object))
    members = national[communes_codes.isin(list(epci_members))]
    parts.append(_label(_means(members, []), "epci", epci_code, epci_name))
    communes = _means(members, ["commune_code"]).rename(columns={"commune_code": "territoire_code"})
    communes["territoire_type"] = "commune"
    communes["territoire_nom"] = communes["territoire_code"].map(dict(epci_members))
    parts.append(communes)
    if quartier_schools is not None and len(quartier_schools):
        names = dict(quartier_names or {})
        listed = national.merge(quartier_schools[["quartier_id", "uai"]], on="uai")
        quartiers = _means(listed, ["quartier_id"]).rename(
            columns={"quartier_id": "territoire_code"}
        )
        quartiers["territoire_type"] = "quartier"
        quartiers["territoire_nom"] = (
            quartiers["territoire_code"].map(names).fillna(quartiers["territoire_code"])
        )
        parts.append(quartiers)
    schools = schools_all[communes_codes.isin(list(concerned))]
    parts.append(
        schools.assign(
            territoire_type="etablissement",
            territoire_code=schools["uai"],
            territoire_nom=schools["nom_etablissement"] + " (" + schools["commune_nom"] + ")",
            mesure="ips_etablissement",
            valeur=schools["ips"],
            n_etablissements=1,
            n_ips=schools["ips"].notna().astype(int),
            n_ns=schools["ips_marker"].eq("NS").astype(int),
        )
    )
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    out["methode"] = out["mesure"].map(MESURES)
    for column in ("n_etablissements", "n_ips", "n_ns"):
        out[column] = out[column].fillna(0).astype("int64")
    out["effectifs"] = out["effectifs"].astype("float64")
    out["valeur"] = out["valeur"].astype("float64")
    order = {s: i for i, s in enumerate(SCALES)}
    out["_o"] = out["territoire_type"].map(order)
    out = out.sort_values(
        ["_o", "territoire_code", "rentree", "niveau", "voie", "secteur", "mesure"],
        ignore_index=True,
    )
    return out[list(SCALE_COLUMNS)]
