"""visits feature."""
