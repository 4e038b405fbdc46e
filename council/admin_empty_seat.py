"""Owned by a helper: FOUNDATION STUB (the secretariat's empty-seat screens)."""
