# ---
# jupyter:
#   indicators:
#     title: Fiche quartier
#     key: fiche
#     order: 3
#     pdf: false
#     per_quartier: true
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: indicators
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
quartier_id: str = "cites-6-et-30"  # quartier to describe (ids: data/processed/quartiers.csv)
root: str = ""  # project root holding data/processed; empty for this checkout

# %%
from indicators.report.crosscheck import crosscheck_html
from indicators.report.display import identity_table_fr, portrait_table_fr
from indicators.report.figures_html import gap_chart_html, locator_map_html
from indicators.report.fragments import caveats_html, diagnostic_html, objectives_html, title_html
from indicators.report.markup import html_table
from indicators.report.provenance import sources_et_methodes
from indicators.report.tables import load_tables

tables = load_tables(root)
title_html(tables, quartier_id)

# %% [markdown]
# ## Identité du quartier

# %%
html_table(identity_table_fr(tables, quartier_id), caption="Identité du quartier")

# %%
locator_map_html(tables, quartier_id)

# %% [markdown]
# ## Portrait statistique et écarts à l'agglomération
#
# Chaque valeur est comparée à celle de l'ensemble de l'agglomération donnée par
# la convention. L'écart est exprimé en points de pourcentage pour les taux et en points
# d'indice pour l'indice de position sociale (IPS) des établissements scolaires. Le taux de
# pauvreté, le taux d'emploi et l'IPS sont présentés en premier.

# %%
gap_chart_html(tables, quartier_id)

# %%
html_table(
    portrait_table_fr(tables, quartier_id),
    caption="Portrait statistique et écarts à l'agglomération",
)

# %%
caveats_html(tables, [quartier_id])

# %% [markdown]
# ### Contrôle de l'IPS
#
# L'IPS du quartier et celui de l'agglomération cités par la convention, rapprochés des
# indices publiés en données ouvertes par le ministère de l'Éducation nationale.

# %%
crosscheck_html(tables, [quartier_id])

# %% [markdown]
# ### Communes du quartier et évolutions
#
# Les communes où se trouve le quartier, à côté de l'agglomération, et l'IPS des
# établissements au fil des rentrées.

# %%
from indicators.report.references import references_section_html

references_section_html(tables, quartier_id)

# %%
from indicators.report.perimeter import perimeter_html

perimeter_html(tables, quartier_id)

# %% [markdown]
# ## Diagnostic partagé
#
# Irritants, opportunités et enjeux tels qu'ils sont écrits dans la convention.

# %%
diagnostic_html(tables, quartier_id)

# %% [markdown]
# ## Objectifs et actions
#
# Objectifs stratégiques, objectifs opérationnels et actions retenus pour le quartier,
# regroupés par enjeu du contrat de ville.

# %%
objectives_html(tables, quartier_id)

# %%
sources_et_methodes(tables, [quartier_id], sums=False)
