"""report layer (see README: Layout)."""
