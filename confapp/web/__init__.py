"""Web plumbing shared by every feature: the request lifecycle and query-string parsing."""
