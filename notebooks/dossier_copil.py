# ---
# jupyter:
#   indicators:
#     title: Dossier du comité de pilotage
#     key: dossier-copil
#     order: 1
#     pdf: true
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
rentree_ips: str = ""  # rentrée of the IPS map, e.g. 2024-2025; empty for the latest
annee: int = 0  # year of the follow-up of the actions; 0 for the latest transmitted
date_comite: str = ""  # date of the comité de pilotage, AAAA-MM-JJ; empty if not set

# %% [markdown]
# # Contrat de ville « Engagements Quartiers 2030 »
#
# **Dossier du comité de pilotage annuel.** Ce document rassemble, pour chacun des quartiers
# de la commune inscrits au contrat de ville 2024-2030, le portrait statistique donné par la
# convention, les écarts à l'ensemble de l'agglomération, le diagnostic partagé et
# les objectifs retenus. Les précautions de lecture figurent dans l'encadré ci-dessous et
# dans la dernière partie, « Sources et méthodes ».
#
# 1. Synthèse
# 2. Écarts à l'agglomération
# 3. Cartes
# 4. Les quartiers
# 5. Contrôle croisé des IPS
# 6. Sources et méthodes

# %%
from indicators.report.crosscheck import crosscheck_html
from indicators.report.display import gaps_table_fr, summary_table_fr
from indicators.report.figures_html import gaps_across_html, ips_map_html, locator_map_html
from indicators.report.fragments import caveats_html, findings_html, quartier_sections_html
from indicators.report.markup import Html, html_table
from indicators.report.provenance import sources_et_methodes
from indicators.report.suivi import comite_title, commune_indicators_html, suivi_html
from indicators.report.tables import load_tables

tables = load_tables(root)
Html(comite_title(annee, date_comite) + caveats_html(tables))

# %% [markdown]
# ## 1. Synthèse
#
# Taux de pauvreté, taux d'emploi et indice de position sociale des établissements
# scolaires de chaque quartier, comparés à l'agglomération.

# %%
findings_html(tables)

# %% [markdown]
# ### Tableau des indicateurs

# %%
html_table(summary_table_fr(tables))

# %% [markdown]
# ## 2. Écarts à l'agglomération

# %%
html_table(gaps_table_fr(tables))

# %%
gaps_across_html(tables)

# %% [markdown]
# ## 3. Cartes
#
# ### Localisation des quartiers

# %%
locator_map_html(tables)

# %% [markdown]
# ### Indice de position sociale des écoles, par commune
#
# Moyenne des IPS publiés des écoles de chaque commune de l'agglomération (données ouvertes
# du ministère de l'Éducation nationale).

# %%
ips_map_html(tables, rentree_ips)

# %% [markdown]
# ## 4. Les quartiers

# %%
quartier_sections_html(tables, level=3)

# %% [markdown]
# ## Suivi des actions de l'année
#
# Pour chaque quartier et chaque enjeu : l'état des actions déclaré par la commune dans le
# fichier de suivi de l'année, les changements depuis l'année précédente, les actions non
# engagées et les financements prévus et réalisés. Une action sans état déclaré est
# comptée « non renseignée ».

# %%
suivi_html(tables, annee, level=3)

# %% [markdown]
# ## Indicateurs de la commune
#
# Les indicateurs transmis par la commune, année par année, à côté du chiffre de la
# convention quand il existe ; la source figure sous chaque graphique.

# %%
commune_indicators_html(tables)

# %% [markdown]
# ## 5. Contrôle croisé des IPS
#
# Les IPS cités par la convention sont rapprochés des indices publiés en données ouvertes
# par le ministère de l'Éducation nationale pour les écoles et collèges des communes
# concernées.

# %%
crosscheck_html(tables)

# %% [markdown]
# ### Références de la convention, communes concernées et évolutions
#
# Les chiffres de l'agglomération cités par la convention, rapprochés de ce que donnent les
# données ouvertes à chaque échelle ; les communes des quartiers ; l'IPS au fil des rentrées.

# %%
from indicators.report.references import references_section_html

references_section_html(
    tables, references=True, figures=("ips_evolution", "carte_pauvrete_communes")
)

# %%
sources_et_methodes(tables)
