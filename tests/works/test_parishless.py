"""A zone that holds no whole parish (La Mariscal) has works without a parish; every page
and download shows them, and zones with parishes still require one."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError

from territory.models import Zone
from tests.budgets.builders import make_staff
from tests.works.builders import make_work
from works import services

pytestmark = pytest.mark.django_db


def test_la_mariscal_works_need_no_parish_and_others_do(territory):
    mariscal = Zone.objects.get(slug="la-mariscal")
    assert not mariscal.parishes.exists()
    work = services.work_create(
        actor=make_staff("la-mariscal"), zone=mariscal, title="Aceras de la Foch", year=2026
    )
    assert work.parish is None
    calderon = Zone.objects.get(slug="calderon")
    with pytest.raises(ValidationError) as error:
        services.work_create(actor=make_staff("calderon"), zone=calderon, title="X", year=2026)
    assert "parish" in error.value.message_dict


def test_a_work_without_parish_is_listed_mapped_downloaded_and_shown(client, territory):
    work = make_work("la-mariscal", parish=None, title="Alumbrado de la plaza Foch")
    assert work.parish is None
    assert "Alumbrado de la plaza Foch" in client.get("/obras/").content.decode()
    assert client.get(f"/obras/{work.code}/").status_code == 200
    features = json.loads(client.get("/obras/geojson/").content)["features"]
    assert [f["properties"]["parish"] for f in features] == [None]
    response = client.get("/obras/csv/")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["code"], row["parish"]) for row in rows] == [(work.code, "")]
    assert client.get("/zonas/la-mariscal/").status_code == 200
