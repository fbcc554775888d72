"""Shared capacity and waiting-list rule (event places, workshop seats, visit seats)."""
