"""The event log: who did what to which object of an event, written by the request lifecycle."""
