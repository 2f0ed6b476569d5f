"""The convention's text → quartiers, portrait, objectives."""
