"""The communes layer joined with their mean school IPS, for the IPS maps and exports."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd

from indicators.analysis.ips_means import COUNT_COLUMNS, GROUP_COLUMNS
from indicators.errors import InputError
from indicators.sources.layers import LAMBERT93, check_choice, check_layer, require_columns

IPS_COMMUNE_COLUMNS = (
    "territoire_type",
    "territoire_code",
    *GROUP_COLUMNS,
    *COUNT_COLUMNS,
    "ips_moyen",
)


def communes_with_ips(
    communes: gpd.GeoDataFrame,
    ips_communes: pd.DataFrame,
    rentree: str,
    *,
    secteur: str = "ensemble",
    niveau: str = "ecole",
) -> gpd.GeoDataFrame:
    """The communes with their mean school IPS for one rentrée, sector and level.

    Adds ``ips_moyen`` (unweighted mean of the published IPS; NaN when the commune has
    no school in the files or only « NS » values), ``n_etablissements``, ``n_ips``,
    ``n_ns``, ``ips_publie`` (bool), ``ips_epci`` (the agglomeration's mean over its
    schools, from the ``epci`` row) and ``ecart_epci`` (commune − agglomeration, IPS
    points; NaN when either is missing).

    Raises
    ------
    ParameterError
        ``rentree``, ``secteur`` or ``niveau`` absent from ``ips_communes``.
    InputError
        A missing column, a layer without CRS or with an empty geometry, or two rows
        for one commune.
    """
    layer = check_layer(communes, "communes")
    require_columns(layer, ("code", "nom"), "communes")
    require_columns(ips_communes, IPS_COMMUNE_COLUMNS, "ips_communes")
    check_choice(rentree, sorted(ips_communes["rentree"].unique()), "rentrée")
    at = ips_communes[ips_communes["rentree"] == rentree]
    check_choice(niveau, sorted(at["niveau"].unique()), f"niveau for rentrée {rentree}")
    at = at[at["niveau"] == niveau]
    check_choice(secteur, sorted(at["secteur"].unique()), f"secteur for {niveau} {rentree}")
    at = at[at["secteur"] == secteur]
    rows = at[at["territoire_type"] == "commune"]
    duplicated = rows["territoire_code"].duplicated()
    if duplicated.any():
        raise InputError(
            "one row per commune, rentrée, niveau and secteur",
            context="table 'ips_communes', column 'territoire_code'",
            found=str(rows.loc[duplicated, "territoire_code"].iloc[0]),
        )
    merged = layer.merge(
        rows.set_index("territoire_code")[[*COUNT_COLUMNS, "ips_moyen"]],
        left_on="code",
        right_index=True,
        how="left",
    )
    for column in COUNT_COLUMNS:
        merged[column] = merged[column].fillna(0).astype("int64")
    merged["ips_publie"] = merged["ips_moyen"].notna()
    epci = at[at["territoire_type"] == "epci"]["ips_moyen"]
    merged["ips_epci"] = float(epci.iloc[0]) if len(epci) == 1 else math.nan
    merged["ecart_epci"] = merged["ips_moyen"] - merged["ips_epci"]
    return gpd.GeoDataFrame(merged, geometry=layer.geometry.name, crs=LAMBERT93)
