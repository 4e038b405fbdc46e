"""Results anyone can recompute: a cycle's recount bundle (ZIP) holds the anonymised ballots,
the assembly tallies with their actas' SHA-256, the envelopes, the rule and its version and
the published results; `manage.py recount_cycle` recomputes them from the bundle alone."""

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import Resident
from budgets import bundle, services
from budgets.models import AssemblyTally, Ballot, BudgetCyclePage, ResultLine
from budgets.results import RULE_VERSION
from quitodecide import exports
from tests.budgets.builders import make_cycle, make_request, make_staff, set_phase

pytestmark = pytest.mark.django_db


# --- helpers --------------------------------------------------------------------------------
def demo_cycles() -> dict[str, BudgetCyclePage]:
    """The two demo cycles with published results (Calderón: parish envelopes, an assembly
    tally with its acta, knapsack rule; Tumbaco: one ballot for the zone, approval rule)."""
    call_command("load_demo_budgets", verbosity=0)
    published = BudgetCyclePage.objects.filter(results__isnull=False).distinct()
    return {cycle.zone.slug: cycle for cycle in published}


def bundle_url(cycle) -> str:
    return cycle.url + cycle.reverse_subpage("results_bundle")


def download(client, cycle):
    response = client.get(bundle_url(cycle))
    assert response.status_code == 200, response.content[:200]
    return response


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
    """`files` with one CSV member's rows passed through `change` (a tampering)."""
    rows = csv_rows(files[name])
    header = list(rows[0]) if rows else bundle.CSV_MEMBERS[name]
    change(rows)
    return files | {name: exports.csv_bytes(header, [[row[c] for c in header] for row in rows])}


def recount(path) -> str:
    out = io.StringIO()
    call_command("recount_cycle", str(path), stdout=out)
    return out.getvalue()


def refused(path) -> CommandError:
    with pytest.raises(CommandError) as error:
        call_command("recount_cycle", str(path), stdout=io.StringIO())
    return error.value


