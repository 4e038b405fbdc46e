"""The open-data API's contract: the OpenAPI document against its committed snapshot, the
docs page, pagination bounds, filters, validators and 304, CORS, read-only methods, the
rate limit and JSON errors.

The snapshot (tests/opendata/openapi_snapshot.json) is the published contract of /api/v1/.
A change that removes or renames a path, a parameter or a field fails
`test_openapi_matches_the_snapshot`. When the change is intended (an addition, or a new
version), regenerate the snapshot and commit it with the change:

    UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/python -m pytest tests/opendata/test_api.py \
        -k snapshot -p no:cacheprovider

and say in the commit message what changed for the API's users.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils.http import http_date, parse_http_date
from django_ratelimit.core import _get_window

from opendata.api import api
from opendata.apikit import MAX_PAGE_SIZE
from territory.models import Parish, Zone
from tests.works.builders import make_work

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- the OpenAPI document ----------------------------------------------------------------
def test_openapi_matches_the_snapshot(client):
    document = get_json(client, "/api/v1/openapi.json")
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT"):
        SNAPSHOT.write_text(
            json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
            encoding="utf-8",
        )
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert document == snapshot, (
        "The OpenAPI document of /api/v1/ changed. If the change is intended, update "
        "tests/opendata/openapi_snapshot.json (see this module's docstring)."
    )


def test_the_api_root_points_to_the_document_and_the_docs(client):
    body = get_json(client, "/api/v1/")
    assert body["openapi"] == "http://testserver/api/v1/openapi.json"
    assert body["docs"] == "http://testserver/api/v1/docs"


def test_openapi_lists_every_resource_and_only_reads(client):
    document = get_json(client, "/api/v1/openapi.json")
    paths = document["paths"]
    for path in (
        "/api/v1/zones",
        "/api/v1/parishes",
        "/api/v1/consultations",
        "/api/v1/consultations/{consultation_id}/comments",
        "/api/v1/budget-cycles",
        "/api/v1/budget-cycles/{cycle_id}/requests",
        "/api/v1/budget-cycles/{cycle_id}/results",
        "/api/v1/budget-cycles/{cycle_id}/tallies",
        "/api/v1/assemblies",
        "/api/v1/works",
        "/api/v1/indicators",
        "/api/v1/indicators/methodologies",
        "/api/v1/datasets",
        "/api/v1/open-government/plans",
    ):
        assert path in paths, path
    methods = {method for operations in paths.values() for method in operations}
    assert methods == {"get"}
    page_size = next(
        p for p in paths["/api/v1/works"]["get"]["parameters"] if p["name"] == "page_size"
    )
    assert page_size["schema"]["maximum"] == MAX_PAGE_SIZE


# --- the docs page -----------------------------------------------------------------------
def test_docs_page_uses_our_static_files_and_no_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        if 'type="application/json"' in attributes:
            continue  # data, not code (the CSP does not run it)
        assert body.strip() == "", "inline script"
        source = re.search(r'src="([^"]+)"', attributes).group(1)
        assert source.startswith("/static/"), source
    assert "cdn" not in html.lower()
    assert "/api/v1/openapi.json" in html
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        static = client.get(asset)
        assert static.status_code == 200, asset
        b"".join(static.streaming_content) if static.streaming else static.content


# --- pagination --------------------------------------------------------------------------
def test_pagination_counts_links_and_bounds(client):
    total = Parish.objects.count()
    first = get_json(client, "/api/v1/parishes?page_size=10")
    assert first["count"] == total and len(first["results"]) == 10
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/parishes?page_size=10&page=2"
    last_page = -(-total // 10)
    last = get_json(client, f"/api/v1/parishes?page_size=10&page={last_page}")
    assert last["next"] is None and len(last["results"]) == total - 10 * (last_page - 1)
    assert last["previous"].endswith(f"page={last_page - 1}")
    # Every parish exactly once across the pages.
    codes = []
    for number in range(1, last_page + 1):
        codes += [
            p["dpa_code"]
            for p in get_json(client, f"/api/v1/parishes?page_size=10&page={number}")["results"]
        ]
    assert sorted(codes) == sorted(Parish.objects.values_list("dpa_code", flat=True))

    assert len(get_json(client, f"/api/v1/parishes?page_size={MAX_PAGE_SIZE}")["results"]) == min(
        total, MAX_PAGE_SIZE
    )
    too_big = get_json(client, f"/api/v1/parishes?page_size={MAX_PAGE_SIZE + 1}", status=400)
    assert too_big["errors"][0]["field"] == "page_size"
    assert too_big["detail"]
    assert get_json(client, "/api/v1/parishes?page=0", status=400)["errors"][0]["field"] == "page"
    past = get_json(client, f"/api/v1/parishes?page_size=10&page={last_page + 1}", status=404)
    assert str(last_page) in past["detail"]
    # An empty set still has its page 1.
    assert get_json(client, "/api/v1/works")["count"] == 0


# --- filters -----------------------------------------------------------------------------
def test_filters_by_zone_parish_year_and_status(client):
    calderon_parish = Parish.objects.filter(zone__slug="calderon").order_by("name")[1]
    old = make_work("calderon", year=2024, status="en_ejecucion", parish=calderon_parish)
    new = make_work("calderon", year=2026)
    other = make_work("eloy-alfaro", year=2026)

    def codes(query):
        return {w["code"] for w in get_json(client, f"/api/v1/works?{query}")["results"]}

    assert codes("") == {old.code, new.code, other.code}
    assert codes("zone=calderon") == {old.code, new.code}
    assert codes(f"parish={calderon_parish.dpa_code}") == {old.code}
    assert codes("year=2026") == {new.code, other.code}
    assert codes("year=2030") == set()
    assert codes("status=en_ejecucion") == {old.code}
    assert codes("zone=calderon&year=2026") == {new.code}

    parishes = get_json(client, "/api/v1/parishes?zone=calderon")["results"]
    assert {p["dpa_code"] for p in parishes} == set(
        Parish.objects.filter(zone__slug="calderon").values_list("dpa_code", flat=True)
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("zone=atlantida", "zone"),
        ("parish=179999", "parish"),
        ("year=dosmil", "year"),
        ("year=1800", "year"),
        ("status=terminada", "status"),
        ("source=privada", "source"),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_field(client, query, field):
    body = get_json(client, f"/api/v1/works?{query}", status=400)
    assert body["detail"]
    assert [error["field"] for error in body["errors"]] == [field]
    assert body["errors"][0]["message"]


def test_bad_filters_on_other_resources(client):
    assert get_json(client, "/api/v1/assemblies?status=x", status=400)["errors"][0]["field"] == (
        "status"
    )
    assert get_json(client, "/api/v1/consultations?zone=x", status=400)["errors"][0]["field"] == (
        "zone"
    )
    assert get_json(client, "/api/v1/budget-cycles?year=x", status=400)["errors"][0]["field"] == (
        "year"
    )
    assert get_json(client, "/api/v1/parishes?type=x", status=400)["errors"][0]["field"] == "type"


# --- validators and 304 ------------------------------------------------------------------
def test_etag_gives_304_and_changes_with_the_data(client):
    url = "/api/v1/zones/calderon"
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert "public" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Access-Control-Allow-Origin"] == "*"
    # Weak comparison: the same tag without W/ matches as well; another tag does not.
    assert client.get(url, HTTP_IF_NONE_MATCH=etag[2:]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='W/"other"').status_code == 200

    Zone.objects.filter(slug="calderon").update(name="Calderón (cambiado)")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["name"] == "Calderón (cambiado)"


def test_last_modified_gives_304_until_the_body_changes(client):
    url = "/api/v1/zones/calderon"
    first = client.get(url)
    last_modified = first["Last-Modified"]
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    earlier = http_date(0)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    # The same body keeps its date; a changed body gets a date after the one the client has.
    assert client.get(url)["Last-Modified"] == last_modified
    Zone.objects.filter(slug="calderon").update(name="Calderón (cambiado)")
    changed = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(0))
    assert changed.status_code == 200
    assert changed.json()["name"] == "Calderón (cambiado)"


def test_a_change_within_the_same_second_still_moves_last_modified(client):
    """HTTP dates have whole seconds; a body changed in the second it was first served
    must still be newer than the date the client holds."""
    url = "/api/v1/zones/calderon"
    first = client.get(url)
    Zone.objects.filter(slug="calderon").update(name="Calderón (cambiado)")
    changed = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert changed.status_code == 200
    assert parse_http_date(changed["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_head_answers_headers_without_a_body(client):
    response = client.head("/api/v1/zones")
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == client.get("/api/v1/zones")["ETag"]


# --- CORS and read-only --------------------------------------------------------------------
def test_cors_is_open_for_reads(client):
    response = client.get("/api/v1/zones", HTTP_ORIGIN="https://periodico.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/works",
        HTTP_ORIGIN="https://periodico.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    # Errors carry the header too, so a browser client can read their message.
    assert client.get("/api/v1/works?year=x")["Access-Control-Allow-Origin"] == "*"


def test_cors_stays_off_the_rest_of_the_site(client):
    assert "Access-Control-Allow-Origin" not in client.get("/healthz")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_405_json(client, method):
    response = getattr(client, method)("/api/v1/zones", data={}, content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json()["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert Zone.objects.filter(slug="calderon").exists()


# --- rate limit ----------------------------------------------------------------------------
@override_settings(OPENDATA_API_RATE="5/m")
def test_rate_limit_per_address_answers_429_with_retry_after(client):
    for _ in range(5):
        assert client.get("/api/v1/zones", REMOTE_ADDR="192.0.2.10").status_code == 200
    refused = client.get("/api/v1/zones", REMOTE_ADDR="192.0.2.10")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"]
    assert refused["Access-Control-Allow-Origin"] == "*"
    # Conditional requests count too, and so does every other path of the API.
    assert client.get("/api/v1/parishes", REMOTE_ADDR="192.0.2.10").status_code == 429
    # Another address has its own counter.
    assert client.get("/api/v1/zones", REMOTE_ADDR="192.0.2.11").status_code == 200


def test_default_rate_allows_120_a_minute(client):
    """Counters use fixed one-minute windows; a run that straddles the window's edge
    starts again with a fresh address (it is two windows, not a failure)."""
    for attempt in range(2):
        address = f"192.0.2.{20 + attempt}"
        window = _get_window(f"ip:{address}", 60)
        statuses = [
            client.get("/api/v1/nothing-here", REMOTE_ADDR=address).status_code for _ in range(121)
        ]
        if _get_window(f"ip:{address}", 60) == window:
            break
    assert statuses == [404] * 120 + [429]


# --- errors --------------------------------------------------------------------------------
def test_errors_are_json_with_a_message(client):
    for url in (
        "/api/v1/nothing-here",
        "/api/v1/zones/atlantida",
        "/api/v1/parishes/179999",
        "/api/v1/works/NO-EXISTE",
        "/api/v1/consultations/999999",
        "/api/v1/budget-cycles/999999",
        "/api/v1/assemblies/999999",
    ):
        body = get_json(client, url, status=404)
        assert body["detail"], url
    body = get_json(client, "/api/v1/consultations/not-a-number", status=400)
    assert body["errors"][0]["field"] == "consultation_id"


def test_an_unexpected_error_is_a_500_json_and_is_logged(rf, caplog):
    request = rf.get("/api/v1/zones")
    response = api.on_exception(request, RuntimeError("boom"))
    assert response.status_code == 500
    assert json.loads(response.content)["detail"]
    assert "boom" not in response.content.decode()
    assert any("boom" in str(record.exc_info) for record in caplog.records)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/consultations/{n}",
        "/api/v1/consultations/{n}/comments",
        "/api/v1/budget-cycles/{n}",
        "/api/v1/budget-cycles/{n}/requests",
        "/api/v1/budget-cycles/{n}/results",
        "/api/v1/budget-cycles/{n}/tallies",
        "/api/v1/assemblies/{n}",
    ],
)
def test_an_id_past_the_databases_range_is_a_json_404(client, territory, path):
    for n in ("99999999999999999999", "9" * 30, str(2**63)):
        response = client.get(path.format(n=n), REMOTE_ADDR=f"10.9.{len(n)}.1")
        assert response.status_code == 404, (path, n, response.status_code)
        assert response["Content-Type"].startswith("application/json")
