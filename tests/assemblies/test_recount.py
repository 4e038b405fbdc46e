"""Assembly votes anyone can recount: the recount bundle of an assembly holds the anonymised
online votes and the room's hand counts of its polls with published results; `manage.py
recount_poll` recomputes them from the bundle alone with the function the site shows results
with."""

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from assemblies import bundle, services, views
from assemblies.models import AssemblyPage, Ballot, Poll
from quitodecide import exports

from .conftest import make_assembly, verified_resident

pytestmark = pytest.mark.django_db


# --- helpers --------------------------------------------------------------------------------
def fetch(client, page):
    """The bundle download of `page`, through its route."""
    return client.get(views.bundle_url(page))


def download(client, page) -> bytes:
    response = fetch(client, page)
    assert response.status_code == 200
    return response.content


def members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csv_rows(data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    assert text.startswith(exports.BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(exports.BOM), newline="")))


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def rewrite(files, name, change) -> dict[str, bytes]:
    rows = csv_rows(files[name])
    header = bundle.CSV_MEMBERS[name]
    change(rows)
    return files | {name: exports.csv_bytes(header, [[row[c] for c in header] for row in rows])}


def write(tmp_path, content: bytes, name="recuento.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def recount(path) -> str:
    out = io.StringIO()
    call_command("recount_poll", str(path), stdout=out)
    return out.getvalue()


def refused(path) -> CommandError:
    with pytest.raises(CommandError) as error:
        call_command("recount_poll", str(path), stdout=io.StringIO())
    return error.value


@pytest.fixture
def held(assembly, staff, zone_page):
    """An assembly with three published votes (both, online only, room only), one closed
    but unpublished and one still open; five residents voted online."""
    services.assembly_start(assembly=assembly, actor=staff)
    voters = [verified_resident(zone_page) for _ in range(5)]

    def vote(question, mode, picks, room=None, publish=True):
        poll = services.poll_open(
            assembly=assembly,
            actor=staff,
            question=question,
            options=["Sí", "No", "Abstención"],
            mode=mode,
        )
        options = list(poll.options.all())
        for voter, pick in zip(voters, picks, strict=False):
            services.ballot_cast(poll=poll, voter=voter, option=options[pick])
        services.poll_close(poll=poll, actor=staff)
        if room is not None:
            counts = {option.pk: count for option, count in zip(options, room, strict=True)}
            services.poll_record_room_counts(poll=poll, actor=staff, counts=counts)
        if publish:
            services.poll_publish_results(poll=poll, actor=staff)
        return poll

    polls = {
        "both": vote("¿Aprueba el informe?", Poll.Mode.BOTH, [0, 0, 1, 2, 0], room=[40, 7, 3]),
        "online": vote("¿Prioriza el parque?", Poll.Mode.ONLINE, [1, 1, 0]),
        "room": vote("¿Nueva fecha?", Poll.Mode.ROOM, [], room=[12, 30, 0]),
        "unpublished": vote("¿Sin publicar?", Poll.Mode.ONLINE, [0, 1], publish=False),
    }
    polls["open"] = services.poll_open(
        assembly=assembly, actor=staff, question="¿Abierta?", options=["A", "B"], mode="online"
    )
    services.ballot_cast(poll=polls["open"], voter=voters[0], option=polls["open"].options.first())
    return AssemblyPage.objects.get(pk=assembly.pk), polls, voters


# --- recount matches ------------------------------------------------------------------------
def test_the_demo_assembly_recounts_to_its_published_votes(
    client, territory, tmp_path, django_assert_num_queries
):
    from assemblies.demo import load_demo_assemblies
    from home.demo import load_demo

    load_demo()
    load_demo_assemblies()
    published = Poll.objects.filter(results_published=True).select_related("assembly")
    assert published.exists()
    for page in {poll.assembly for poll in published}:
        path = write(tmp_path, download(client, page), f"{page.pk}.zip")
        with django_assert_num_queries(0):  # from the bundle alone
            output = recount(path)
        for poll in published.filter(assembly=page):
            assert poll.question in output
    llano = AssemblyPage.objects.get(slug="asamblea-parroquial-llano-chico-2026")
    rows = csv_rows(members(download(client, llano))[bundle.RESULTS])
    assert [(r["option"], r["online"], r["room"], r["total"]) for r in rows] == [
        ("Sí", "1", "61", "62"),
        ("No", "0", "15", "15"),
        ("Abstención", "0", "8", "8"),
    ]


def test_every_mode_recounts_and_only_published_votes_are_in(client, held, tmp_path):
    page, polls, _voters = held
    content = download(client, page)
    output = recount(write(tmp_path, content))
    files = members(content)
    listed = {int(row["poll"]) for row in csv_rows(files[bundle.POLLS])}
    assert listed == {polls[k].pk for k in ("both", "online", "room")}
    assert "¿Sin publicar?" not in output and "¿Abierta?" not in output
    totals = {
        (int(r["poll"]), r["option"]): (r["online"], r["room"], r["total"])
        for r in csv_rows(files[bundle.RESULTS])
    }
    assert totals[(polls["both"].pk, "Sí")] == ("3", "40", "43")
    assert totals[(polls["online"].pk, "No")] == ("2", "", "2")
    assert totals[(polls["room"].pk, "No")] == ("0", "30", "30")


# --- tampering ------------------------------------------------------------------------------
def test_changing_one_online_vote_is_a_mismatch(client, held, tmp_path):
    page, polls, _voters = held
    files = members(download(client, page))
    options = {
        row["option"]: row["option_id"]
        for row in csv_rows(files[bundle.OPTIONS])
        if int(row["poll"]) == polls["both"].pk
    }

    def yes_becomes_no(rows):
        row = next(r for r in rows if r["option_id"] == options["Sí"])
        row["option_id"], row["option"] = options["No"], "No"

    path = write(tmp_path, rezip(rewrite(files, bundle.VOTES, yes_becomes_no)))
    assert refused(path).returncode == 1
    report = bundle.recount(bundle.read(path.read_bytes()))
    online = {(d.option, d.what): (d.published, d.recounted) for d in report.differences}
    assert online[("Sí", "online")] == (3, 2) and online[("No", "online")] == (1, 2)
    assert online[("Sí", "total")] == (43, 42)


def test_changing_a_room_count_is_a_mismatch(client, held, tmp_path):
    page, polls, _voters = held
    files = members(download(client, page))

    def one_more_hand(rows):
        row = next(r for r in rows if int(r["poll"]) == polls["room"].pk)
        row["room_count"] = str(int(row["room_count"]) + 1)

    path = write(tmp_path, rezip(rewrite(files, bundle.OPTIONS, one_more_hand)))
    error = refused(path)
    assert error.returncode == 1
    report = bundle.recount(bundle.read(path.read_bytes()))
    assert {(d.poll, d.what) for d in report.differences} == {
        ("¿Nueva fecha?", "room"),
        ("¿Nueva fecha?", "total"),
    }


# --- unreadable ------------------------------------------------------------------------------
def test_an_unreadable_bundle_exits_2_with_a_message(client, held, tmp_path):
    page, _polls, _voters = held
    assert refused(write(tmp_path, b"no es un zip", "x.zip")).returncode == 2
    assert refused(tmp_path / "missing.zip").returncode == 2
    error = refused(write(tmp_path, rezip({"leeme.txt": b"hola"}), "empty.zip"))
    assert error.returncode == 2 and bundle.VOTES in str(error)
    files = members(download(client, page))
    rule = json.loads(files[bundle.RULE]) | {"rule_version": "7"}
    error = refused(write(tmp_path, rezip(files | {bundle.RULE: json.dumps(rule).encode()})))
    assert error.returncode == 2 and "7" in str(error)

    def bad_mode(rows):
        rows[0]["mode"] = "telepathy"

    error = refused(write(tmp_path, rezip(rewrite(files, bundle.POLLS, bad_mode)), "m.zip"))
    assert error.returncode == 2 and "telepathy" in str(error)


def test_the_command_from_the_shell_exits_2_without_a_traceback(tmp_path):
    bad = write(tmp_path, b"PK\x05\x06" + b"\x00" * 18, "bad.zip")
    result = subprocess.run(  # noqa: S603 (our own manage.py, a file we wrote)
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "recount_poll", str(bad)],
        capture_output=True,
        text=True,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "quitodecide.settings.test"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() and "Traceback" not in result.stderr + result.stdout


# --- content -------------------------------------------------------------------------------
def test_the_bundle_holds_no_personal_data(client, held):
    page, polls, voters = held
    files = members(download(client, page))
    text = "\n".join(content.decode("utf-8") for content in files.values())
    for voter in voters:
        assert voter.email not in text
        assert voter.resident.display_name not in text
    assert "@" not in text
    personal = re.compile(r"voter|user|resident|email|cast_at|cedula")
    for name, header in bundle.CSV_MEMBERS.items():
        first = next(csv.reader(io.StringIO(files[name].decode("utf-8").removeprefix(exports.BOM))))
        assert first == header and not personal.search(",".join(header))
    votes = csv_rows(files[bundle.VOTES])
    for key in ("both", "online"):
        poll = polls[key]
        numbers = [int(r["vote"]) for r in votes if int(r["poll"]) == poll.pk]
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        ours = Counter(int(r["option_id"]) for r in votes if int(r["poll"]) == poll.pk)
        assert ours == Counter(Ballot.objects.filter(poll=poll).values_list("option_id", flat=True))


def test_no_bundle_without_published_votes(client, zone_page, staff):
    page = make_assembly(zone_page, slug="sin-votos")
    assert fetch(client, page).status_code == 404
    html = client.get(page.url).content.decode()
    assert 'id="verify-title"' not in html


def test_the_download_goes_through_exports(client, held):
    page, _polls, _voters = held
    response = fetch(client, page)
    assert response.export == "assemblies.recount" and response.export_format == "zip"
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="recuento-asamblea-prueba.zip"'


def test_the_assembly_page_says_how_to_verify_its_votes(client, held):
    page, _polls, _voters = held
    html = client.get(page.url).content.decode()
    assert 'id="verify-title"' in html
    assert "recount_poll recuento-asamblea-prueba.zip" in html
    url = views.bundle_url(page)
    # The link appears with the route (AssemblyPage's `results_bundle`).
    assert (f'href="{url}"' in html) if url else ("download>" not in html)


# --- for tests/test_exports.py's EXERCISERS --------------------------------------------------
def exercise_assembly_recount(client):
    """Formulas typed as a vote's question and options reach the bundle's CSV members
    escaped, and the bundle still recounts."""
    from territory.models import ZonePage
    from tests.test_exports import CORPUS, assert_formula_safe

    from .conftest import staff_of

    zone_page = ZonePage.objects.get(zone__slug="calderon")
    staff = staff_of(zone_page)
    page = make_assembly(zone_page, slug="asamblea-formulas")
    services.assembly_start(assembly=page, actor=staff)
    for formula in CORPUS:
        poll = services.poll_open(
            assembly=page, actor=staff, question=formula, options=[formula, "No"], mode="room"
        )
        services.poll_close(poll=poll, actor=staff)
        counts = dict.fromkeys(poll.options.values_list("pk", flat=True), 1)
        services.poll_record_room_counts(poll=poll, actor=staff, counts=counts)
        services.poll_publish_results(poll=poll, actor=staff)
    response = fetch(client, AssemblyPage.objects.get(pk=page.pk))
    files = members(response.content)
    # As stored (the service trims a question's leading tab or line break): each is still
    # a formula, and reaches the CSV with its leading quote.
    typed = set(Poll.objects.filter(assembly=page).values_list("question", flat=True))
    assert len(typed) == len({text.strip() for text in CORPUS})
    numeric = {"poll", "option_id", "position", "room_count", "vote", "online", "room", "total"}
    for name in bundle.CSV_MEMBERS:
        text = files[name].decode("utf-8").removeprefix(exports.BOM)
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert_formula_safe(rows, numeric_columns=numeric)
        if name in (bundle.POLLS, bundle.OPTIONS, bundle.RESULTS):
            cells = {cell for row in rows for cell in row}
            assert {"'" + formula for formula in typed} <= cells, name
    assert bundle.recount(bundle.read(response.content)).matches
    return [response]


def test_the_exerciser_runs_the_corpus_through_the_bundle(client, territory):
    [response] = exercise_assembly_recount(client)
    assert response.export == "assemblies.recount"