def write(tmp_path, content: bytes, name="recuento.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# --- the demo recounts and matches --------------------------------------------------------------
def test_the_demo_cycles_recount_to_their_published_results(
    client, tmp_path, django_assert_num_queries
):
    cycles = demo_cycles()
    for slug, cycle in cycles.items():
        path = write(tmp_path, download(client, cycle).content, f"{slug}.zip")
        with django_assert_num_queries(0):  # from the bundle alone
            output = recount(path)
        for result in cycle.results.select_related("parish"):
            name = result.parish.name if result.parish else cycle.zone.name
            assert name in output
    # Both rules and both kinds of scope went through: Calderón's parish envelopes and
    # assembly votes, Tumbaco's single zone-wide ballot.
    assert cycles["calderon"].envelopes.count() == 2
    assert ResultLine.objects.filter(result__cycle=cycles["calderon"], assembly_votes__gt=0)
    assert cycles["tumbaco"].ballot_rule == "approval" and not cycles["tumbaco"].envelopes.exists()


def test_the_recount_uses_the_bundle_not_the_database(client, tmp_path):
    """Once downloaded, the bundle is checked against itself: deleting the cycle's ballots
    does not change the answer (and a bundle taken after would not match)."""
    cycle = demo_cycles()["tumbaco"]
    path = write(tmp_path, download(client, cycle).content)
    Ballot.objects.filter(cycle=cycle).delete()
    recount(path)  # still matches: no CommandError
    later = write(tmp_path, download(client, cycle).content, "later.zip")
    assert refused(later).returncode == 1


# --- tampering is caught -----------------------------------------------------------------------
def test_changing_one_online_vote_is_reported_as_a_mismatch(client, tmp_path):
    cycle = demo_cycles()["tumbaco"]
    files = members(download(client, cycle).content)
    projects = [row["request_id"] for row in csv_rows(files[bundle.PROJECTS])]
    moved = {}

    def move_one_vote(rows):
        # The first ballot line now chooses another project, not on that ballot yet.
        row = rows[0]
        taken = {r["request_id"] for r in rows if r["ballot"] == row["ballot"]}
        moved["from"], row["request_id"] = (
            row["request_id"],
            next(p for p in projects if p not in taken),
        )
        moved["to"] = row["request_id"]

    path = write(tmp_path, rezip(rewrite(files, bundle.BALLOTS, move_one_vote)))
    error = refused(path)
    assert error.returncode == 1
    report = bundle.recount(bundle.read(path.read_bytes()))
    online = {
        d.reference: (d.published, d.recounted)
        for d in report.differences
        if d.what == "online_votes"
    }
    loser, winner = (bundle.reference(int(moved[k])) for k in ("from", "to"))
    assert online[loser][1] == online[loser][0] - 1
    assert online[winner][1] == online[winner][0] + 1


def test_a_mismatch_lists_the_projects_whose_votes_differ(client, tmp_path, capsys):
    cycle = demo_cycles()["calderon"]
    files = members(download(client, cycle).content)
    tally_line = csv_rows(files[bundle.TALLY_LINES])[0]

    def one_more_assembly_vote(rows):
        rows[0]["votes"] = str(int(rows[0]["votes"]) + 1)

    tampered = rewrite(files, bundle.TALLY_LINES, one_more_assembly_vote)
    path = write(tmp_path, rezip(tampered))
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("recount_cycle", str(path), stdout=out)
    assert error.value.returncode == 1
    report = bundle.recount(bundle.read(path.read_bytes()))
    reference = tally_line["reference"]
    differing = {(d.reference, d.what) for d in report.differences}
    assert (reference, "assembly_votes") in differing and (reference, "votes") in differing
    assert reference in out.getvalue()


def test_a_changed_envelope_or_cost_is_a_mismatch_too(client, tmp_path):
    cycle = demo_cycles()["calderon"]
    files = members(download(client, cycle).content)

    def smaller_envelope(rows):
        rows[0]["envelope_usd"] = "1000.00"

    def cheaper_project(rows):
        rows[0]["cost_usd"] = str(Decimal(rows[0]["cost_usd"]) - 1)

    for name, change in ((bundle.ENVELOPES, smaller_envelope), (bundle.PROJECTS, cheaper_project)):
        error = refused(write(tmp_path, rezip(rewrite(files, name, change)), f"{name}.zip"))
        assert error.returncode == 1, name


# --- unreadable bundles: exit 2 with a message, never a traceback --------------------------------
def test_an_unreadable_bundle_exits_2_with_a_message(client, tmp_path):
    assert refused(write(tmp_path, b"not a zip at all", "x.zip")).returncode == 2
    assert refused(tmp_path / "missing.zip").returncode == 2
    incomplete = rezip({"leeme.txt": b"hola"})
    error = refused(write(tmp_path, incomplete, "incomplete.zip"))
    assert error.returncode == 2 and bundle.RULE in str(error)

    files = members(download(client, demo_cycles()["tumbaco"]).content)
    rule = json.loads(files[bundle.RULE]) | {"rule_version": "999"}
    other_rule = files | {bundle.RULE: json.dumps(rule).encode()}
    error = refused(write(tmp_path, rezip(other_rule), "rule.zip"))
    assert error.returncode == 2 and "999" in str(error)
    unknown = json.loads(files[bundle.RULE]) | {"ballot_rule": "evil"}
    unknown_rule = files | {bundle.RULE: json.dumps(unknown).encode()}
    error = refused(write(tmp_path, rezip(unknown_rule), "unknown.zip"))
    assert error.returncode == 2 and "evil" in str(error)

    def garble(rows):
        rows[0]["request_id"] = "doce"

    error = refused(write(tmp_path, rezip(rewrite(files, bundle.BALLOTS, garble)), "bad.zip"))
    assert error.returncode == 2 and bundle.BALLOTS in str(error) and "doce" in str(error)
    not_utf8 = files | {bundle.RESULTS: b"\xff\xfe\x00garbage"}
    assert refused(write(tmp_path, rezip(not_utf8), "utf.zip")).returncode == 2


def test_the_command_run_from_the_shell_exits_with_its_codes_and_no_traceback(client, tmp_path):
    good = write(tmp_path, download(client, demo_cycles()["tumbaco"]).content, "good.zip")
    bad = write(tmp_path, b"PK\x03\x04 truncated", "bad.zip")
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "quitodecide.settings.test"}
    manage = str(Path(settings.BASE_DIR) / "manage.py")

    def run(path):
        return subprocess.run(  # noqa: S603 (our own manage.py, a file we wrote)
            [sys.executable, manage, "recount_cycle", str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    matched = run(good)
    assert matched.returncode == 0, matched.stderr
    assert "Tumbaco" in matched.stdout
    broken = run(bad)
    assert broken.returncode == 2
    assert broken.stderr.strip() and "Traceback" not in broken.stderr + broken.stdout


# --- what the bundle holds -----------------------------------------------------------------------
def test_the_bundle_holds_no_personal_data(client):
    cycles = demo_cycles()
    residents = list(Resident.objects.select_related("user"))
    for number, resident in enumerate(residents):
        resident.cedula_hash = hashlib.sha256(f"cedula-{number}".encode()).hexdigest()
        resident.display_name = f"Vecina Reservada {number}"
    Resident.objects.bulk_update(residents, ["cedula_hash", "display_name"])
    secrets = {r.user.email for r in residents} | {r.cedula_hash for r in residents}
    secrets |= {r.display_name for r in residents}
    for cycle in cycles.values():
        files = members(download(client, cycle).content)
        text = "\n".join(content.decode("utf-8") for content in files.values())
        assert [s for s in secrets if s in text] == []
        assert "@" not in text
        # Only the declared columns: nothing about residents, voters or staff.
        personal = re.compile(r"resident|user|voter|author|email|cedula|recorded|computed_by")
        for name, header in bundle.CSV_MEMBERS.items():
            text = files[name].decode("utf-8").removeprefix(exports.BOM)
            assert next(csv.reader(io.StringIO(text))) == header
            assert not personal.search(",".join(header))
        # Ballots are numbered 1..N for this file; each keeps its choices, no more.
        lines = csv_rows(files[bundle.BALLOTS])
        numbers = {int(row["ballot"]) for row in lines}
        assert numbers == set(range(1, len(numbers) + 1))
        ours = Counter(
            frozenset(int(r["request_id"]) for r in lines if r["ballot"] == str(n)) for n in numbers
        )
        stored = Counter(
            frozenset(ballot.lines.values_list("request_id", flat=True))
            for ballot in Ballot.objects.filter(cycle=cycle).prefetch_related("lines")
            if ballot.lines.exists()
        )
        assert ours == stored


def test_the_actas_sha256_is_the_stored_files(client):
    cycle = demo_cycles()["calderon"]
    files = members(download(client, cycle).content)
    rows = csv_rows(files[bundle.ACTAS])
    tallies = list(AssemblyTally.objects.filter(cycle=cycle).select_related("parish"))
    assert len(rows) == len(tallies) == 1
    for tally, row in zip(tallies, rows, strict=True):
        with tally.acta.open("rb") as handle:
            stored = handle.read()
        assert row["parish"] == tally.parish.name
        assert row["acta_sha256"] == hashlib.sha256(stored).hexdigest()
        assert int(row["acta_bytes"]) == len(stored)
        assert row["held_on"] == tally.held_on.isoformat()
        assert int(row["attendees"]) == tally.attendees
    tally_lines = csv_rows(files[bundle.TALLY_LINES])
    assert {(int(r["request_id"]), int(r["votes"])) for r in tally_lines} == {
        (line.request_id, line.votes) for line in tallies[0].lines.all()
    }


def test_the_rule_and_its_version_are_in_the_bundle(client):
    cycles = demo_cycles()
    files = members(download(client, cycles["tumbaco"]).content)
    rule = json.loads(files[bundle.RULE])
    assert rule["rule_version"] == RULE_VERSION
    assert (rule["ballot_rule"], rule["max_choices"]) == ("approval", 3)
    assert Decimal(rule["total_amount_usd"]) == cycles["tumbaco"].total_amount
    assert rule["min_votes"] == 1
    readme = files[bundle.README].decode("utf-8")
    assert "recount_cycle" in readme and bundle.BALLOTS in readme
    envelopes = csv_rows(members(download(client, cycles["calderon"]).content)[bundle.ENVELOPES])
    assert {Decimal(row["envelope_usd"]) for row in envelopes} == set(
        cycles["calderon"].envelopes.values_list("amount", flat=True)
    )


# --- the download ----------------------------------------------------------------------------
def test_the_download_goes_through_exports_as_a_zip(client):
    cycle = demo_cycles()["calderon"]
    response = download(client, cycle)
    assert response.export == "budgets.recount" and response.export_format == "zip"
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="recuento-calderon-2026.zip"'
    assert exports.registry()["budgets.recount"].formats == ("zip",)


def test_no_bundle_before_results_are_published(client):
    cycle = make_cycle("calderon", phase="results")
    make_request(cycle)
    assert client.get(bundle_url(cycle)).status_code == 404
    page = client.get(cycle.url + "resultados/").content.decode()
    assert bundle_url(cycle) not in page


def test_withdrawn_results_take_the_bundle_down(client):
    cycle = set_phase(make_cycle("calderon", phase="prioritisation"), "results")
    make_request(cycle)
    staff = make_staff("calderon")
    services.results_publish(cycle=cycle, actor=staff)
    assert client.get(bundle_url(cycle)).status_code == 200
    services.results_withdraw(cycle=cycle, actor=staff, confirm=True, reason="Acta tardía")
    assert client.get(bundle_url(cycle)).status_code == 404


def test_the_results_page_says_how_to_verify_and_links_the_bundle(client):
    cycle = demo_cycles()["calderon"]
    page = client.get(cycle.url + "resultados/").content.decode()
    assert 'id="verify-title"' in page
    assert f'href="{bundle_url(cycle)}"' in page
    assert "recount_cycle recuento-calderon-2026.zip" in page


# --- zip_response keeps the module's rules ---------------------------------------------------
def test_zip_members_must_be_safe_names_and_csv_from_the_safe_writer():
    export = exports.registry()["budgets.recount"]
    ok = {"datos.csv": exports.csv_bytes(["a"], [["=1+1"]]), "x.json": exports.json_bytes({})}
    response = exports.zip_response(export, filename="r", files=ok)
    assert members(response.content)["datos.csv"].decode().endswith('"\'=1+1"\r\n')
    for name in ("../evil.csv", "a/b.csv", "Espacio .txt", "x.exe"):
        with pytest.raises(ValueError):
            exports.zip_response(export, filename="r", files={name: b"x"})
    with pytest.raises(ValueError):  # a CSV written by hand, formula and all
        exports.zip_response(export, filename="r", files={"a.csv": b"\xef\xbb\xbf=1+1\r\n"})
    with pytest.raises(ValueError):
        exports.zip_response(export, filename="r", files={"a.csv": b"a\r\n"})  # no BOM
    csv_only = exports.registry()["budgets.results"]
    with pytest.raises(Exception, match="not declared for zip"):
        exports.zip_response(csv_only, filename="r", files=ok)


# --- for tests/test_exports.py's EXERCISERS --------------------------------------------------
def exercise_budget_recount(client):
    """Residents' formulas typed as project titles reach the bundle's CSV members escaped
    (the JSON member keeps text as typed), and the bundle still recounts."""
    from tests.test_exports import CORPUS, assert_corpus_escaped, assert_formula_safe

    cycle = make_cycle("calderon", total=Decimal("1000000.00"), phase="results")
    for formula in CORPUS:
        make_request(cycle, title=formula, cost=Decimal("1000.00"))
    services.results_publish(cycle=cycle, actor=make_staff("calderon"))
    response = client.get(bundle_url(cycle))
    files = members(response.content)
    numeric = {
        "request_id", "rank", "online_votes", "assembly_votes", "votes", "cost_usd",
        "envelope_left_usd", "envelope_usd", "selected_total_usd", "ballot", "attendees",
        "acta_bytes", "population", "unmet_needs_pct", "density", "infrastructure_needs",
    }  # fmt: skip
    for name in bundle.CSV_MEMBERS:
        text = files[name].decode("utf-8")
        assert text.startswith(exports.BOM)
        rows = list(csv.reader(io.StringIO(text.removeprefix(exports.BOM), newline="")))
        assert_formula_safe(rows, numeric_columns=numeric)
    for name in (bundle.PROJECTS, bundle.RESULTS):
        text = files[name].decode("utf-8").removeprefix(exports.BOM)
        assert_corpus_escaped(list(csv.reader(io.StringIO(text, newline=""))))
    assert bundle.recount(bundle.read(response.content)).matches
    return [response]


def test_the_exerciser_runs_the_corpus_through_the_bundle(client):
    [response] = exercise_budget_recount(client)
    assert response.export == "budgets.recount" and response.export_format == "zip"
