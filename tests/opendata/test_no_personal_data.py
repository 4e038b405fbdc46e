"""No personal data leaves: with the whole demo loaded (territory, home, consultations,
budgets, assemblies, works), every API response and every download of the dataset
catalogue is collected and searched for e-mail addresses, user ids, cédula hashes, the names
of residents who chose not to show theirs, the names of committee members who did not
consent to their publication, and committee members' phones and e-mails.

The demo has committee members without consent but no resident without a public name and
no cédula on file, so on top of it some residents who took part (comments, requests,
observations, assembly questions) choose to hide their name, and some register a cédula,
through the accounts service, as a resident would from their profile. Their real names are
given to their accounts first, so that a leak of the account's name would be seen.

The API is discovered from its OpenAPI document: every GET path, its path parameters filled
from the list it hangs from, list pages followed with the largest page size it allows."""

import csv
import io
import json
import re
import zipfile
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import JsonResponse

from accounts import services as account_services
from accounts.cedula import check_digit
from accounts.models import Resident
from opendata import registry
from quitodecide import exports
from territory.models import ZonePage
from works.models import CommitteeMember

pytestmark = pytest.mark.django_db

DEMOS = (
    "load_demo",
    "load_demo_consultations",
    "load_demo_budgets",
    "load_demo_assemblies",
    "load_demo_works",
    "load_demo_council",  # the law-making demo, the council, empty-seat applications
    "load_demo_actors",  # the map of social actors (contacts: some public, most not)
    "load_demo_surveys",  # standalone surveys with answers
    "load_demo_training",  # plans, sessions, registrations, attendance, evaluations
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Keys whose value, in a JSON response or a CSV column, would be a user account.
USER_KEYS = {
    "author",
    "user",
    "user_id",
    "author_id",
    "uploaded_by",
    "created_by",
    "recorded_by",
    "decided_by",
    "verified_by",
    "moderated_by",
    "computed_by",
}
# Registered exports that no public dataset serves, and why.
NOT_IN_CATALOGUE = {
    "works.import_template": "the staff's blank spreadsheet for importing works",
    "privacy.my_data": "one person's own data, only for them (tests/privacy/test_export.py)",
    "actors.import_template": "the staff's blank spreadsheet for importing social actors",
    "surveys.responses": "one survey's raw answers, for its zone's staff only",
    "surveys.results": "one survey's aggregated results, offered on its results page",
    "training.certificate": "one person's attendance certificate (PDF), for its holder",
}
PAGES_FOLLOWED = 3
ITEMS_PER_LIST = 80


def words(text: str) -> re.Pattern:
    """`text` as a whole word (not inside a longer name or number)."""
    return re.compile(rf"(?<![\w@.+-]){re.escape(text)}(?![\w-])", re.IGNORECASE)


# --- the demo, and people who chose privacy ---------------------------------------------------
def load_demo() -> None:
    for command in DEMOS:
        call_command(command, verbosity=0)


def participants() -> list[Resident]:
    """Residents who left a trace somewhere public (comments, requests, observations,
    assembly questions and votes), in a fixed order."""
    from django.apps import apps

    user_ids = set()
    for model, field in (
        ("discussions.Comment", "author_id"),
        ("proposals.Request", "author_id"),
        ("assemblies.Question", "author_id"),
        ("assemblies.Ballot", "voter_id"),
    ):
        queryset = apps.get_model(model).objects.exclude(**{field: None})
        user_ids.update(queryset.values_list(field, flat=True))
    residents = Resident.objects.filter(user_id__in=user_ids).select_related("user")
    return list(residents.order_by("pk"))


def hide_and_register(people: list[Resident]) -> tuple[list[Resident], list[str]]:
    """Every other participant hides their public name (after their account gets a real
    name); every third registers a cédula. Returns the hidden ones and the hashes."""
    hidden = people[::2]
    for number, resident in enumerate(people):
        # (Residents who voted or are verified already have one, frozen as their voter key.)
        if number % 3 == 0 and not resident.cedula_hash:
            first_nine = f"170{number:06d}"
            account_services.resident_update_profile(
                resident=resident,
                display_name=resident.display_name,
                zone=resident.zone,
                parish=resident.parish,
                cedula=f"{first_nine}{check_digit(first_nine)}",
            )
    for number, resident in enumerate(hidden):
        user = resident.user
        user.first_name, user.last_name = f"Eufrosina{number:02d}", f"Quilumbaquín{number:02d}"
        user.save(update_fields=["first_name", "last_name"])
        account_services.resident_update_profile(
            resident=resident, display_name="", zone=resident.zone, parish=resident.parish
        )
    hashes = list(Resident.objects.exclude(cedula_hash=None).values_list("cedula_hash", flat=True))
    return hidden, hashes


def census_and_booths() -> list[str]:
    """City staff upload a census file and zone staff register people at a booth of the
    demo cycle that is voting: their hashes and voter keys join the needles, and the clear
    numbers too (none may be anywhere). Returns the clear numbers used."""
    import datetime

    from django.core.exceptions import ValidationError

    from budgets import services as budget_services
    from budgets.models import BudgetCyclePage
    from proposals.models import Request
    from quitodecide import rulebook
    from quitodecide.errors import DomainError, PermissionDenied
    from territory.models import Zone
    from tests.budgets.builders import make_staff
    from tests.verification.helpers import census_csv, city_staff
    from verification import services as verification_services

    numbers = [
        f"{first_nine}{check_digit(first_nine)}" for first_nine in ("171717171", "172727272")
    ]
    births = [datetime.date(1980, 1, 2), datetime.date(1991, 3, 4)]
    rows = [(n, born.strftime("%d/%m/%Y")) for n, born in zip(numbers, births, strict=True)]
    batch, report = verification_services.census_upload(
        actor=city_staff(),
        zone=Zone.objects.get(slug="calderon"),
        label="Padrón",
        content=census_csv(rows),
    )
    assert batch is not None, report
    booth_numbers = [f"{n}{check_digit(n)}" for n in ("173737373", "174747474")]
    cast = 0
    # The rule book says which demo cycle a booth may take votes in (the one voting).
    for cycle in BudgetCyclePage.objects.live().select_related("zone").order_by("pk"):
        staff = make_staff(cycle.zone.slug)
        if not rulebook.allowed(staff, "budgets.booth_vote", cycle):
            continue
        for number in booth_numbers:
            for item in Request.objects.filter(cycle=cycle).order_by("estimated_cost"):
                try:
                    budget_services.booth_vote(
                        cycle=cycle,
                        actor=staff,
                        cedula=number,
                        request_ids=[item.pk],
                        booth="Mesa 1",
                    )
                except (DomainError, PermissionDenied, ValidationError):
                    continue
                cast += 1
                break
        if cast:
            break
    assert cast, "the demo has a cycle voting, where a booth takes votes"
    return numbers + booth_numbers


def needles() -> dict[str, list[tuple[str, re.Pattern]]]:
    """What must never appear, by kind; each needle with a pattern that finds it."""
    from budgets.models import Ballot
    from verification.models import CensusEntry

    hidden, hashes = hide_and_register(participants())
    clear = census_and_booths()
    hashes += [
        h
        for pair in CensusEntry.objects.values_list("cedula_hash", "birth_hash")
        for h in pair
        if h
    ]
    hashes += list(Ballot.objects.exclude(voter_key=None).values_list("voter_key", flat=True))
    found: dict[str, list] = {
        "cédula hash": [],
        "hidden name": [],
        "committee": [],
        "clear cédula": [],
    }
    for digest in hashes:
        found["cédula hash"].append((digest, re.compile(re.escape(digest), re.IGNORECASE)))
    for number in clear:
        found["clear cédula"].append((number, re.compile(rf"(?<!\d){number}(?!\d)")))
    for resident in hidden:
        user = resident.user
        for text in (user.first_name, user.last_name, user.email.split("@")[0]):
            found["hidden name"].append((text, words(text)))
    shown = {
        name.casefold()
        for name in CommitteeMember.objects.filter(consents_to_publish_name=True).values_list(
            "display_name", flat=True
        )
    } | {name.casefold() for name in Resident.objects.values_list("display_name", flat=True)}
    for member in CommitteeMember.objects.all():
        if not member.consents_to_publish_name and member.display_name.casefold() not in shown:
            found["committee"].append((member.display_name, words(member.display_name)))
        if member.phone:
            found["committee"].append((member.phone, re.compile(rf"(?<!\d){member.phone}(?!\d)")))
        if member.email:
            found["committee"].append((member.email, re.compile(re.escape(member.email), re.I)))
    return found


# --- what a response may not hold -------------------------------------------------------------
class Scanner:
    def __init__(self):
        users = get_user_model().objects.values_list("pk", "email")
        self.user_ids = {pk for pk, _email in users}
        self.user_emails = {email.casefold() for _pk, email in users}
        # Public office addresses of the zonal administrations are not personal data.
        self.allowed_emails = {
            e.casefold() for e in ZonePage.objects.exclude(email="").values_list("email", flat=True)
        }
        self.needles = needles()
        self.problems: list[str] = []
        self.scanned = 0

    def _user_value(self, value) -> bool:
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value) in self.user_ids
        if isinstance(value, dict):
            return any(self._user_value(value.get(key)) for key in ("id", "pk"))
        return False

    def _json(self, where: str, value, key: str | None = None) -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                self._json(where, item, name)
        elif isinstance(value, list):
            for item in value:
                self._json(where, item, key)
        elif isinstance(value, str) and value.casefold() in self.user_emails:
            self.problems.append(f"{where}: a user's e-mail under {key!r}")
        if key is not None and key.lower() in USER_KEYS and self._user_value(value):
            self.problems.append(f"{where}: a user id under {key!r}: {value!r}")

    def _csv(self, where: str, text: str) -> None:
        rows = list(csv.reader(io.StringIO(text.removeprefix(exports.BOM), newline="")))
        if not rows:
            return
        header = rows[0]
        for row in rows[1:]:
            for column, cell in zip(header, row, strict=False):
                if column.lower() in USER_KEYS and self._user_value(cell):
                    self.problems.append(f"{where}: a user id in column {column!r}: {cell!r}")

    def _text(self, where: str, text: str) -> None:
        for address in EMAIL.findall(text):
            if address.casefold() not in self.allowed_emails:
                self.problems.append(f"{where}: an e-mail address {address!r}")
        for kind, items in self.needles.items():
            for needle, pattern in items:
                if pattern.search(text):
                    self.problems.append(f"{where}: {kind} {needle!r}")

    def scan(self, where: str, response) -> None:
        assert response.status_code == 200, (where, response.status_code, response.content[:300])
        content = response.content
        if content.startswith(b"PK\x03\x04"):  # a ZIP bundle: every member
            with zipfile.ZipFile(io.BytesIO(content)) as bundle:
                for name in bundle.namelist():
                    self._member(f"{where}!{name}", name, bundle.read(name))
        else:
            self._member(where, urlsplit(where).path, content, response["Content-Type"])
        self.scanned += 1

    def _member(self, where: str, name: str, content: bytes, content_type: str = "") -> None:
        text = content.decode("utf-8")
        self._text(where, text)
        if "json" in content_type or name.endswith(".json"):
            self._json(where, json.loads(text))
        elif "csv" in content_type or name.endswith(".csv"):
            self._csv(where, text)


