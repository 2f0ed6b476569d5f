"""The shape of the code: no territory baked in, imports one way, small modules.

- The commune, its EPCI and their codes live in ``data/raw/territory.toml`` only: none of
  them appears as a literal (string, docstring, number) in ``src/`` or ``notebooks/``;
  comments do not count. Doctests use a fictional territory.
- Imports run one way: cli → report → build → figures → (convention | analysis) →
  sources → core. A module imports its own stage or lower ones only; convention and
  analysis are siblings and import neither each other. Imports inside functions count.
- No module of ``src/`` is over 500 lines.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

from indicators.territory import load_territory

from .conftest import RAW, REPO

SRC = REPO / "src"
PACKAGE = SRC / "indicators"
MAX_LINES = 500

#: Rank of each stage; convention and analysis share a rank but are separate stages.
RANKS = {
    "core": 0,
    "sources": 1,
    "convention": 2,
    "analysis": 2,
    "figures": 3,
    "build": 4,
    "report": 5,
    "cli": 6,
}
#: Modules that may import anything (the package's lazy public API and the command).
ANYTHING = {"indicators", "indicators.cli"}


def _python_files(*folders: Path) -> list[Path]:
    return sorted(path for folder in folders if folder.exists() for path in folder.rglob("*.py"))


# ---------------------------------------------------------------- territory literals


def _territory_words() -> dict[str, re.Pattern[str]]:
    """What must not be written in the code: names (any case) and codes (whole)."""
    territory = load_territory(RAW / "territory.toml")
    names = {commune.name for commune in territory.communes}
    names |= {territory.epci.name, territory.epci.label, territory.reference_label}
    codes = {commune.insee for commune in territory.communes} | {territory.epci.siren}
    words = {
        name: re.compile(rf"(?<![^\W\d_]){re.escape(name)}(?![^\W\d_])", re.IGNORECASE)
        for name in names
    }
    words |= {
        code: re.compile(rf"(?<![0-9A-Za-z]){re.escape(code)}(?![0-9A-Za-z])") for code in codes
    }
    return words


def _literals(path: Path) -> list[tuple[int, str]]:
    """Every string and number token of a Python file (comments excluded)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    kinds = {tokenize.STRING, tokenize.NUMBER}
    kinds |= {getattr(tokenize, name) for name in ("FSTRING_MIDDLE",) if hasattr(tokenize, name)}
    return [(token.start[0], token.string) for token in tokens if token.type in kinds]


def test_no_territory_literal_in_code() -> None:
    words = _territory_words()
    found = [
        f"{path.relative_to(REPO)}:{line}: {word}"
        for path in _python_files(SRC, REPO / "notebooks")
        for line, text in _literals(path)
        for word, pattern in words.items()
        if pattern.search(text)
    ]
    assert not found, (
        f"{len(found)} literal(s) that belong in data/raw/territory.toml:\n" + "\n".join(found)
    )


def test_the_literal_check_sees_strings_not_comments(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('# Divion, 62270\nA = "Commune de Divion"\nB = 62270\nC = "x"  # CABBALR\n')
    words = _territory_words()
    hits = {
        (line, word)
        for line, text in _literals(sample)
        for word, p in words.items()
        if p.search(text)
    }
    assert hits == {(2, "Divion"), (3, "62270")}


# ------------------------------------------------------------------ import direction


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 2 and parts[1] == "cli":
        return "cli"
    if len(parts) >= 2 and parts[1] in RANKS and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "core"  # indicators itself (``__version__``) and the top-level modules


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """``(line, imported module)`` for every import of the project, at any depth."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # ``from indicators.figures import style``
                candidate = f"{base}.{alias.name}"
                is_module = (SRC / candidate.replace(".", "/")).with_suffix(".py").exists()
                found.append((node.lineno, candidate if is_module else base))
    return [(line, name) for line, name in found if name.split(".")[0] == "indicators"]


def _violations() -> list[str]:
    bad = []
    for path in _python_files(PACKAGE):
        module = _module_name(path)
        if module in ANYTHING:
            continue
        stage = _stage(module)
        for line, target in _imports(path, module):
            other = _stage(target)
            allowed = other == stage or RANKS[other] < RANKS[stage]
            if allowed and other != stage and RANKS[other] == RANKS[stage]:
                allowed = False  # siblings (convention, analysis) stay apart
            if not allowed:
                bad.append(f"{path.relative_to(REPO)}:{line}: {stage} imports {target} ({other})")
    return bad


def test_imports_run_one_way() -> None:
    assert _stage("indicators.sources.geo") == "sources"
    assert _stage("indicators.territory") == _stage("indicators") == "core"
    bad = _violations()
    assert not bad, "imports against the stage order:\n" + "\n".join(bad)


def test_the_import_check_sees_lazy_imports(tmp_path: Path, monkeypatch) -> None:
    fake = tmp_path / "src" / "indicators" / "sources"
    fake.mkdir(parents=True)
    module = fake / "lazy.py"
    module.write_text(
        "def f():\n    from indicators.report import batch\n    import indicators.build.storage\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", tmp_path / "src")
    assert _imports(module, "indicators.sources.lazy") == [
        (2, "indicators.report"),
        (3, "indicators.build.storage"),
    ]


# ------------------------------------------------------------------------- module size


def test_no_module_over_500_lines() -> None:
    long = {
        str(path.relative_to(REPO)): count
        for path in _python_files(SRC)
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"
