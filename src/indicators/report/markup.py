"""Text and HTML primitives shared by the French display modules.

Every text that comes from an input (names, objectives, diagnostics) is HTML-escaped
here; a missing value is empty text, never ``"nan"``. :class:`Html` marks a fragment
that a notebook displays as is.

>>> page = html_table(pd.DataFrame({"Nom": ["<b>Cité</b>"]}))
>>> page.startswith('<table class="table">'), "<td>&lt;b&gt;Cité&lt;/b&gt;</td>" in page
(True, True)
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import pandas as pd

from indicators.numbers import MISSING_TEXT

NOT_APPLICABLE = "—"


class Html(str):
    """An HTML fragment that Jupyter displays as HTML (and that stays a ``str``)."""

    def _repr_html_(self) -> str:
        return str(self)


# --------------------------------------------------------------------------- text


def _text(value: object) -> str:
    """``""`` for a missing value, else the value as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _esc(value: object) -> str:
    """Escape text for an HTML text node (use ``html.escape`` for attributes)."""
    return html.escape(_text(value), quote=False)


def _items(text: object) -> list[str]:
    return [item.strip() for item in _text(text).split("\n") if item.strip()]


def _caveat(row: pd.Series) -> str:
    """The quartier's caveat, unless it only restates the old perimeter (said elsewhere)."""
    caveat = _text(row["caveat"])
    if _text(row["perimeter"]) == "ancien périmètre" and "ancien périmètre" in caveat:
        return ""
    return caveat


def _source_fr(row: pd.Series) -> str:
    """« sigville, 2022, ancien périmètre » or « source non indiquée »."""
    parts = [_text(row.get("source")), _text(row.get("vintage")), _text(row.get("perimeter"))]
    parts = [p for p in parts if p]
    return ", ".join(parts) if parts else "source non indiquée dans la convention"


# --------------------------------------------------------------------------- HTML


def html_table(frame: pd.DataFrame, *, caption: str | None = None) -> Html:
    """An escaped HTML table of a frame of French strings (no index).

    >>> html_table(pd.DataFrame({"A": ["<x>"]})).count("&lt;x&gt;")
    1
    """
    head = "".join(f'<th scope="col">{_esc(column)}</th>' for column in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc(value)}</td>" for value in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    return Html(
        f'<table class="table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def _list_html(items: Iterable[str], tag: str = "ul") -> str:
    inner = "".join(f"<li>{_esc(item)}</li>" for item in items)
    return f"<{tag}>{inner}</{tag}>" if inner else f"<p>{MISSING_TEXT}</p>"


__all__ = [
    "NOT_APPLICABLE",
    "Html",
    "html_table",
]
