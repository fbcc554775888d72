"""visa feature."""
