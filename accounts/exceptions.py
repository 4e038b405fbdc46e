"""Domain errors raised by services; their message is shown to the user as is."""


class DomainError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    """The user may not do this (a predicate of permissions.py said no)."""
