"""Admin of the council's records (sessions, agenda, attendance, roll-call votes)."""

# The secretariat's empty-seat screens register their hooks in their own module.
from . import admin_empty_seat  # noqa: F401
