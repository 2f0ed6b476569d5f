"""The convention parser, on the real text and on small template excerpts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from indicators.convention.parse import parse_convention, read_convention
from indicators.convention.text import slugify
from indicators.errors import InputError

from .conftest import CONVENTION, FIXTURES, REFERENCE

TEMPLATE = FIXTURES / "convention" / "template_minimal.txt"


@pytest.fixture(scope="module")
def real():
    return read_convention(CONVENTION, reference_label=REFERENCE)


@pytest.fixture(scope="module")
def excerpt():
    return read_convention(TEMPLATE, reference_label=REFERENCE)


def _value(portrait: pd.DataFrame, quartier: str, indicator: str) -> pd.Series:
    rows = portrait[(portrait.quartier_id == quartier) & (portrait.indicator_id == indicator)]
    assert len(rows) == 1, (quartier, indicator)
    return rows.iloc[0]


# ---------------------------------------------------------------- the real convention


def test_four_quartiers_with_identity(real) -> None:
    q = real.quartiers.set_index("quartier_id")
    assert list(q.index) == [
        "coteau-stade-parc-cite-34",
        "cites-6-et-30",
        "cite-de-la-clarence",
        "cite-du-transvaal",
    ]
    assert q.loc["coteau-stade-parc-cite-34", "name"] == "Coteau Stade Parc - Cité 34"
    assert list(q["status"]) == ["QPV", "QPV", "QIC", "QIC"]
    assert q.loc["coteau-stade-parc-cite-34", "code"] == "QP062013"
    assert q.loc["cites-6-et-30", "code"] == "QP062014"
    assert q["code"].isna().tolist() == [False, False, True, True]
    assert q.loc["cites-6-et-30", "communes"] == "Calonne-Ricouart; Divion"
    assert q.loc["coteau-stade-parc-cite-34", "communes"] == "Bruay-la-Buissière; Divion"
    assert q.loc["cite-du-transvaal", "communes"] == "Divion"


def test_portrait_sources_split(real) -> None:
    q = real.quartiers.set_index("quartier_id")
    assert q.loc["cites-6-et-30", ["source", "vintage", "perimeter"]].tolist() == [
        "sigville",
        "2022",
        "ancien périmètre",
    ]
    assert q.loc["cite-du-transvaal", ["source", "vintage"]].tolist() == [
        "Préfecture du Pas-de-Calais",
        "2024",
    ]
    assert pd.isna(q.loc["cite-du-transvaal", "perimeter"])
    # Clarence lost its portrait heading and source: nothing invented, a caveat instead.
    assert q.loc["cite-de-la-clarence", ["source", "vintage", "perimeter"]].isna().all()
    assert "Portrait incomplet" in q.loc["cite-de-la-clarence", "caveat"]


def test_every_portrait_line_is_a_row(real) -> None:
    counts = real.portrait.groupby("quartier_id").size().to_dict()
    # Lines counted by hand in the text: 8, 8, 2 (Clarence) and 5 (Transvaal).
    assert counts == {
        "coteau-stade-parc-cite-34": 8,
        "cites-6-et-30": 8,
        "cite-de-la-clarence": 2,
        "cite-du-transvaal": 5,
    }


def test_portrait_values_as_written(real) -> None:
    p = real.portrait
    poverty = _value(p, "cites-6-et-30", "poverty_rate")
    assert (poverty.value, poverty.unit, poverty.qualifier) == (50.9, "%", "exact")
    assert (poverty.reference_value, poverty.reference_territory) == (18.8, "CABBALR")
    population = _value(p, "coteau-stade-parc-cite-34", "population")
    assert (population.value, population.qualifier, population.unit) == (
        1600,
        "approx",
        "habitants",
    )
    assert population.note == "stable depuis 2015"
    assert pd.isna(population.reference_value)
    housing = _value(p, "cites-6-et-30", "social_housing_share")
    assert (housing.value, housing.qualifier, housing.reference_value) == (95, "lower_bound", 25.6)
    transvaal = _value(p, "cite-du-transvaal", "poverty_rate")
    assert (transvaal.value, transvaal.qualifier) == (30, "lower_bound")
    assert _value(p, "coteau-stade-parc-cite-34", "employment_rate_15_64").value == 43
    assert _value(p, "coteau-stade-parc-cite-34", "area_ha").value == 44
    ips = _value(p, "cite-de-la-clarence", "school_ips")
    assert (ips.value, ips.reference_value, ips.line) == (76, 104, 305)
    assert _value(p, "cite-de-la-clarence", "social_housing_share").value == 88
    single = _value(p, "cite-du-transvaal", "single_parent_families_share")
    assert (single.value, single.reference_value) == (16, 16.2)


def test_clarence_has_nothing_invented(real) -> None:
    clarence = real.portrait[real.portrait.quartier_id == "cite-de-la-clarence"]
    assert set(clarence.indicator_id) == {"school_ips", "social_housing_share"}


def test_irritants_opportunities_and_stakes(real) -> None:
    q = real.quartiers.set_index("quartier_id")
    irritants = q.loc["coteau-stade-parc-cite-34", "irritants"].split("\n")
    assert len(irritants) == 7
    assert irritants[0].startswith("un niveau de vie très faible")
    # A blank line inside the list does not cut it: five opportunities for Coteau.
    assert len(q.loc["coteau-stade-parc-cite-34", "opportunites"].split("\n")) == 5
    assert q.loc["cites-6-et-30", "enjeux"].split("\n") == [
        "Poursuivre l'accompagnement à la mobilité",
        "Affirmer la place de l'Espace de Vie Sociale dans le quartier",
        "Offrir un véritable accompagnement social aux habitants",
        "Retrouver un cadre de vie agréable et sécurisé",
    ]


def _actions(objectives, quartier, operational_start):
    rows = objectives[
        (objectives.quartier_id == quartier)
        & objectives.operational_objective.str.startswith(operational_start)
    ]
    return rows["action"].tolist()


def test_cell_split_over_page_break_is_joined(real) -> None:
    # Coteau, lines 164-166: the cell continues after the page break.
    assert _actions(real.objectives, "coteau-stade-parc-cite-34", "Renforcer la prévention") == [
        "Permettre aux familles de rencontrer des professionnels facilement "
        "(rendez-vous psychologues sur la commune, ...)",
        "Former les acteurs de terrain",
        "Développer un programme auprès de nos professionnels en face à face public sur la "
        "formation des intervenants sur la santé mentale",
        "Développer les lieux d'écoute pour les jeunes en souffrance",
    ]
    # The same objective written without a page break in Cités 6 et 30 gives the same actions.
    assert _actions(real.objectives, "cites-6-et-30", "Renforcer la prévention") == _actions(
        real.objectives, "coteau-stade-parc-cite-34", "Renforcer la prévention"
    )
    assert _actions(real.objectives, "cite-de-la-clarence", "Faciliter l'accès aux soins")[-1] == (
        "Organiser des séances de PSC1 à l'attention du plus grand nombre"
    )


def test_glued_bullets_are_split(real) -> None:
    # Cités 6 et 30, line 279: the « • » were lost and the strategic cell moved to the
    # second half of the row. Same actions as Coteau's, where the bullets survive.
    expected = [
        "Améliorer le cadre de vie des habitants avec l'implication des citoyens à travers "
        "les conseils de quartier",
        "Eduquer nos jeunes aux notions d'engagement à travers le CMJ et la junior association",
        "Valoriser l'action de l'EVS à la cité 30 pour donner envie aux habitants des autres "
        "quartiers de se structurer",
    ]
    assert _actions(real.objectives, "cites-6-et-30", "Encourager la participation") == expected
    row = real.objectives[
        (real.objectives.quartier_id == "cites-6-et-30")
        & (
            real.objectives.operational_objective == "Encourager la participation citoyenne et "
            "soutenir les initiatives"
        )
    ]
    assert set(row.strategic_objective) == {
        "Accompagner l'accès à l'autonomie et à l'emploi des habitants des quartiers"
    }
    assert _actions(real.objectives, "cites-6-et-30", "Valoriser les compétences") == [
        "Mettre en réseau les citoyens proposant leurs compétences",
        "Développer un projet de Repair café",
    ]


def test_split_operational_objective_is_joined(real) -> None:
    t = real.objectives[real.objectives.quartier_id == "cite-du-transvaal"]
    joined = (
        "Assurer la réussite éducative des enfants et des jeunes au travers de la scolarité, "
        "de l'ouverture culturelle, du bien-être et des compétences psychosociales"
    )
    assert joined in set(t.operational_objective)
    assert not t.operational_objective.str.endswith("de l'ouverture").any()
    assert _actions(real.objectives, "cite-du-transvaal", "Favoriser l'accès et le retour") == [
        "Développer un programme d'actions à l'EVS permettant de lever les freins à l'emploi "
        "(estime de soi, image, ...)",
        "Mener des campagnes d'informations sur les métiers porteurs et leurs formations "
        "existant sur notre bassin de vie grâce à la synergie des partenaires de notre "
        "territoire)",
        "Développer le réseau des acteurs (PIJ, MDS, Réseau IJ, Indelab, AFP2I, ...)",
    ]
    assert _actions(real.objectives, "cite-du-transvaal", "Assurer la réussite")[1] == (
        "Rendre accessible des activités ludiques, culturelles dès le plus jeune âge"
    )


def test_objectives_are_clean_sentences(real) -> None:
    actions = real.objectives["action"].dropna()
    assert not actions.str.contains(r"[<>•\t]|  ").any()
    assert (actions.str.len() > 10).all()
    # An operational objective without action is kept, with no invented action.
    lien = real.objectives[real.objectives.operational_objective.str.startswith("Mettre en lien")]
    assert len(lien) == 4 and lien["action"].isna().all()
    assert (
        real.objectives.groupby("quartier_id")["enjeu"].unique().map(sorted).map(list).tolist()
        == [[1, 2, 3]] * 4
    )
    assert set(real.objectives.enjeu_title) == {
        "DES QUARTIERS ATTENTIFS AUX HABITANTS DES PLUS FRAGILES",
        "DES QUARTIERS D'ÉMANCIPATION POUR TOUS",
        "DES QUARTIERS À L'ÉPREUVE DES TRANSITIONS",
    }


# ---------------------------------------------------------------- template excerpts


def test_excerpt_other_commune(excerpt) -> None:
    q = excerpt.quartiers.set_index("quartier_id")
    assert list(q.index) == ["les-tilleuls", "le-bourg"]
    assert q.loc["les-tilleuls", "code"] == "QP059001"
    assert q.loc["les-tilleuls", "communes"] == "Testville; Autreville"
    assert q.loc["le-bourg", "status"] == "QIC"
    assert q.loc["les-tilleuls", "opportunites"] == "une opportunité\nune autre opportunité"
    p = excerpt.portrait
    assert _value(p, "les-tilleuls", "population").value == 2400
    assert _value(p, "les-tilleuls", "social_housing_share").qualifier == "lower_bound"
    assert _value(p, "le-bourg", "school_ips").value == 81


def test_excerpt_objectives(excerpt) -> None:
    o = excerpt.objectives
    assert _actions(o, "les-tilleuls", "Faciliter l'accès aux soins") == [
        "Accompagner les familles",
        "Organiser des séances de secourisme à l'attention du plus grand nombre",
        "Développer les lieux d'écoute",
    ]
    assert _actions(o, "les-tilleuls", "Encourager") == [
        "Eduquer nos jeunes au CMJ",
        "Valoriser l'action de l'EVS",
        "Développer un projet de Repair café",
    ]
    bourg = o[o.quartier_id == "le-bourg"]
    assert set(bourg.strategic_objective) == {"Soutenir la réussite"}
    assert set(bourg.operational_objective) == {
        "Assurer la réussite éducative des enfants, de l'ouverture culturelle et du bien-être"
    }
    assert bourg["action"].tolist() == [
        "Réduire les difficultés",
        "Rendre accessible des activités dès le plus jeune âge",
        "Intégrer des parcours éducatifs",
    ]
    # The text after « Organisation et pilotage local » is not part of any quartier.
    assert not o["action"].fillna("").str.contains("élus").any()


def test_slugs_are_ascii() -> None:
    assert slugify("Cités 6 et 30") == "cites-6-et-30"
    assert slugify("Cité du Transvaal") == "cite-du-transvaal"


# ---------------------------------------------------------------- layout drift


def _drift(old: str, new: str) -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "line", "expected"),
    [
        # Line numbers read by hand in tests/fixtures/convention/template_minimal.txt.
        (
            "Statut : Quartier prioritaire de la politique de la ville\n",
            "",
            16,
            "'Statut : …' line",
        ),
        ("Taux de pauvreté : 41,5 %", "Taux de licornes : 41,5 %", 37, "known indicator label"),
        ("Taux de pauvreté : 41,5 %", "Taux de pauvreté : 141,5 %", 37, "between 0 and 100"),
        ("Taux de pauvreté : 41,5 %", "Taux de pauvreté : 41,5", 37, "a percentage"),
        ("Taux de pauvreté : 41,5 %", "Taux de pauvreté : quarante %", 37, "French number"),
        ("Code quartier : QP 05 90 01", "Code quartier : 05 90 01", 20, "official code"),
        (
            "Statut : Quartier prioritaire de la politique de la ville",
            "Statut : Quartier de veille",
            18,
            "a status",
        ),
        (
            "Projet de quartier « Le Bourg »\n\nStatut",
            "Projet de quartier « Les Tilleuls »\n\nStatut",
            74,
            "each quartier once",
        ),
        (
            "ENJEU 2 : DES QUARTIERS D'ÉMANCIPATION\n",
            "ENJEU 2 : DES QUARTIERS\nTexte libre\n",
            70,
            "table row",
        ),
    ],
)
def test_layout_drift_is_one_clear_error(old, new, line, expected) -> None:
    with pytest.raises(InputError) as caught:
        parse_convention(_drift(old, new), reference_label=REFERENCE, path="conv.txt")
    message = str(caught.value)
    assert message.startswith(f"conv.txt, line {line}")
    assert expected in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "non-empty"),
        (b"   \n\n", "non-empty"),
        (b"Projet\x00\x01\x02", "binary"),
        ("Projet de quartier « Les Tilleuls »\nStatut : é".encode("cp1252"), "UTF-8"),
        ("Statut : Quartier prioritaire é".encode().decode("latin-1").encode(), "encoded twice"),
        (b"Just some text\nwithout quartiers\n", "Projet de quartier"),
    ],
)
def test_bad_files(tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "convention.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_convention(path, reference_label=REFERENCE)
    assert str(caught.value).startswith(str(path))
    assert expected in str(caught.value)


def test_sommaire_announces_every_quartier() -> None:
    # The excerpt's sommaire lists two quartiers; cut the text after the first one.
    text = TEMPLATE.read_text(encoding="utf-8")
    cut = text[: text.index("Projet de quartier « Le Bourg »\n")]
    with pytest.raises(InputError) as caught:
        parse_convention(cut, reference_label=REFERENCE, path="conv.txt")
    assert "'le-bourg' announced in the sommaire at line 10" in str(caught.value)
    extra = text.replace("Projet de quartier « Le Bourg »\t9\n", "")
    with pytest.raises(InputError) as caught:
        parse_convention(extra, reference_label=REFERENCE, path="conv.txt")
    assert str(caught.value).startswith("conv.txt, line 73")
    assert "listed in the sommaire" in str(caught.value)


def test_markup_in_a_quartier_name_is_refused() -> None:
    text = TEMPLATE.read_text(encoding="utf-8").replace(
        "Projet de quartier « Le Bourg »\n", "Projet de quartier « Le <b>Bourg</b> »\n"
    )
    with pytest.raises(InputError) as caught:
        parse_convention(text, reference_label=REFERENCE, path="conv.txt")
    assert str(caught.value).startswith("conv.txt, line 74")
    assert "without markup" in str(caught.value)
