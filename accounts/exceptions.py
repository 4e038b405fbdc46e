"""Domain errors raised by services; their message is shown to the user as is."""


class DomainError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    pass
