"""Owned by a helper: FOUNDATION STUB (its admin views and hooks go here)."""
