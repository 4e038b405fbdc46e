"""Every public page, allauth's pages and our admin screens render in Spanish."""

import contextlib
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from wagtail import hooks
from wagtail.models import Page

from tests.factories import ResidentFactory, UserFactory, login_with_mfa
from tests.test_public_input import public_routes

SKIPPED_TAGS = {"script", "style", "template", "noscript", "code", "pre", "svg"}
TEXT_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}


VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _TextCollector(HTMLParser):
    """The strings a person reads or hears: text nodes and text-bearing attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping: list[str] = []
        self.hidden_depth = 0  # inside an element with the `hidden` attribute: not shown

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in VOID_TAGS and (self.hidden_depth or "hidden" in attributes):
            self.hidden_depth += 1
        if self.hidden_depth:
            return
        for name in TEXT_ATTRIBUTES & attributes.keys():
            self._add(attributes[name])
        if tag in ("input", "button") and attributes.get("type") in ("submit", "button", "reset"):
            self._add(attributes.get("value"))
        if tag in SKIPPED_TAGS:
            self.skipping.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_TAGS:
            self.skipping.pop()

    def handle_endtag(self, tag):
        if self.hidden_depth:
            self.hidden_depth -= 1
            return
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and not self.hidden_depth:
            self._add(data)

    def _add(self, text):
        text = " ".join((text or "").split())
        if text:
            self.texts.append(text)


def texts(html: str) -> list[str]:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return collector.texts


def visible_text(html: str) -> str:
    return "\n".join(texts(html))


# --- What "untranslated" means -------------------------------------------------------------


ROOT = Path(__file__).resolve().parent.parent
SITE_PACKAGES = Path(pytest.__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
# English that must never show, whatever the catalogues say (seen in the issue).
GIVEAWAYS = re.compile(
    r"\b(Select an option|Created at|Open flag count|Thread|Search|Log in|Sign in|"
    r"Forgot your password|Submit|Save|Cancel|Delete|Edit|Next|Previous|Page \d+ of)\b"
    r"|^\d+ of \d+$| of \d+\b"
)


def _po_entries(path: Path):
    """(msgid, msgstr) pairs of a .po file, plural entries as their two msgids."""
    from tests.test_translations import parse_po

    for entry in parse_po(path.read_text(encoding="utf-8")):
        if not entry["msgid"]:
            continue
        msgstr = entry["msgstr"].get("[0]", "") or entry["msgstr"].get("", "")
        yield _unescape(entry["msgid"]), _unescape(msgstr)


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def our_catalogues() -> list[Path]:
    return sorted(
        path
        for path in ROOT.glob("**/locale/es/LC_MESSAGES/django.po")
        if ".venv" not in path.parts
    )


def their_catalogues() -> list[Path]:
    """Django's, Wagtail's and allauth's catalogues: the es ones, and Wagtail's en ones,
    which list the msgids its es catalogues lack (those render English in the admin)."""
    found = []
    for package in ("django", "wagtail", "allauth"):
        base = SITE_PACKAGES / package
        found += list(base.glob("**/locale/es/LC_MESSAGES/django.po"))
    found += list((SITE_PACKAGES / "wagtail").glob("**/locale/en/LC_MESSAGES/django.po"))
    return sorted(found)


SOURCE_STRING = re.compile(
    r"""{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<t>.+?)(?P=q)"""
    r"""|\b(?:_|gettext|gettext_lazy|pgettext_lazy\(\s*"[^"]*",)\(\s*(?P<q2>["'])(?P<t2>.+?)(?P=q2)\s*[,)]"""
)


# Source strings that read the same in Spanish (a page showing them is not a leak).
SPANISH_TOO = {"no", "No", "Acta", "Total", "Error", "Local", "General", "Plan", "Final", "Pin"}


def source_msgids() -> set[str]:
    """The literal msgids of our templates and Python code (one-line ones)."""
    found = set()
    for path in ROOT.rglob("*"):
        if path.suffix not in (".html", ".txt", ".py") or not path.is_file():
            continue
        if {".venv", "var", "tests", "node_modules", "migrations"} & set(path.parts):
            continue
        for match in SOURCE_STRING.finditer(path.read_text(encoding="utf-8", errors="ignore")):
            found.add(_unescape(match.group("t") or match.group("t2")))
    return found


def _usable(msgid: str) -> bool:
    literal = PLACEHOLDER.sub("", msgid)
    return "<" not in msgid and "\n" not in msgid and len(re.findall(r"[A-Za-z]{2,}", literal)) >= 1


