"""The report templates in ``notebooks/``: discovery, reading, declared parameters.

A template is a jupytext ``py:percent`` file (or an ``.ipynb``) whose notebook metadata
has an ``indicators`` entry, written in the jupytext header::

    # ---
    # jupyter:
    #   indicators:
    #     title: Fiche quartier    # title of the report (« — <quartier> » appended)
    #     key: fiche               # file name of the report (default: name, _ → -)
    #     order: 3                 # rank in the batch and in the index
    #     pdf: false               # also export an A4 PDF
    #     per_quartier: true       # one report per quartier, with ``quartier_id``
    # ---

A notebook without that entry (``exploration.py``, for analysts) is not a report.
"""

from __future__ import annotations

import ast
import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indicators.config import Paths
from indicators.errors import InputError

KERNEL_NAME = "python3"
METADATA_KEY = "indicators"
_FIELDS: dict[str, type] = {
    "title": str,
    "key": str,
    "order": int,
    "pdf": bool,
    "per_quartier": bool,
}


@dataclass(frozen=True)
class Template:
    """A report notebook template and the titles of the reports made from it.

    ``key`` names the report files (``<key>.html``, or ``<key>-<quartier_id>.html`` for
    a template run per quartier); ``order`` ranks the templates in the batch.
    """

    name: str
    title: str
    pdf: bool = False
    per_quartier: bool = False
    key: str = ""
    order: int = 0
    path: Path | None = None


def template_path(paths: Paths, name: str) -> Path:
    """``notebooks/<name>.py`` (jupytext py:percent) or, failing that, ``<name>.ipynb``."""
    for suffix in (".py", ".ipynb"):
        path = paths.notebooks / f"{name}{suffix}"
        if path.exists():
            return path
    raise InputError(
        "a notebook template (jupytext py:percent .py or .ipynb)",
        path=paths.notebooks / f"{name}.py",
    )


_READ: dict[tuple[str, bytes], Any] = {}  # (path, bytes) -> notebook


def read_template(path: str | os.PathLike[str]) -> Any:
    """Read a template as a notebook (py:percent converted in memory by jupytext).

    A file read before with the same bytes is not converted again (the batch reads each
    template to discover it, then to run it); each call returns its own copy.
    """
    path = Path(path)
    try:
        key: tuple[str, bytes] | None = (str(path.resolve()), path.read_bytes())
    except OSError:
        key = None  # _read_template says why
    if key in _READ:
        return copy.deepcopy(_READ[key])
    nb = _read_template(path)
    if key is not None:
        _READ[key] = copy.deepcopy(nb)
    return nb


def _read_template(path: Path) -> Any:
    try:
        if path.suffix == ".py":
            import jupytext

            nb = jupytext.read(path, fmt="py:percent")
        else:
            import nbformat

            nb = nbformat.read(path, as_version=4)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(f"a readable notebook ({error})", path=path) from error
    nb.metadata.setdefault(
        "kernelspec", {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    )
    return nb


def template_metadata(
    name: str, metadata: Mapping[str, Any], path: str | os.PathLike[str] | None = None
) -> Template | None:
    """The :class:`Template` a notebook's metadata declares, or ``None`` if not a report.

    >>> fiche = template_metadata("fiche_quartier", {"indicators": {
    ...     "title": "Fiche quartier", "key": "fiche", "order": 3, "per_quartier": True}})
    >>> fiche.title, fiche.key, fiche.order, fiche.pdf, fiche.per_quartier
    ('Fiche quartier', 'fiche', 3, False, True)
    >>> template_metadata("exploration", {"kernelspec": {}}) is None
    True
    """
    declared = metadata.get(METADATA_KEY)
    if declared is None:
        return None
    if not isinstance(declared, Mapping) or not isinstance(declared.get("title"), str):
        raise InputError(f"'{METADATA_KEY}' notebook metadata with a 'title'", path=path)
    for field, kind in _FIELDS.items():
        value = declared.get(field)
        if field in declared and (type(value) is not kind):
            raise InputError(
                f"'{METADATA_KEY}' metadata {field!r} of type {kind.__name__}",
                path=path,
                found=repr(value),
            )
    unknown = sorted(set(declared) - set(_FIELDS))
    if unknown:
        raise InputError(
            f"'{METADATA_KEY}' metadata fields among {', '.join(_FIELDS)}",
            path=path,
            found=", ".join(unknown),
        )
    return Template(
        name=name,
        title=declared["title"],
        pdf=declared.get("pdf", False),
        per_quartier=declared.get("per_quartier", False),
        key=declared.get("key", name.replace("_", "-")),
        order=declared.get("order", 0),
        path=Path(path) if path is not None else None,
    )


def discover_templates(paths: Paths) -> list[Template]:
    """The report templates of ``notebooks/``, in their declared ``order`` (then name).

    Every ``*.py`` / ``*.ipynb`` there is read; those without ``indicators`` metadata
    (analyst notebooks) are left out.

    Raises
    ------
    InputError
        When a template is unreadable or its metadata malformed, or when no notebook
        declares a report.
    """
    names = sorted(
        {p.stem for p in (*paths.notebooks.glob("*.py"), *paths.notebooks.glob("*.ipynb"))}
    )
    found = []
    for name in names:
        path = template_path(paths, name)
        template = template_metadata(name, read_template(path).metadata, path)
        if template is not None:
            found.append(template)
    if not found:
        raise InputError(
            f"report templates (notebooks with '{METADATA_KEY}' metadata in their header)",
            path=paths.notebooks,
        )
    return sorted(found, key=lambda t: (t.order, t.name))


def declared_parameters(nb: Any, path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Names and annotated types of the ``parameters`` cell (the first code cell).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells.append(nbformat.v4.new_code_cell(
    ...     'root: str = ""  # project root', metadata={"tags": ["parameters"]}))
    >>> declared_parameters(nb)
    {'root': 'str'}
    """
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if not code or "parameters" not in code[0].get("metadata", {}).get("tags", []):
        raise InputError("a first code cell tagged 'parameters'", path=path)
    try:
        tree = ast.parse(code[0].source)
    except SyntaxError as error:
        raise InputError(
            "a parameters cell of typed assignments", path=path, line=error.lineno
        ) from error
    declared = {}
    for node in tree.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            raise InputError(
                "one typed assignment per line (name: type = value  # help)",
                path=path,
                context=f"parameters cell line {node.lineno}",
            )
        declared[node.target.id] = ast.unparse(node.annotation)
    return declared


__all__ = [
    "KERNEL_NAME",
    "Template",
    "declared_parameters",
    "discover_templates",
    "read_template",
    "template_metadata",
    "template_path",
]
