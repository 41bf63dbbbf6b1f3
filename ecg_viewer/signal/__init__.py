"""signal layer (see README: Layout)."""
