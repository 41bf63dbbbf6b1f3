"""gui layer (see README: Layout)."""
