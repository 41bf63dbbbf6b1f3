"""labels layer (see README: Layout)."""
