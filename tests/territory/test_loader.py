"""The territory loader: counts, idempotence, and respect for staff decisions."""

from django.contrib.auth.models import Group
from django.core.management import call_command

from territory.models import Parish, Zone, ZonePage
from territory.services import territory_load


def test_loads_the_real_territory(territory):
    assert Zone.objects.count() == 10
    assert Parish.objects.count() == 65
    assert Parish.objects.filter(type=Parish.Type.URBAN).count() == 32
    assert Parish.objects.filter(type=Parish.Type.RURAL).count() == 33
    assert set(Zone.objects.values_list("slug", flat=True)) >= {"choco-andino", "la-mariscal"}
    choco = Zone.objects.get(slug="choco-andino")
    assert set(choco.parishes.values_list("name", flat=True)) == {
        "Calacalí",
        "Gualea",
        "Nanegal",
        "Nanegalito",
        "Nono",
        "Pacto",
    }
    assert choco.since.isoformat() == "2024-04-01"
    centro = Parish.objects.get(dpa_code="170103")
    assert (centro.name, centro.zone.slug, centro.confidence) == (
        "Centro Histórico",
        "manuela-saenz",
        "confirmed",
    )
    nono = Parish.objects.get(name="Nono")
    assert nono.lat is not None and nono.lon is not None


def test_creates_ten_zone_pages_and_groups(territory):
    assert ZonePage.objects.count() == 10
    assert ZonePage.objects.get(zone__slug="calderon").url == "/zonas/calderon/"
    assert Group.objects.filter(name__startswith="Editores zona").count() == 10


def test_running_twice_changes_nothing(territory):
    snapshot = (
        list(Zone.objects.values().order_by("pk")),
        list(Parish.objects.values().order_by("pk")),
        ZonePage.objects.count(),
        Group.objects.count(),
    )
    report = territory_load()
    assert not report.changed
    assert snapshot == (
        list(Zone.objects.values().order_by("pk")),
        list(Parish.objects.values().order_by("pk")),
        ZonePage.objects.count(),
        Group.objects.count(),
    )


def test_command_reports_up_to_date_on_second_run(territory, capsys):
    call_command("load_territory")
    assert "already up to date" in capsys.readouterr().out


def test_a_parish_moved_by_staff_stays_moved(territory):
    guayllabamba = Parish.objects.get(name="Guayllabamba")
    calderon = Zone.objects.get(slug="calderon")
    assert guayllabamba.zone != calderon
    guayllabamba.zone = calderon
    guayllabamba.save()
    territory_load()
    guayllabamba.refresh_from_db()
    assert guayllabamba.zone == calderon


def test_a_corrected_name_in_the_data_updates_the_row(territory):
    Parish.objects.filter(dpa_code="170103").update(name="Centro")
    report = territory_load()
    assert report.updated == {"parishes": 1}
    assert Parish.objects.get(dpa_code="170103").name == "Centro Histórico"
