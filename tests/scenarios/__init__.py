"""Failure scenarios: each documented failure broken, rolled back, resolved and retried for real."""
