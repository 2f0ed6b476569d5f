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
# <!-- Dossier des quartiers pour les élus : les parties sont produites par
# indicators.report.dossier ; ce commentaire ne s'affiche pas. -->

# %%
# The dossier printed for the elected officials (A4 PDF): cover and table of contents,
# synthesis, one section per quartier, the shared objectives once, comparison and maps,
# follow-up, IPS cross-check, annex (sources, methods, data versions and sums).
from indicators.report.crosscheck import crosscheck_html
from indicators.report.display import gaps_table_fr, summary_table_fr
from indicators.report.dossier import (
    annex_html,
    cover_html,
    quartier_dossier_html,
    section,
    shared_objectives_html,
    synthesis_html,
    toc_entries,
    toc_html,
)
from indicators.report.figures_html import (
    figure_html,
    gaps_across_html,
    ips_map_html,
    locator_map_html,
)
from indicators.report.markup import Html, html_table
from indicators.report.references import references_section_html
from indicators.report.suivi import commune_indicators_html, suivi_html
from indicators.report.tables import load_tables, quartier_ids

tables = load_tables(root)
Html(cover_html(tables, annee, date_comite) + toc_html(toc_entries(tables)))

# %%
synthesis_html(tables)

# %%
Html("".join(quartier_dossier_html(tables, q) for q in quartier_ids(tables)))

# %%
section(
    "comparaison",
    "Les quartiers comparés et cartes",
    html_table(summary_table_fr(tables), caption="Valeurs des indicateurs par quartier")
    + html_table(gaps_table_fr(tables), caption="Écarts à l'agglomération par quartier")
    + gaps_across_html(tables)
    + "<h3>Indice de position sociale des écoles, par commune</h3>"
    + "<p>Moyenne des IPS publiés des écoles de chaque commune de l'agglomération (données "
    + "ouvertes du ministère de l'Éducation nationale).</p>"
    + ips_map_html(tables, rentree_ips)
    + "<h3>Localisation des quartiers</h3>"
    + locator_map_html(tables)
    + "<h3>Les quartiers prioritaires de l'agglomération (géographie 2024)</h3>"
    + figure_html(tables, "carte_qpv_epci"),
)

# %%
shared_objectives_html(tables)

# %%
section(
    "suivi",
    "Suivi des actions et indicateurs de la commune",
    "<p>Pour chaque quartier et chaque enjeu : l'état des actions déclaré par la commune dans "
    "le fichier de suivi de l'année, les changements depuis l'année précédente, les actions "
    "non engagées et les financements prévus et réalisés. Une action sans état déclaré est "
    "comptée « non renseignée ».</p>"
    + suivi_html(tables, annee, level=3)
    + '<h3 id="indicateurs-commune">Indicateurs de la commune</h3>'
    + "<p>Les indicateurs transmis par la commune, année par année, à côté du chiffre de la "
    + "convention quand il existe ; la source figure sous chaque graphique.</p>"
    + commune_indicators_html(tables),
)

# %%
section(
    "controle-ips",
    "Contrôle croisé des IPS",
    "<p>Les IPS cités par la convention sont rapprochés des indices publiés en données "
    "ouvertes par le ministère de l'Éducation nationale pour les écoles et collèges des "
    "communes concernées.</p>" + crosscheck_html(tables),
)

# %%
section(
    "references",
    "Références de la convention, communes et évolutions",
    "<p>Les chiffres de l'agglomération cités par la convention, rapprochés de ce que donnent "
    "les données ouvertes à chaque échelle ; les communes des quartiers ; l'IPS au fil des "
    "rentrées.</p>"
    + references_section_html(
        tables, references=True, figures=("ips_evolution", "carte_pauvrete_communes")
    ),
)

# %%
annex_html(tables)
