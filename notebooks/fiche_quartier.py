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
quartier_id: str = "cites-6-et-30"  # quartier to describe (ids: data/processed/quartiers.csv)
root: str = ""  # project root holding data/processed; empty for this checkout

# %%
from indicators.report import present

tables = present.load_tables(root)
present.title_html(tables, quartier_id)

# %%
present.caveats_html(tables, [quartier_id])

# %% [markdown]
# ## Identité du quartier

# %%
present.html_table(present.identity_table_fr(tables, quartier_id))

# %%
present.locator_map_html(tables, quartier_id)

# %% [markdown]
# ## Portrait statistique et écarts à l'agglomération
#
# Chaque valeur est comparée à celle de l'ensemble de l'agglomération (CABBALR) donnée par
# la convention. L'écart est exprimé en points de pourcentage pour les taux et en points
# d'indice pour l'indice de position sociale (IPS) des établissements scolaires. Le taux de
# pauvreté, le taux d'emploi et l'IPS sont présentés en premier.

# %%
present.html_table(present.portrait_table_fr(tables, quartier_id))

# %%
present.gap_chart_html(tables, quartier_id)

# %% [markdown]
# ### Contrôle de l'IPS
#
# L'IPS du quartier et celui de l'agglomération cités par la convention, rapprochés des
# indices publiés en données ouvertes par le ministère de l'Éducation nationale.

# %%
present.crosscheck_html(tables, [quartier_id])

# %% [markdown]
# ## Diagnostic partagé
#
# Irritants, opportunités et enjeux tels qu'ils sont écrits dans la convention.

# %%
present.diagnostic_html(tables, quartier_id)

# %% [markdown]
# ## Objectifs et actions
#
# Objectifs stratégiques, objectifs opérationnels et actions retenus pour le quartier,
# regroupés par enjeu du contrat de ville.

# %%
present.objectives_html(tables, quartier_id)

# %%
present.sources_et_methodes(tables, [quartier_id])