@cache
def untranslated_matchers():
    """The English msgids whose appearance on a Spanish page means they rendered
    untranslated: every msgid of our catalogues and of Django's, Wagtail's and allauth's es
    catalogues with a Spanish msgstr different from it (an untranslated entry of ours
    counts too). Exact strings go in a set; those with placeholders become one regex."""
    exact, patterns = set(), set()
    catalogues = our_catalogues() + their_catalogues()
    same = {msgid for path in catalogues for msgid, msgstr in _po_entries(path) if msgid == msgstr}
    same |= SPANISH_TOO
    for path, ours in [(p, True) for p in our_catalogues()] + [
        (p, False) for p in their_catalogues()
    ]:
        for msgid, msgstr in _po_entries(path):
            english = path.parts[-3] == "en"
            if msgid in same or not _usable(msgid) or (not ours and not english and not msgstr):
                continue
            text = " ".join(msgid.split())
            if PLACEHOLDER.search(text):
                parts = PLACEHOLDER.split(text)
                if sum(len(part.strip()) for part in parts) >= 8:
                    patterns.add(".+?".join(re.escape(part) for part in parts))
            else:
                exact.add(text)
    # Strings other changes added and no catalogue pass has extracted yet.
    for msgid in source_msgids() - same:
        if _usable(msgid) and not PLACEHOLDER.search(msgid):
            exact.add(" ".join(msgid.split()))
    regex = re.compile("|".join(sorted(patterns, key=len, reverse=True)))
    return frozenset(exact), regex


# Language names are written in their own language on purpose (the switch).
OWN_NAMES = {"English", "Español"}


def untranslated(html: str) -> list[str]:
    exact, regex = untranslated_matchers()
    found = []
    for text in texts(html):
        if text in OWN_NAMES:
            continue
        bare = text.rstrip(":*").strip()
        if bare in exact or text in exact or regex.fullmatch(text) or GIVEAWAYS.search(text):
            found.append(text)
    return list(dict.fromkeys(found))


def test_the_detector_flags_english_and_passes_spanish():
    html = (
        "<main><h1>Comentarios</h1><p>Forgot your password?</p><p>¿Olvidó su contraseña?</p>"
        '<button type="submit" value="x" title="Open flag count">3</button>'
        '<input type="submit" value="Cancel"><img alt="Foto del parque">'
        "<p>Successfully signed in as Ana.</p><script>var s = 'Search';</script>"
        "<label>Email address:</label><p>Page 2 of 5</p></main>"
    )
    assert untranslated(html) == [
        "Forgot your password?",
        "Open flag count",
        "Cancel",
        "Successfully signed in as Ana.",
        "Email address:",
        "Page 2 of 5",
    ]


# --- The pages ----------------------------------------------------------------------------


@pytest.fixture
def demo_site(territory):
    """The demo content `make run` loads: every page type and phase."""
    from assemblies.demo import load_demo_assemblies
    from budgets.demo import load_demo_budgets
    from consultations.demo import load_demo_consultations
    from home.demo import load_demo

    load_demo()
    load_demo_consultations()
    load_demo_budgets()
    load_demo_assemblies()


OUR_APPS = (
    "accounts",
    "territory",
    "home",
    "discussions",
    "consultations",
    "proposals",
    "budgets",
    "assemblies",
    "works",
    "opendata",
    "indicators",
    "opengov",
    "sitesearch",
    "privacy",
    "verification",
    "council",
    "actors",
    "surveys",
    "training",
)
ALLAUTH_PAGES = [
    "/cuenta/login/",
    "/cuenta/signup/",
    "/cuenta/password/reset/",
    "/cuenta/password/reset/done/",
    "/cuenta/confirm-email/",
]


def _html_pages(client, paths) -> dict[str, str]:
    pages = {}
    for path in paths:
        response = client.get(path)
        # Error pages count: a refusal or a missing page is read by a person too.
        if response.status_code in (200, 403, 404) and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            pages[path] = response.content.decode()
    return pages


# Hard-coded in Wagtail 8's own templates (wagtailadmin/home.html and shared/header.html:
# the screen-reader-only submit of the admin search box), not in a catalogue we can fill.
WAGTAIL_HARD_CODED = frozenset({"Search"})


def _leaks(pages: dict[str, str], allowed: frozenset = frozenset()) -> str:
    """A report of the untranslated strings, each with the pages showing it ("" if none)."""
    where: dict[str, list[str]] = {}
    for path, html in pages.items():
        for text in untranslated(html):
            if text in allowed:
                continue
            where.setdefault(text, []).append(path)
    return "\n".join(
        f"{text!r} on {len(paths)} page(s): {', '.join(paths[:3])}"
        for text, paths in sorted(where.items())
    )


