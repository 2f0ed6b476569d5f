"""Accessibility of the reports: figures with their text alternative, and a checker.

- :func:`accessible_figure` embeds a PNG in a ``<figure>`` whose ``<img alt>`` is the
  text alternative written from the data (:mod:`indicators.figures.alt_texts`), repeated
  in a collapsible « Description du graphique » for sighted readers who want the figures
  as text; on paper the image is printed at its natural size (150 dpi), never enlarged,
  so its smallest text stays at least 7 pt (the figures use 7.5 pt and more; an A4 text
  width of 180 mm shrinks the widest figure, 184 mm, to 98 %).
- :func:`structure_problems` checks what axe-core does not decide on a whole page:
  ``lang="fr"``, exactly one ``h1``, no skipped heading level, every data table with a
  caption and ``th scope``, every image with a non-empty alt, no link text such as
  « ici » or « cliquez ». The tests run it beside axe-core.

>>> structure_problems('<html lang="fr"><body><h1>T</h1><h3>x</h3></body></html>')
['heading h3 after h1 (« x »)']
"""

from __future__ import annotations

import base64
import html
import struct
from html.parser import HTMLParser

__all__ = ["accessible_figure", "png_size", "structure_problems"]

_DPI = 150  # the build's PNG resolution (figures/style.py, build/figure_export.py)
_MM_PER_INCH = 25.4


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's header (``(0, 0)`` if not a PNG)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        return 0, 0
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def accessible_figure(png: bytes, alt: str, kind: str = "", dpi: int = _DPI) -> str:
    """A ``<figure>`` with the PNG as a ``data:`` URI, its alt and its long description.

    ``kind`` (e.g. ``map``) is an extra CSS class. The image's ``width`` in millimetres
    is its natural size at ``dpi`` (the print style caps it at the text width).
    """
    data = base64.b64encode(png).decode("ascii")
    width, _ = png_size(png)
    size = f' style="width: {width / dpi * _MM_PER_INCH:.0f}mm"' if width else ""
    classes = " ".join(["chart", kind]).strip()
    what = "de la carte" if kind == "map" else "du graphique"
    return (
        f'<figure class="{classes}"><img alt="{html.escape(alt)}"{size} '
        f'src="data:image/png;base64,{data}">'
        f'<details class="figure-text"><summary>Description {what} (texte)</summary>'
        f"<p>{html.escape(alt, quote=False)}</p></details></figure>"
    )


_VAGUE_LINKS = {"ici", "cliquez ici", "cliquez", "lien", "voir", "plus", "en savoir plus"}


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.lang = ""
        self.level = 0
        self.h1 = 0
        self.heading: int | None = None
        self.text = ""
        self.tables: list[dict[str, bool]] = []
        self.link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.heading, self.text = int(tag[1]), ""
        elif tag == "table":
            self.tables.append({"caption": False, "th": False, "scope": True})
        elif tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        elif tag == "th" and self.tables:
            self.tables[-1]["th"] = True
            if not attributes.get("scope"):
                self.tables[-1]["scope"] = False
        elif tag == "img" and not (attributes.get("alt") or "").strip():
            self.problems.append("image without a text alternative")
        elif tag == "a":
            self.link = ""

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.text += data
        if self.link is not None:
            self.link += data

    def handle_endtag(self, tag: str) -> None:
        if self.heading is not None and tag == f"h{self.heading}":
            level, text = self.heading, " ".join(self.text.split())
            if level == 1:
                self.h1 += 1
            if self.level and level > self.level + 1:
                self.problems.append(f"heading h{level} after h{self.level} (« {text} »)")
            if not self.level and level != 1:
                self.problems.append(f"first heading is h{level} (« {text} »)")
            self.level, self.heading = level, None
        elif tag == "table" and self.tables:
            table = self.tables.pop()
            if not table["caption"]:
                self.problems.append("data table without a caption")
            if not table["th"] or not table["scope"]:
                self.problems.append("data table without th scope")
        elif tag == "a" and self.link is not None:
            if " ".join(self.link.split()).lower() in _VAGUE_LINKS:
                self.problems.append(f"link text says nothing (« {self.link.strip()} »)")
            self.link = None


def structure_problems(page: str) -> list[str]:
    """What is wrong in ``page``'s structure for RGAA (empty list: nothing found)."""
    walker = _Walker()
    walker.feed(page)
    problems = list(walker.problems)
    if walker.lang != "fr":
        problems.insert(0, f'html lang is {walker.lang!r}, expected "fr"')
    if walker.h1 != 1:
        problems.append(f"{walker.h1} h1 headings, expected exactly one")
    return problems
