"""agenda feature."""
