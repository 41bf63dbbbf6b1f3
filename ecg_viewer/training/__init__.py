"""training layer (see README: Layout)."""
