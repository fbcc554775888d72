"""registration feature."""
