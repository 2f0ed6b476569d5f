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
# l'objet `tables`.

# %%
from indicators.report.display import portrait_table_fr, tables_overview_fr
from indicators.report.markup import html_table
from indicators.report.provenance import data_version_fr, sources_et_methodes
from indicators.report.tables import load_tables

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
# ## Versions des données

# %%
data_version_fr(tables.manifest)

# %%
sources_et_methodes(tables)
