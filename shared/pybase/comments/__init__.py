"""Comments on records."""
