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

# %% [markdown]
# # Comparaison des quartiers
#
# Les quartiers prioritaires (QPV) et les quartiers d'intérêt communautaire (QIC) de
# Divion, côte à côte, comparés à l'ensemble de l'agglomération (CABBALR).

# %%
from indicators.report import present

tables = present.load_tables(root)
present.caveats_html(tables)

# %% [markdown]
# ## Valeurs des indicateurs

# %%
present.html_table(present.summary_table_fr(tables))

# %% [markdown]
# ## Écarts à l'agglomération
#
# Écart en points entre le quartier et l'agglomération, suivi de sa lecture : « défavorable »
# ou « favorable » selon le sens de l'indicateur, « supérieur » ou « inférieur » pour les
# parts sans sens normatif.

# %%
present.html_table(present.gaps_table_fr(tables))

# %%
present.gaps_across_html(tables)

# %% [markdown]
# ## Localisation

# %%
present.locator_map_html(tables)

# %% [markdown]
# ## Contrôle croisé des IPS
#
# Les IPS cités par la convention, rapprochés des indices publiés en données ouvertes par le
# ministère de l'Éducation nationale.

# %%
present.crosscheck_html(tables)

# %%
present.sources_et_methodes(tables)
