"""What a staff save changed, for its audit entry: the values of the audited fields before
and after, JSON-safe. Shared by the services that audit record edits (council, training,
surveys, actors)."""

import datetime


def plain(value):
    """A JSON-safe form of a field's value (dates as ISO strings, Decimal as text)."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(instance, fields) -> dict:
    """The values of `fields` ("commission_id" for a foreign key); {} for a new instance."""
    if instance is None or instance.pk is None:
        return {}
    return {field: plain(getattr(instance, field)) for field in fields}


def changes(before: dict, instance, fields, *, hidden=frozenset()) -> dict:
    """{field: [old, new]} for each field whose value changed, every field when `before` is
    empty (a new record: old is None). Fields in `hidden` (personal data) say only that
    they changed: {field: True}, never their values."""
    after = snapshot(instance, fields)
    changed = {}
    for field in fields:
        if field in before and before[field] == after[field]:
            continue
        changed[field] = True if field in hidden else [before.get(field), after[field]]
    return changed