@pytest.fixture
def scanner(territory):
    load_demo()
    scanner = Scanner()
    sizes = {kind: len(items) for kind, items in scanner.needles.items()}
    # Not vacuous: the demo (plus the choices above) has people whose data must not leave.
    assert sizes["cédula hash"] >= 3 and sizes["hidden name"] >= 9, sizes
    assert sizes["clear cédula"] == 4, sizes  # two in the census, two at a booth
    assert CommitteeMember.objects.filter(consents_to_publish_name=False).exists()
    assert sizes["committee"] > CommitteeMember.objects.count(), sizes
    return scanner


# --- downloads --------------------------------------------------------------------------------
def test_no_download_of_the_catalogue_carries_personal_data(client, scanner):
    reached = set()
    items = registry.datasets()
    assert {"obras-publicas", "parroquias", "zonas"} <= {item.slug for item in items}
    assert any(item.slug.startswith("presupuestos-") for item in items), "demo results"
    assert any(item.slug.startswith("consulta-") for item in items), "a closed consultation"
    for item in items:
        for distribution in item.distributions:
            url = distribution.url()
            parts = urlsplit(url)
            response = client.get(parts.path, query_string=parts.query)
            scanner.scan(url, response)
            reached.add(getattr(response, "export", None))
    assert scanner.problems == []
    assert scanner.scanned >= 10
    declared = {name for name in exports.registry() if not name.startswith("tests.")}
    unreached = declared - reached - set(NOT_IN_CATALOGUE)
    assert not unreached, f"exports no dataset of the catalogue offers: {sorted(unreached)}"


