"""Builders for the verification tests, and the scan for clear cédulas that any test can
reuse: `assert_no_clear_cedula(values, texts=...)`."""

import csv
import io

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection, models

from quitodecide.mfa import mark_user
from territory.models import Parish, Zone
from territory.services import CITY_GROUP_NAME, zone_group_name
from tests.factories import ResidentFactory, UserFactory, valid_cedula


def cedulas(count: int, start: int = 0) -> list[str]:
    """`count` distinct well-formed cédulas (province 17)."""
    return [valid_cedula(f"17{start + i:07d}") for i in range(count)]


def zone_staff(slug: str = "calderon", *, mfa: bool = True):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug=slug))))
    mark_user(user, mfa)
    return user


def city_staff(*, mfa: bool = True):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    mark_user(user, mfa)
    return user


def parish(slug: str = "calderon", index: int = 0) -> Parish:
    return Parish.objects.filter(zone__slug=slug).order_by("name")[index]


def resident_in(slug: str = "calderon", index: int = 0, **kwargs):
    home = parish(slug, index)
    return ResidentFactory(zone=home.zone, parish=home, **kwargs)


def census_csv(rows, header=("cedula", "fecha_nacimiento"), delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _model_texts():
    """Every value of every CharField, TextField and JSONField of every model."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        if not names:
            continue
        for row in model._base_manager.values_list(*names):
            for value in row:
                if value not in (None, ""):
                    yield f"{model._meta.label}", str(value)


def _column_hits(value: str) -> list[str]:
    """Every column of every table (models or not: sessions, tasks) holding `value`."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                    f"WHERE CAST({connection.ops.quote_name(column.name)} AS TEXT) LIKE %s",
                    [f"%{value}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column.name}")
    return hits


def assert_no_clear_cedula(values, *, texts=()) -> None:
    """No clear cédula of `values` in any text column of any model, in any column of any
    table, nor in `texts` (captured logs, e-mails, responses that must not hold them)."""
    numbers = [str(value) for value in values]
    assert numbers, "give the cédulas to look for"
    found = [
        f"{label}: {number}"
        for label, text in _model_texts()
        for number in numbers
        if number in text
    ]
    assert not found, f"clear cédula in the database: {found}"
    for number in numbers:
        hits = _column_hits(number)
        assert not hits, f"clear cédula {number} in {hits}"
    for text in texts:
        for number in numbers:
            assert number not in str(text), "clear cédula in a log or message"