def admin_paths() -> list[str]:
    """Our admin screens: the index, add and edit views of every viewset of our apps, the
    extra admin URLs our apps register, the edit view of one page of each of our page
    types, and the dashboard."""
    from wagtail.admin.viewsets import viewsets

    paths = ["/admin/"]
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if isinstance(model, str):
            model = apps.get_model(model)
        if model is None or model._meta.app_label not in OUR_APPS:
            continue
        first = model._default_manager.order_by("pk").first()
        for name, args in (("index", []), ("add", []), ("edit", [first.pk] if first else None)):
            if args is None:
                continue
            with contextlib.suppress(NoReverseMatch):
                paths.append(reverse(viewset.get_url_name(name), args=args))
    for register in hooks.get_hooks("register_admin_urls"):
        if register.__module__.split(".")[0] not in OUR_APPS:
            continue
        for pattern in register():
            route = str(pattern.pattern)
            if "<" not in route:
                paths.append("/admin/" + route)
    seen_types = set()
    for page in Page.objects.specific().order_by("path"):
        if type(page)._meta.app_label in OUR_APPS and type(page) not in seen_types:
            seen_types.add(type(page))
            paths.append(f"/admin/pages/{page.pk}/edit/")
            paths.append(f"/admin/pages/{page.pk}/")
    return list(dict.fromkeys(paths))


def test_every_public_page_renders_in_spanish(client, demo_site):
    resident = ResidentFactory()
    client.force_login(resident.user)
    paths = [path for group in public_routes().values() for path in group]
    pages = _html_pages(client, paths)
    assert len(pages) > 30
    report = _leaks(pages)
    assert not report, "untranslated:\n" + report


def test_allauth_pages_render_in_spanish(client, territory):
    pages = _html_pages(client, ALLAUTH_PAGES)
    assert {"/cuenta/login/", "/cuenta/signup/", "/cuenta/password/reset/"} <= pages.keys()
    response = client.post("/cuenta/login/", {"login": "nadie@example.ec", "password": "x" * 12})
    pages["login, wrong password"] = response.content.decode()
    report = _leaks(pages)
    assert not report, "untranslated:\n" + report


def test_our_admin_screens_render_in_spanish(client, demo_site):
    login_with_mfa(client, UserFactory(is_superuser=True, is_staff=True))
    paths = admin_paths()
    pages = _html_pages(client, paths)
    assert "/admin/" in pages
    assert len(pages) > 15, sorted(set(paths) - pages.keys())
    report = _leaks(pages, allowed=WAGTAIL_HARD_CODED)
    assert not report, "untranslated:\n" + report