def test_the_scan_finds_what_it_looks_for(client, scanner):
    """The checks above would see a leak: a body with each kind of needle is reported."""

    user = get_user_model().objects.order_by("pk").first()
    for kind, items in scanner.needles.items():
        needle = items[0][0]
        scanner.problems = []
        scanner.scan(f"/fake/{kind}", JsonResponse({"text": f"Dijo {needle}, y se fue."}))
        assert scanner.problems, kind
    for key in ("author_id", "verified_by", "user"):
        scanner.problems = []
        scanner.scan("/fake/user", JsonResponse({"items": [{key: user.pk}]}))
        assert scanner.problems, key
    scanner.problems = []
    scanner.scan("/fake/plain", JsonResponse({"author": "Ana P.", "id": user.pk, "votes": user.pk}))
    assert scanner.problems == []


# --- the API ----------------------------------------------------------------------------------
def _results(data) -> list:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("results", "items", "data", "features"):
            if isinstance(data.get(key), list):
                return data[key]
    return []


def _value_for(param: str, item: dict):
    """The value of a path parameter read from an item of the list it hangs from."""
    candidates = [param]
    if param.endswith("_id"):
        candidates += ["id", "pk"]
    candidates += [param.split("_")[-1], "id", "slug", "code"]
    for key in candidates:
        value = item.get(key) if isinstance(item, dict) else None
        if value is not None and not isinstance(value, dict | list):
            return value
    return None


