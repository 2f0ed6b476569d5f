# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
root: str = ""  # project root holding data/processed; empty for this checkout
quartier_id: str = "cites-6-et-30"  # quartier used in the examples below

# %% [markdown]
# # Exploration des données
#
# Point de départ pour une analyse dans JupyterLab. Les tables viennent de
# `data/processed`, écrites par `indicators build` ; elles ne se modifient pas à la main.
# Les fonctions de `indicators.report.display` donnent les tableaux en français utilisés
# dans les rapports ; les tables brutes (colonnes en anglais, valeurs numériques) sont dans
# l'objet `tables` (`indicators.load()` le donne aussi, hors des notebooks). Chaque
# fonction des rapports qui rend du HTML a une jumelle dans `indicators.report.twins` qui
# rend le tableau (DataFrame) ou la figure Matplotlib, à filtrer, retoucher ou exporter.

# %%
from indicators.report.display import portrait_table_fr, tables_overview_fr
from indicators.report.markup import html_table
from indicators.report.provenance import data_version_fr, sources_et_methodes
from indicators.report.tables import load_tables
from indicators.report.twins import findings_frame, gap_chart_figure, ips_map_figure

tables = load_tables(root)
html_table(tables_overview_fr(tables), caption="Tables disponibles")

# %% [markdown]
# ## Quartiers

# %%
tables.quartiers

# %% [markdown]
# ## Portrait statistique (format long : une ligne par quartier et indicateur)

# %%
tables.portrait

# %% [markdown]
# ## Écarts à l'agglomération

# %%
tables.gaps

# %% [markdown]
# ## Objectifs et actions

# %%
tables.objectives.head(20)

# %% [markdown]
# ## Un quartier en français, comme dans les rapports

# %%
html_table(portrait_table_fr(tables, quartier_id), caption="Portrait statistique")

# %% [markdown]
# ## Écarts triés
#
# Les écarts de chaque quartier à l'agglomération, du plus défavorable au plus favorable
# pour chaque indicateur. `gap` est en points pour un taux et en différence pour l'IPS
# (`gap_unit`) ; `gap_qualifier` garde « au moins » quand la valeur du quartier est un
# minimum (« plus de 95 % ») : ces écarts ne se comparent pas comme des valeurs exactes.

# %%
colonnes = [
    "indicator_id",
    "quartier_id",
    "value",
    "reference_value",
    "gap",
    "gap_unit",
    "gap_qualifier",
    "reading",
    "label_fr",
    "source",
    "vintage",
    "perimeter",
]
ecarts = tables.gaps[colonnes].assign(defavorable=tables.gaps["gap"] * -tables.gaps["polarity"])
ecarts.sort_values(["indicator_id", "defavorable"], ascending=[True, False])

# %% [markdown]
# Les indicateurs clés de la synthèse, une ligne par quartier et indicateur (jumelle de
# `findings_html`) ; un indicateur absent de la convention reste vide, jamais 0.

# %%
findings_frame(tables)[["quartier", "indicator_id", "value", "reference_value", "label_fr"]]

# %% [markdown]
# ## Un graphique à sa façon
#
# Le taux de pauvreté de chaque quartier face à celui de l'agglomération, dessiné avec
# Matplotlib à partir de la table `portrait`. Les étiquettes gardent le qualificatif de la
# convention (« plus de ») et la source reste sous le graphique.
# Un quartier dont la convention ne donne pas le taux n'a pas de barre.
# `fig.savefig("pauvrete.svg")` l'enregistre ; une figure dessinée dans une cellule
# s'affiche à la fin de celle-ci.

# %%
import matplotlib.pyplot as plt

from indicators.numbers import format_value

pauvrete = tables.portrait[tables.portrait["indicator_id"] == "poverty_rate"].merge(
    tables.quartiers[["quartier_id", "name"]], on="quartier_id"
)
fig, ax = plt.subplots(figsize=(7, 3))
barres = ax.barh(pauvrete["name"], pauvrete["value"], color="#4c72b0")
ax.bar_label(
    barres,
    labels=[
        format_value(v, "%", q)
        for v, q in zip(pauvrete["value"], pauvrete["qualifier"], strict=True)
    ],
    padding=3,
)
reference = pauvrete["reference_value"].dropna().iloc[0]
ax.axvline(
    reference,
    color="#c44e52",
    linestyle="--",
    label=f"Agglomération : {format_value(reference, '%', 'exact')}",
)
ax.set_xlim(0, 100)
ax.set_xlabel("Taux de pauvreté (%)")
ax.legend(loc="lower right", frameon=False)
sources = sorted({f"{s} {v}" for s, v in zip(pauvrete["source"], pauvrete["vintage"], strict=True)})
fig.text(
    0.01,
    -0.08,
    "Source : convention d'application, portraits statistiques (" + ", ".join(sources) + ").",
    fontsize=8,
    ha="left",
)
ax.invert_yaxis()

# %% [markdown]
# La figure d'un rapport se reprend de la même façon : `gap_chart_figure` rend la figure
# Matplotlib de l'écart du quartier choisi, que l'on peut retitrer, retoucher ou exporter.

# %%
fig = gap_chart_figure(tables, quartier_id)
nom = tables.quartiers.set_index("quartier_id").loc[quartier_id, "name"]
titre = fig.axes[0].set_title(f"{nom} : écarts à l'agglomération", loc="left")

# %% [markdown]
# ## Carte d'un indicateur : l'IPS moyen des écoles par commune
#
# La carte des rapports (`ips_map_figure`, dernière rentrée disponible), puis la même
# donnée cartographiée à la main avec GeoPandas à partir des tables `communes` et
# `ips_communes`. Une commune sans IPS publié (aucune école, ou « NS ») reste grise,
# jamais à 0.

# %%
carte_rapport = ips_map_figure(tables)

# %%
from indicators.report.figures_html import latest_rentree

rentree = latest_rentree(tables)
ips = tables.ips_communes
ips = ips[
    (ips["territoire_type"] == "commune")
    & (ips["niveau"] == "ecole")
    & (ips["secteur"] == "ensemble")
    & (ips["rentree"] == rentree)
]
carte = tables.communes.merge(
    ips[["territoire_code", "ips_moyen"]], how="left", left_on="code", right_on="territoire_code"
)
fig, ax = plt.subplots(figsize=(7, 5))
carte.plot(
    column="ips_moyen",
    ax=ax,
    cmap="viridis",
    legend=True,
    legend_kwds={"label": f"IPS moyen des écoles, rentrée {rentree}", "shrink": 0.6},
    missing_kwds={"color": "#dddddd", "label": "non publié"},
    edgecolor="white",
    linewidth=0.3,
)
carte[carte["concerne_quartiers"]].boundary.plot(ax=ax, color="black", linewidth=1.2)
note = ax.annotate(
    "En gris : IPS non publié. Contour noir : communes des quartiers.\n"
    "Source : DEPP, IPS des écoles (moyenne non pondérée par commune) ; "
    "IGN Admin Express COG 2018.",
    xy=(0, 0),
    xycoords="axes fraction",
    xytext=(0, -6),
    textcoords="offset points",
    va="top",
    fontsize=8,
)
ax.set_axis_off()

# %% [markdown]
# ## Versions des données

# %%
data_version_fr(tables.manifest)

# %%
sources_et_methodes(tables)
