"""Charts and maps: take ``ax=None``, return the Axes, never save."""
