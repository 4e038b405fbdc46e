"""Domain errors every service raises; the message is translated and shown to the user.

Project-wide: engines and capabilities alike raise these, views turn them into form errors
or messages, consumers into error frames, the API into 4xx answers."""


class DomainError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    """The user may not do this (a rule of the rule book said no)."""
