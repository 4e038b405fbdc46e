"""No plain input yields a 500: every public GET route, driven with arbitrary query strings.

The routes are found, not listed: the project's URL resolver (minus the admin and Wagtail's
catch-all) and every live page of the demo content with its routable sub-pages, with real
ids filled in where a route takes one (and a made-up one). The query parameters are the
names the views read (found in the source: `request.GET.get("…")`, `params.get("…")`, and
the fields of the forms bound to `request.GET`) plus random names; their values are
arbitrary text with the known troublemakers mixed in: quotes, NUL, huge and negative
numbers, non-ASCII digits, full-text operators. Each request is made anonymously or as a
verified resident. Run it on PostgreSQL as well (DATABASE_URL): NUL only fails there.
"""

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "home",
    "territory",
    "accounts",
    "discussions",
    "consultations",
    "proposals",
    "budgets",
    "assemblies",
    "council",
    "actors",
    "surveys",
    "training",
    "quitodecide",
)
SKIPPED_PREFIXES = ("admin/",)  # staff only, behind the login and MFA gate
EXAMPLES_PER_ROUTE = 8  # for a route that reads the query string; the sweep covers the rest
PROBE = "_probe"
PAGES_PER_TYPE = 2
MISSING_ID = 2**31 + 7  # an id no row has, past the 32-bit range

TROUBLE = [
    "",
    " ",
    '"',
    "'",
    '""',
    "a%00b",
    "\x00",
    "a\x00b",
    "0",
    "-1",
    "1",
    "99999",
    str(2**31),
    str(2**63),
    "9" * 40,
    "1e400",
    "-0",
    "NaN",
    "inf",
    "²",
    "٢٠٢٦",
    "①",
    "*",
    "a*",
    ":",
    "(",
    ")",
    "-",
    "AND",
    "NOT a",
    "OR",
    "NEAR(a b)",
    "col:a",
    "^a",
    "\\",
    "%",
    "&",
    "!",
    "'; --",
    "<script>",
    "\u202e",
    "\ufeff",
]
# Sent one at a time to every parameter a view reads: each was a 500 somewhere.
SWEEP = ['"', "a\x00b", "0", "99999", str(2**31), "9" * 40, "²", "1e400", "-1"]
VALUES = st.one_of(
    st.sampled_from(TROUBLE),
    st.integers().map(str),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=24),
    st.lists(st.sampled_from(TROUBLE), min_size=2, max_size=4).map("".join),
)


def read_parameter_names() -> set[str]:
    """The query parameters the project reads, from its source."""
    from assemblies.forms import IndexFilterForm
    from home.forms import SearchForm
    from proposals.forms import RequestFilterForm

    names = set()
    patterns = (
        r"""GET\.get\(\s*["'](\w+)""",
        r"""GET\[\s*["'](\w+)""",
        r"""params\.get\(\s*["'](\w+)""",
        r"""request\.GET\.get\((\w+)""",
    )
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in patterns:
                names.update(re.findall(pattern, text))
    names.discard("name")  # `request.GET.get(name, …)`: the callers pass the literals
    names.update(["desde", "hasta", "next", "since"])
    for form in (SearchForm, IndexFilterForm, RequestFilterForm):
        names.update(form.base_fields)
    return names


def _walk(patterns, prefix=""):
    for entry in patterns:
        regex = entry.pattern.regex.pattern.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + regex)
        elif isinstance(entry, URLPattern):
            yield prefix + regex


_GROUP = re.compile(r"\((?:\?P<(\w+)>)?([^()]*(?:\([^()]*\)[^()]*)*)\)")


def _fill(regex: str, values: dict) -> list[str]:
    """Concrete paths for a route regex: each group gets a real value where one is known
    (by the group's name), else a made-up one matching the group."""
    paths = []
    for choice in (0, 1):

        def substitute(match, choice=choice):
            name, body = match.group(1), match.group(2)
            if name == "fmt":
                return ("csv", "json")[choice]
            if name in values and choice == 0:
                return str(values[name])
            if "\\d" in body or "0-9" in body and "A-Z" not in body:
                return str(MISSING_ID)
            return "x1"

        path = _GROUP.sub(substitute, regex)
        path = path.replace("\\", "")
        paths.append(path)
    return list(dict.fromkeys(paths))


def _route_values(page) -> dict:
    """Real ids for the sub-routes of a page."""
    from assemblies.models import Poll, Question
    from consultations.models import DraftVersion, Provision
    from discussions.models import Comment
    from proposals.models import Request

    values = {"action": "apoyar"}
    request = Request.objects.filter(cycle_id=page.pk).order_by("pk").first()
    if request is not None:
        values["pk"] = request.pk
    poll = Poll.objects.filter(assembly_id=page.pk).order_by("pk").first()
    if poll is not None:
        values["poll_id"] = poll.pk
    question = Question.objects.filter(assembly_id=page.pk).order_by("pk").first()
    if question is not None:
        values["question_id"] = question.pk
    version = DraftVersion.objects.filter(consultation_id=page.pk).order_by("number").first()
    if version is not None:
        values["number"] = version.number
        provision = Provision.objects.filter(version=version).order_by("pk").first()
        if provision is not None:
            values["key"] = provision.key
    comment = Comment.objects.order_by("pk").first()
    if comment is not None:
        values["comment_id"] = comment.pk
    return values


