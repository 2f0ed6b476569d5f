"""Readers of the outside inputs: one module per family of files."""