class Api:
    def __init__(self, client, scanner, document: dict):
        self.client, self.scanner = client, scanner
        self.paths = document["paths"]
        self.lists: dict[str, list] = {}
        self.addresses = 0

    def get(self, url: str):
        # Each request from its own address: the per-address rate limit is not under test.
        self.addresses += 1
        address = f"10.77.{self.addresses // 250}.{self.addresses % 250 + 1}"
        parts = urlsplit(url)
        response = self.client.get(parts.path, query_string=parts.query, REMOTE_ADDR=address)
        self.scanner.scan(url, response)
        return json.loads(response.content)

    def _max_page_size(self, template: str) -> int | None:
        operation = self.paths.get(template, {}).get("get", {})
        for param in operation.get("parameters", []):
            if param["name"] == "page_size" and param["in"] == "query":
                return param.get("schema", {}).get("maximum")
        return None

    def fetch(self, template: str, url: str) -> list:
        """The items a URL lists: its first page as it comes, then as many as a page holds,
        following a few pages. Every response is scanned."""
        if url not in self.lists:
            data = self.get(url)
            items = _results(data)
            size = self._max_page_size(template)
            if size and isinstance(data, dict) and data.get("next"):
                data = self.get(f"{url}?{urlencode({'page_size': size})}")
                items = _results(data)
                for _page in range(PAGES_FOLLOWED):
                    if not data.get("next"):
                        break
                    data = self.get(data["next"])
                    items += _results(data)
            self.lists[url] = items
        return self.lists[url]

    def expand(self, template: str) -> list[str]:
        """Concrete URLs of a templated path, each parameter filled from the items of the
        list it hangs from (`/works/{code}` from `/works`)."""
        prefixes, position = [""], 0
        for match in re.finditer(r"\{([^}]+)\}", template):
            literal = template[position : match.start()]
            parent_template = template[: match.start()].rstrip("/")
            filled = []
            for prefix in prefixes:
                parent = (prefix + literal).rstrip("/")
                items = self.fetch(parent_template, parent)[:ITEMS_PER_LIST]
                values = [_value_for(match.group(1), item) for item in items]
                values = [value for value in values if value is not None]
                assert values, f"nothing in {parent} fills {{{match.group(1)}}} of {template}"
                filled += [f"{prefix}{literal}{value}" for value in values]
            prefixes, position = filled, match.end()
        return [prefix + template[position:] for prefix in prefixes]


def test_no_api_response_carries_personal_data(client, scanner):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    paths = document.get("paths", {})
    gets = sorted(path for path, operations in paths.items() if "get" in operations)
    assert gets, "the OpenAPI document lists no GET path: the API is missing"
    api = Api(client, scanner, document)
    urls = 0
    for template in gets:
        for url in api.expand(template):
            api.fetch(template, url)
            urls += 1
    assert scanner.problems == []
    assert urls > len(gets), "path parameters were filled from the lists"
    assert scanner.scanned >= len(gets)