def test_the_english_switch_still_works(client, demo_site):
    spanish = _html_pages(client, ["/", "/cuenta/login/"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = _html_pages(client, ["/", "/cuenta/login/"])
    exact, _regex = untranslated_matchers()
    for path in ("/", "/cuenta/login/"):
        english_ui = {text for text in texts(english[path]) if text in exact} - OWN_NAMES
        spanish_ui = {text for text in texts(spanish[path]) if text in exact} - OWN_NAMES
        assert len(english_ui) >= 5, (path, english_ui)
        assert spanish_ui == set()


def test_every_field_of_our_models_has_a_translatable_label():
    """verbose names (model and field), help texts and choice labels go through gettext."""
    from django.utils.functional import Promise

    missing = []
    for label in OUR_APPS:
        if label not in apps.app_configs:
            continue
        for model in apps.get_app_config(label).get_models():
            meta = model._meta
            for attribute in ("verbose_name", "verbose_name_plural"):
                if not isinstance(meta.original_attrs.get(attribute), Promise):
                    missing.append(f"{model.__name__}.Meta.{attribute}")
            for field in [*meta.local_fields, *meta.local_many_to_many]:
                # Wagtail's Orderable.sort_order is not editable and shown nowhere.
                if field.auto_created or field.name == "sort_order" and not field.editable:
                    continue
                name = f"{model.__name__}.{field.name}"
                if not isinstance(field.verbose_name, Promise):
                    missing.append(name)
                if field.help_text and not isinstance(field.help_text, Promise):
                    missing.append(f"{name} help_text")
                missing += [
                    f"{name} choice {value!r}"
                    for value, text in field.flatchoices or []
                    if not isinstance(text, Promise)
                ]
    assert missing == []


def test_refusal_confirmation_and_staff_pages_render_in_spanish(client, territory):
    """The pages a person meets when something is refused or must be confirmed, and the
    staff dashboard's task list: not reached by walking the public routes."""
    from django.test import Client

    from tests.budgets.builders import make_cycle, make_resident, make_staff

    pages = {}
    cycle = make_cycle("calderon", phase="results")
    open_cycle = make_cycle("calderon", phase="requests", year=cycle.year + 1)
    open_request = open_cycle.url + open_cycle.reverse_subpage("request_new")
    assert client.get(open_request).status_code == 302  # logged out: to the login page
    other = make_resident("tumbaco")
    client.force_login(other)
    pages["403, phase closed"] = client.get(
        cycle.url + cycle.reverse_subpage("request_new")
    ).content.decode()
    pages["403, another zone"] = client.get(open_request).content.decode()
    # The move confirmation of a verified resident.
    parish = other.resident.parish
    calderon = make_resident("calderon")
    client.force_login(calderon)
    pages["move confirmation"] = client.post(
        "/cuenta/perfil/",
        {
            "display_name": calderon.resident.display_name,
            "zone": parish.zone.pk,
            "parish": parish.pk,
            "email_notifications": "on",
        },
    ).content.decode()
    # Staff: the confirmation before publishing, and the dashboard's tasks.
    staff = make_staff("calderon")
    login_with_mfa(client, staff)
    pages["publish confirmation"] = client.post(
        cycle.url + cycle.reverse_subpage("results_compute")
    ).content.decode()
    pages["staff dashboard"] = client.get("/admin/").content.decode()
    # The CSRF failure page.
    strict = Client(enforce_csrf_checks=True)
    pages["csrf failure"] = strict.post("/cuenta/login/", {"login": "a@b.ec"}).content.decode()
    assert 'data-refusal="phase"' in pages["403, phase closed"]
    assert 'data-refusal="residency"' in pages["403, another zone"]
    assert 'name="confirmar_cambio"' in pages["move confirmation"]
    assert 'name="confirm" value="1"' in pages["publish confirmation"]
    assert "staff-tasks" in pages["staff dashboard"]
    assert "csrf" in pages["csrf failure"].lower()
    report = _leaks(pages, allowed=WAGTAIL_HARD_CODED)
    assert not report, "untranslated:\n" + report


def test_data_rights_and_verification_pages_render_in_spanish(
    client, territory, django_capture_on_commit_callbacks
):
    """A resident's data-rights pages in their states (an export ready, a deletion asked
    for and scheduled, consent withdrawn, the policy re-prompt), self-verification, and
    the public register: reached only by logging in or by a step before."""
    from django.core import mail
    from django.test import override_settings

    from privacy import consent, deletion, exports
    from tests.budgets.builders import make_resident

    pages = {}
    user = make_resident("calderon")
    client.force_login(user)
    pages["register"] = client.get("/privacidad/registro/").content.decode()
    pages["my data"] = client.get("/cuenta/mis-datos/").content.decode()
    pages["verification"] = client.get("/cuenta/verificacion/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        exports.export_request(user=user)  # built at once by the test settings' tasks
    pages["my data, export ready"] = client.get("/cuenta/mis-datos/").content.decode()
    pages["withdraw confirmation"] = client.get(
        "/cuenta/mis-datos/consentimiento/retirar/"
    ).content.decode()
    consent.consent_withdraw(user)
    pages["my data, consent withdrawn"] = client.get("/cuenta/mis-datos/").content.decode()
    with override_settings(PRIVACY_POLICY_VERSION="2099-01"):
        pages["policy re-prompt"] = client.get(
            "/cuenta/mis-datos/consentimiento/aceptar/"
        ).content.decode()
    other = make_resident("calderon")
    client.force_login(other)
    with django_capture_on_commit_callbacks(execute=True):
        request = deletion.deletion_request(user=other)
    token = deletion.confirmation_token(request)
    pages["deletion confirmation"] = client.get(
        f"/cuenta/mis-datos/eliminar/confirmar/{token}/"
    ).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        deletion.deletion_confirm(user=other, token=token)
    pages["my data, deletion scheduled"] = client.get("/cuenta/mis-datos/").content.decode()
    pages["e-mails"] = "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)
    assert "<table" in pages["register"]
    assert "/cuenta/mis-datos/eliminar/cancelar/" in pages["my data, deletion scheduled"]
    assert len(mail.outbox) >= 3  # export ready, deletion to confirm, deletion scheduled
    report = _leaks(pages, allowed=WAGTAIL_HARD_CODED)
    assert not report, "untranslated:\n" + report
