"""app layer (see README: Layout)."""
