"""``indicators report``: notebooks → HTML / PDF, index."""
