"""What makes `indicators report` fast leaves each report as it would be on its own.

- the build writes every figure's alt text (``textes_alternatifs.json``); the reports
  embed the build's PNG with that text, which is the registry's text for the tables read
  back from ``data/processed``;
- a worker keeps one kernel for its notebooks: each notebook starts from an empty
  namespace with an execution count of 1, and a kernel that died is replaced;
- the batch's parent process plans the reports without importing pandas.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from indicators.errors import InputError
from indicators.figures import registry

from .conftest import img_alts

ALT_KEY = f"figures/{registry.ALT_TEXTS_FILE}"


def test_build_writes_the_alt_text_of_every_figure(rendered_project) -> None:
    from indicators.report.tables import load_tables

    paths, status = rendered_project
    assert status == 0
    tables = load_tables(paths)
    figures = paths.processed / "exports" / "figures"
    texts = json.loads((figures / registry.ALT_TEXTS_FILE).read_text(encoding="utf-8"))
    assert set(texts) == {p.stem for p in figures.glob("*.png")}
    assert ALT_KEY in tables.manifest["exports"]
    for name, text in texts.items():  # the registry's text, from the tables read back
        assert text == registry.alt_text(name, tables, territory=tables.territory), name
    # The IPS map's classes reach the dossier (its kernel classified nothing).
    ips = next(name for name in texts if name.startswith("carte_ips_ecoles_"))
    assert "en 5 classes de quantiles" in texts[ips]
    dossier = (paths.reports / "dossier-copil.html").read_text(encoding="utf-8")
    assert texts[ips] in img_alts(dossier)
    fiche = (paths.reports / "fiche-cites-6-et-30.html").read_text(encoding="utf-8")
    assert texts["ecarts_cites-6-et-30"] in img_alts(fiche)


def test_alt_texts_that_do_not_match_the_manifest_are_refused(rendered_project, tmp_path) -> None:
    from indicators.report.figures_html import gaps_across_html
    from indicators.report.tables import load_tables

    paths, _ = rendered_project
    root = tmp_path / "project"
    shutil.copytree(paths.raw, root / "data" / "raw")
    shutil.copytree(paths.processed, root / "data" / "processed")
    alts = root / "data" / "processed" / "exports" / ALT_KEY
    texts = json.loads(alts.read_text(encoding="utf-8"))
    texts["ecarts_quartiers"] = "Un autre texte."
    alts.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match=r"textes_alternatifs\.json: expected the sha256 of the"):
        gaps_across_html(load_tables(root))
    alts.unlink()
    with pytest.raises(InputError, match=r"textes_alternatifs\.json: expected the alt texts"):
        gaps_across_html(load_tables(root))
    # A build of an earlier version (no file in its manifest): the report writes the text.
    tables = load_tables(root)
    del tables.manifest["exports"][ALT_KEY]
    expected = registry.alt_text("ecarts_quartiers", tables, territory=tables.territory)
    assert img_alts(str(gaps_across_html(tables))) == [expected]


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def _stdout(nb: nbformat.NotebookNode) -> list[str]:
    return [
        output["text"].strip()
        for cell in nb.cells
        for output in cell.outputs
        if output.get("name") == "stdout"
    ]


def test_kept_kernel_is_reset_between_notebooks_and_replaced_when_dead(tmp_path) -> None:
    from papermill.exceptions import PapermillExecutionError

    from indicators.report.execute import KERNEL_ARGUMENTS
    from indicators.report.kernels import execute_in_kept_kernel, shutdown_kept_kernel

    def run(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
        return execute_in_kept_kernel(
            nb,
            str(tmp_path / f"{name}.ipynb"),
            kernel_name="python3",
            progress_bar=False,
            extra_arguments=list(KERNEL_ARGUMENTS),
        )

    try:
        first = run(_notebook("import os\nsecret = 42", "print(os.getpid())"), "first")
        second = run(
            _notebook("print('secret' in dir(), 'os' in dir())", "import os\nprint(os.getpid())"),
            "second",
        )
        assert _stdout(second) == ["False False", _stdout(first)[0]]  # same kernel, emptied
        assert [c.execution_count for c in second.cells] == [1, 2]
        with pytest.raises(Exception) as died:  # papermill's or nbclient's error
            run(_notebook("import os\nos._exit(1)"), "dies")
        assert not isinstance(died.value, PapermillExecutionError)
        third = run(_notebook("import os\nprint(os.getpid())"), "third")
        assert _stdout(third)[0] != _stdout(first)[0]  # a new kernel
    finally:
        shutdown_kept_kernel()


def test_batch_parent_plans_without_pandas(rendered_project) -> None:
    paths, _ = rendered_project
    code = (
        "import sys\n"
        "from indicators.config import Paths\n"
        "import indicators.cli, indicators.report.batch\n"
        "from indicators.report.plan import _read_quartiers, report_parameters\n"
        "from indicators.report.staleness import check_processed\n"
        "from indicators.report.tables import load_manifest\n"
        "from indicators.report.templates import discover_templates\n"
        f"paths = Paths.from_root({str(paths.root)!r})\n"
        "names = _read_quartiers(paths)\n"
        "check_processed(paths, load_manifest(paths))\n"
        "discover_templates(paths)\n"
        "report_parameters(2025, '2026-12-01')\n"
        "print(list(names)[0], 'pandas' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    import pandas as pd

    quartiers = pd.read_parquet(paths.processed / "quartiers.parquet").sort_values("line")
    assert result.stdout.split() == [quartiers["quartier_id"].iloc[0], "False"]
