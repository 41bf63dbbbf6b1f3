"""model layer (see README: Layout)."""
