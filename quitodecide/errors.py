"""Domain errors every service raises; the message is translated and shown to the user.

Project-wide: engines and capabilities alike raise these, views turn them into form errors
or messages, consumers into error frames, the API into 4xx answers."""

from django.core.exceptions import PermissionDenied as HttpForbidden


class DomainError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError, HttpForbidden):
    """The user may not do this (a rule of the rule book said no).

    `refusal` (a `quitodecide.rulebook.Refusal`, when the rule book raised it) says why in
    words for the person and what they can do about it. It is also Django's
    PermissionDenied: one that no view caught becomes the 403 page with that reason
    (`quitodecide.views.permission_denied`), never a 500."""

    def __init__(self, message, *, refusal=None):
        super().__init__(message)
        self.refusal = refusal
