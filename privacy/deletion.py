"""Stub: replaced by its owner."""


def page_context(user) -> dict:
    return {}
