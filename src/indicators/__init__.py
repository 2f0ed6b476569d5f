"""Indicators for the quartiers of a French contrat de ville.

The pipeline runs one way: ``data/raw`` → :func:`indicators.build.pipeline.build` →
``data/processed`` → notebooks → ``reports/``.
"""

from __future__ import annotations

__version__ = "0.1.0"
