# ---
# jupyter:
#   indicators:
#     title: Comparaison des quartiers
#     key: comparaison
#     order: 2
#     pdf: false
#     per_quartier: false
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: indicators
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
root: str = ""  # project root holding data/processed; empty for this checkout

# %% [markdown]
# # Comparaison des quartiers
#
# Les quartiers prioritaires (QPV) et les quartiers d'intérêt communautaire (QIC) de la
# commune, côte à côte, comparés à l'ensemble de l'agglomération.

# %%
from indicators.report.crosscheck import crosscheck_html
from indicators.report.display import gaps_table_fr, summary_table_fr
from indicators.report.figures_html import gaps_across_html, locator_map_html
from indicators.report.fragments import caveats_html
from indicators.report.markup import html_table
from indicators.report.provenance import sources_et_methodes
from indicators.report.tables import load_tables

tables = load_tables(root)

# %% [markdown]
# ## Valeurs des indicateurs

# %%
html_table(summary_table_fr(tables), caption="Valeurs des indicateurs par quartier")

# %% [markdown]
# ## Écarts à l'agglomération
#
# Écart en points entre le quartier et l'agglomération, suivi de sa lecture : « défavorable »
# ou « favorable » selon le sens de l'indicateur, « supérieur » ou « inférieur » pour les
# parts sans sens normatif.

# %%
html_table(gaps_table_fr(tables), caption="Écarts à l'agglomération par quartier")

# %%
gaps_across_html(tables)

# %%
caveats_html(tables)

# %% [markdown]
# ## Localisation

# %%
locator_map_html(tables)

# %% [markdown]
# ## Contrôle croisé des IPS
#
# Les IPS cités par la convention, rapprochés des indices publiés en données ouvertes par le
# ministère de l'Éducation nationale.

# %%
crosscheck_html(tables)

# %% [markdown]
# ## Communes concernées et évolutions
#
# Les communes des quartiers (pauvreté, niveau de vie, emploi) et l'indice de position
# sociale des établissements au fil des rentrées, de l'école à la France.

# %%
from indicators.report.references import references_section_html

references_section_html(tables)

# %%
sources_et_methodes(tables, sums=False)