def public_routes() -> dict[str, list[str]]:
    """Route label -> concrete paths to request."""
    routes: dict[str, list[str]] = {}
    for regex in _walk(get_resolver().url_patterns):
        if regex.startswith(SKIPPED_PREFIXES) or regex.startswith("((?:"):  # Wagtail's serve
            continue
        routes[regex] = ["/" + path for path in _fill(regex, {"key": "x1"})]
    per_type: dict[type, int] = {}
    for page in Page.objects.live().public().specific().order_by("path"):
        url = page.url
        if not url or per_type.get(type(page), 0) >= PAGES_PER_TYPE:
            continue
        per_type[type(page)] = per_type.get(type(page), 0) + 1
        label = type(page).__name__
        if not isinstance(page, RoutablePageMixin):
            routes.setdefault(label, []).append(url)
            continue
        values = _route_values(page)
        for pattern in page.get_subpage_urls():
            regex = pattern.pattern.regex.pattern.removeprefix("^").removesuffix(r"\Z")
            regex = regex.removesuffix("$")
            routes.setdefault(f"{label}:{regex or '/'}", []).extend(
                url + path for path in _fill(regex, values)
            )
    return {label: list(dict.fromkeys(paths)) for label, paths in routes.items()}


@pytest.fixture
def demo(territory):
    from assemblies.demo import load_demo_assemblies
    from budgets.demo import load_demo_budgets
    from consultations.demo import load_demo_consultations
    from home.demo import load_demo

    load_demo()
    load_demo_consultations()
    load_demo_budgets()
    load_demo_assemblies()


def test_the_route_walk_finds_the_public_pages(demo):
    routes = public_routes()
    labels = " ".join(routes)
    for expected in (
        "buscar/",
        "HomePage",
        "ZonePage",
        "AssemblyIndexPage",
        "AssemblyPage:control/",
        "ConsultationPage:cambios/",
        "BudgetCyclePage:solicitudes/",
        "BudgetCyclePage:resultados/csv/",
        "cuenta/perfil/",
    ):
        assert expected in labels, expected
    names = read_parameter_names()
    assert {"q", "zona", "anio", "orden", "pagina", "parroquia", "estado"} <= names


@contextmanager
def recording_reads():
    """The query-string keys read while the block runs (any QueryDict: GET, and POST which is
    empty on a GET)."""
    seen: set[str] = set()
    methods = ("get", "getlist", "__getitem__", "__contains__")
    own = {method: QueryDict.__dict__.get(method) for method in methods}
    for method in methods:
        original = getattr(QueryDict, method)

        def spy(self, key, *args, _original=original, **kwargs):
            seen.add(key)
            return _original(self, key, *args, **kwargs)

        setattr(QueryDict, method, spy)
    try:
        yield seen
    finally:
        for method, original in own.items():
            if original is None:
                delattr(QueryDict, method)  # inherited: uncover it again
            else:
                setattr(QueryDict, method, original)


def names_read(client, paths) -> set[str]:
    """What a route's view reads from the query string (a probe parameter makes forms bound
    to `request.GET or None` bind and read their fields)."""
    with recording_reads() as seen:
        for path in paths:
            client.get(path, {PROBE: "1"})
    return seen - {PROBE}


def _get(client, path, query) -> int:
    try:
        return client.get(path, query).status_code
    except Exception as error:  # noqa: BLE001  (the test client re-raises the view's error)
        return f"{type(error).__name__}: {error}"


def fuzz(clients, paths, params, examples) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(client=st.sampled_from(clients), path=st.sampled_from(paths), query=params)
    def request_route(client, path, query):
        status = _get(client, path, query)
        assert isinstance(status, int) and status < 500, (path, query, status)

    request_route()


def test_no_query_string_yields_a_server_error(demo):
    resident = ResidentFactory(user__verified_email=True)
    anonymous, logged_in = Client(), Client()
    logged_in.force_login(resident.user)
    every_name = sorted(read_parameter_names())
    failures = []
    for label, paths in public_routes().items():
        # What the view reads, anonymously and for a resident (some views read more then).
        reads = {client: names_read(client, paths[:1]) for client in (anonymous, logged_in)}
        names = sorted(reads[anonymous] | reads[logged_in])
        # 1. Each name the view reads, with each known troublemaker in turn.
        for name in names:
            client = anonymous if name in reads[anonymous] else logged_in
            for value in SWEEP:
                status = _get(client, paths[0], {name: value})
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"{label}: {paths[0]}?{name}={value!r}: {status}")
        # 2. Arbitrary values for all of them at once, plus a name read elsewhere or a
        # random one, on every path of the route, as either visitor.
        params = st.builds(
            lambda known, extra: {**extra, **known},
            st.fixed_dictionaries(dict.fromkeys(names, VALUES)),
            st.dictionaries(
                st.one_of(st.sampled_from(every_name), st.text(min_size=1, max_size=6)),
                VALUES,
                max_size=1,
            ),
        )
        examples = EXAMPLES_PER_ROUTE if names else 2
        try:
            fuzz([anonymous, logged_in], paths, params, examples)
        except AssertionError as error:
            failures.append(f"{label}: {error}")
    assert not failures, "\n".join(failures)
