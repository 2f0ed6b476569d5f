"""``indicators build``: the only writer of ``data/processed``."""
