"""Articles keep their identity across versions, through the services and the pages:
comments follow the text they were about through insertions, deletions, moves and
renumbering; the diff shows a moved or renumbered article as such; old links land on the
right article; staff correct the proposed matching of a draft before publishing it."""

import itertools
import re

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import PageLogEntry

from consultations import audit, matching, selectors, services
from consultations.models import ConsultationPage, Provision
from territory.models import ZonePage
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory, login_with_mfa
from tests.verification.helpers import zone_staff

pytestmark = pytest.mark.django_db

TEXTS = [
    "Objeto.- Regular la movilidad sostenible en el Distrito Metropolitano.",
    "Ámbito.- Se aplica a las parroquias rurales y urbanas del cantón.",
    "Asambleas.- Las asambleas barriales eligen cuatro representantes.",
    "Plazos.- El reglamento se expedirá en noventa días desde la publicación.",
    "Recursos.- Los fondos provendrán del presupuesto participativo anual.",
]
INSERTED = "Ciclovías.- Las vías principales tendrán carriles exclusivos para bicicletas."


def ordinance(bodies) -> str:
    lines = ["ORDENANZA DE MOVILIDAD", ""]
    lines += [f"Artículo {n}.- {body}" for n, body in enumerate(bodies, 1)]
    return "\n".join(lines) + "\n"


def publish(page, text):
    """What the editor does: the latest revision as an object, changed, published."""
    draft = ConsultationPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    draft.draft_text = text
    draft.save_revision().publish()
    return ConsultationPage.objects.get(pk=page.pk)


def save_draft(page, text):
    draft = ConsultationPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    draft.draft_text = text
    draft.save_revision()
    return ConsultationPage.objects.get(pk=page.pk)


def say(page, key, body="Un comentario."):
    return services.consultation_comment(
        consultation=page, user=ResidentFactory().user, body=body, provision_key=key
    )


def provision(page, number, key):
    return Provision.objects.get(version__consultation=page, version__number=number, key=key)


@pytest.fixture
def renumbered(territory):
    """v1: five articles, a comment on art-5; v2: an article inserted first."""
    page = make_consultation(slug="movilidad", text=ordinance(TEXTS))
    comment = say(page, "art-5", "Sobre los recursos")
    page = publish(page, ordinance([INSERTED, *TEXTS]))
    return page, comment


def test_inserting_an_article_keeps_every_comment_on_its_text(renumbered):
    page, comment = renumbered
    moved_to = provision(page, 2, "art-6")
    assert moved_to.body.startswith("Los fondos provendrán")
    assert comment.thread_id == moved_to.thread_id
    # The inserted article is new: a thread of its own, no comments.
    inserted = provision(page, 2, "art-1")
    assert inserted.thread_id not in Provision.objects.filter(version__number=1).values_list(
        "thread_id", flat=True
    )
    # The thread's title follows its new label.
    assert moved_to.thread.title.endswith("Artículo 6")


def test_the_comment_says_which_version_and_article_it_was_about(client, renumbered):
    page, _comment = renumbered
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(page.url + "articulo/art-6/").content.decode()
    assert "Sobre los recursos" in html
    assert "on version 1, artículo 5" in html


def test_the_comment_badge_in_spanish(client, renumbered):
    page, _comment = renumbered
    html = client.get(page.url + "articulo/art-6/").content.decode()
    assert "sobre la versión 1, artículo 5" in html


def test_links_to_an_old_versions_article_land_on_its_thread(client, renumbered):
    page, _comment = renumbered
    # On version 1's page, article 5's link carries the version it was read in...
    v1 = client.get(page.url + "version/1/").content.decode()
    assert 'href="' + page.url + 'articulo/art-5/?version=1"' in v1
    # ...and leads to the article it became.
    response = client.get(page.url + "articulo/art-5/?version=1")
    assert response.status_code == 302
    assert response["Location"] == page.url + "articulo/art-6/"
    # Without a version, the key is read in the latest version (art-5 is now "Plazos").
    html = client.get(page.url + "articulo/art-5/").content.decode()
    assert "El reglamento se expedirá" in html and "Sobre los recursos" not in html
    # The latest version's page links plainly.
    assert 'href="' + page.url + 'articulo/art-6/"' in client.get(page.url).content.decode()
    assert client.get(page.url + "articulo/art-5/?version=9").status_code == 404
    assert client.get(page.url + "articulo/art-5/?version=x").status_code == 200


def test_a_key_gone_from_the_latest_version_follows_its_article(client, territory):
    page = make_consultation(slug="borrado", text=ordinance(TEXTS))
    kept = say(page, "art-5", "Sigue vivo")
    gone = say(page, "art-2", "Ya no está")
    page = publish(page, ordinance([t for t in TEXTS if not t.startswith("Ámbito")]))
    # art-5 no longer exists: its article is art-4 now.
    response = client.get(page.url + "articulo/art-5/")
    assert response.status_code == 302 and response["Location"].endswith("articulo/art-4/")
    assert provision(page, 2, "art-4").thread_id == kept.thread_id
    # The deleted article keeps its comments on its version-1 text, read-only.
    html = client.get(page.url + "articulo/art-2/?version=1").content.decode()
    assert "Ya no está" in html and "Se aplica a las parroquias" in html
    assert gone.thread_id == provision(page, 1, "art-2").thread_id
    assert not Provision.objects.filter(version__number=2, thread_id=gone.thread_id).exists()


def test_the_diff_shows_renumbered_and_moved_articles_as_such(client, territory):
    page = make_consultation(slug="diff", text=ordinance(TEXTS))
    # Insert one first, move "Objeto" to the fifth place, edit "Asambleas".
    edited = TEXTS[2].replace("cuatro", "cinco")
    page = publish(page, ordinance([INSERTED, TEXTS[1], edited, TEXTS[3], TEXTS[0], TEXTS[4]]))
    old, new = page.versions.order_by("number")
    rows = {row["provision"].key: row for row in selectors.version_diff(old, new)}
    assert rows["art-1"]["change"] == "added" and rows["art-1"]["before"] is None
    assert rows["art-5"]["change"] == "moved" and rows["art-5"]["segments"] == []
    assert rows["art-5"]["before"].key == "art-1"
    assert rows["art-2"]["change"] == "unchanged" and rows["art-2"]["before"].key == "art-2"
    assert rows["art-3"]["change"] == "changed" and rows["art-3"]["edited"]
    assert rows["art-6"]["change"] == "renumbered" and rows["art-6"]["label_before"] == (
        "Artículo 5"
    )
    assert not any(row["change"] == "removed" for row in rows.values())
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(page.url + "cambios/").content.decode()
    assert "renumbered (Artículo 5 → Artículo 6)" in html
    assert html.count(">moved<") == 1
    assert "<del>cuatro</del>" in html and "<ins>cinco</ins>" in html
    # Only the edited article has a word diff (the inserted one is all new).
    assert html.count("<del>") == 1


def test_the_diff_places_a_removed_article_where_it_stood(territory):
    page = make_consultation(slug="quitado", text=ordinance(TEXTS))
    page = publish(page, ordinance([TEXTS[0], TEXTS[2], TEXTS[3], TEXTS[4]]))
    old, new = page.versions.order_by("number")
    rows = [
        (row["provision"].key, row["change"])
        for row in selectors.version_diff(old, new)
        if row["provision"].kind != "heading"
    ]
    assert rows[:3] == [("art-1", "unchanged"), ("art-2", "removed"), ("art-2", "renumbered")]


def test_the_thread_page_query_count_does_not_grow_with_old_comments(client, renumbered):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page, _comment = renumbered
    url = page.url + "articulo/art-6/"

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(15):
        say(page, "art-6", f"nuevo {n}")
    page = publish(page, ordinance(["Otro.- Uno más al principio.", INSERTED, *TEXTS]))
    for n in range(15):
        say(page, "art-7", f"más {n}")
    url = page.url + "articulo/art-7/"
    assert count() == few


# --- the property: random insertions, deletions, moves and edits -------------------------

slugs = itertools.count()


@st.composite
def new_versions(draw):
    count = draw(st.integers(2, 8))
    seeds = draw(
        st.lists(st.integers(1, 10**6), min_size=count + 4, max_size=count + 4, unique=True)
    )
    words = [[f"tema{seed}{letter}" for letter in "abc"] for seed in seeds]
    old = list(range(count))  # article identities
    commented = draw(st.sets(st.sampled_from(old), min_size=1))
    new = list(old)
    fresh = iter(range(count, count + 4))
    edited: dict[int, list[str]] = {}
    for _step in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "move", "edit"]))
        if op == "insert":
            identity = next(fresh, None)
            if identity is not None:
                new.insert(draw(st.integers(0, len(new))), identity)
        elif op == "delete" and len(new) > 1:
            new.pop(draw(st.integers(0, len(new) - 1)))
        elif op == "move" and len(new) > 1:
            item = new.pop(draw(st.integers(0, len(new) - 1)))
            new.insert(draw(st.integers(0, len(new))), item)
        elif op == "edit" and new:
            identity = draw(st.sampled_from(new))
            if identity < count:
                edited[identity] = [*words[identity][:2], f"cambio{seeds[identity]}"]
    return words, old, new, commented, edited


def body(words, identity, edited=None):
    return " ".join((edited or {}).get(identity, words[identity])) + "."


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=new_versions())
def test_every_comment_stays_on_the_text_it_was_about(territory, case):
    words, old, new, commented, edited = case
    v1_text = ordinance([body(words, i) for i in old])
    page = make_consultation(slug=f"propiedad-{next(slugs)}", text=v1_text)
    comments = {i: say(page, f"art-{old.index(i) + 1}") for i in commented}
    page = publish(page, ordinance([body(words, i, edited) for i in new]))
    latest = page.versions.order_by("-number").first()  # 1 when nothing changed
    v2 = {p.thread_id: p for p in latest.provisions.all()}
    for identity, comment in comments.items():
        if identity in new:
            assert v2[comment.thread_id].body == body(words, identity, edited)
        else:
            assert comment.thread_id not in v2
            assert provision(page, 1, f"art-{old.index(identity) + 1}").thread_id == (
                comment.thread_id
            )


# --- staff correct the matching before publishing ---------------------------------------


@pytest.fixture
def drafted(territory):
    """A zonal consultation in version 1, with a saved, unpublished draft that rewrites
    article 3 beyond recognition (so the proposal calls it new)."""
    page = make_consultation(
        ZonePage.objects.get(zone__slug="calderon"), slug="zonal-id", text=ordinance(TEXTS)
    )
    comment = say(page, "art-3", "Sobre las asambleas")
    rewritten = "Representación.- Cada barrio designa delegados por votación directa."
    draft = ordinance([TEXTS[0], TEXTS[1], rewritten, TEXTS[3], TEXTS[4]])
    page = save_draft(page, draft)
    return {"page": page, "comment": comment, "draft": draft, "url": matching_url(page)}


def matching_url(page):
    return f"/admin/consultas/{page.pk}/correspondencia/"


def test_the_admin_shows_the_proposed_matching_of_the_saved_draft(client, drafted):
    login_with_mfa(client, zone_staff("calderon"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(drafted["url"])
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="pair-art-3"' in html
    select = re.search(r'<select id="id_pair-art-3".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value=""\s+selected>', select)  # proposed: a new article
    assert "new article" in html and "removed" in html
    # The consultation's edit page links to it.
    edit = client.get(f"/admin/pages/{drafted['page'].pk}/edit/").content.decode()
    assert drafted["url"] in edit


def test_a_correction_is_stored_audited_and_applied_at_publication(client, drafted):
    staff = zone_staff("calderon")
    login_with_mfa(client, staff)
    page = drafted["page"]
    response = client.post(
        drafted["url"],
        {
            "draft_sha": matching.draft_sha(drafted["draft"]),
            "pair-art-1": "art-1",
            "pair-art-2": "art-2",
            "pair-art-3": "art-3",
            "pair-art-4": "art-4",
            "pair-art-5": "art-5",
        },
    )
    assert response.status_code == 302
    stored = ConsultationPage.objects.get(pk=page.pk).article_matching
    assert stored == {
        "draft_sha": matching.draft_sha(drafted["draft"]),
        "version": 1,
        "pairs": {"art-3": "art-3"},
    }
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    shown = client.get(drafted["url"]).content.decode()
    assert "corrected by staff" in shown
    select = re.search(r'<select id="id_pair-art-3".*?</select>', shown, re.S).group(0)
    assert re.search(r'<option value="art-3"\s+selected>', select)
    entry = PageLogEntry.objects.get(page=page, action=audit.MATCHING_CORRECT)
    assert entry.user_id == staff.pk and entry.data["pairs"] == {"art-3": "art-3"}
    # The editor publishes the draft (from its latest revision): the correction applies.
    publish(page, drafted["draft"])
    assert provision(page, 2, "art-3").thread_id == drafted["comment"].thread_id


def test_without_the_correction_the_rewritten_article_is_new(drafted):
    publish(drafted["page"], drafted["draft"])
    assert provision(drafted["page"], 2, "art-3").thread_id != drafted["comment"].thread_id


def test_stale_corrections_are_ignored_once_the_draft_changes(drafted):
    page = drafted["page"]
    services.matching_correct(
        consultation=page, actor=zone_staff("calderon"), pairs={"art-3": "art-3"}
    )
    changed = drafted["draft"].replace("votación directa", "votación directa y secreta")
    publish(page, changed)
    assert provision(page, 2, "art-3").thread_id != drafted["comment"].thread_id


def test_bad_keys_are_errors_not_crashes(client, drafted):
    login_with_mfa(client, zone_staff("calderon"))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    sha = matching.draft_sha(drafted["draft"])
    for data in (
        {"pair-art-3": "art-99"},
        {"pair-art-77": "art-1"},
        {"pair-art-3": "art-1"},  # art-1 would continue twice
        {"pair-art-3": "<script>"},
    ):
        response = client.post(drafted["url"], {"draft_sha": sha, **data})
        assert response.status_code == 400, data
        assert 'role="alert"' in response.content.decode()
        assert "<script>" not in response.content.decode()
    response = client.post(drafted["url"], {"draft_sha": "0" * 64, "pair-art-3": "art-3"})
    assert response.status_code == 400 and "The draft changed" in response.content.decode()
    assert ConsultationPage.objects.get(pk=drafted["page"].pk).article_matching == {}
    assert not PageLogEntry.objects.filter(action=audit.MATCHING_CORRECT).exists()


def test_other_zones_staff_and_sessions_without_mfa_are_refused(client, drafted):
    login_with_mfa(client, zone_staff("tumbaco"))
    assert client.get(drafted["url"]).status_code == 403
    assert client.post(drafted["url"], {"pair-art-3": "art-3"}).status_code == 403
    edit = client.get(f"/admin/pages/{drafted['page'].pk}/edit/")
    assert drafted["url"] not in edit.content.decode()
    client.logout()
    client.force_login(zone_staff("calderon", mfa=False))
    response = client.post(drafted["url"], {"pair-art-3": "art-3"})
    assert response.status_code == 302 and "correspondencia" not in response["Location"]
    assert ConsultationPage.objects.get(pk=drafted["page"].pk).article_matching == {}
    with pytest.raises(services.PermissionDenied):
        services.matching_correct(
            consultation=drafted["page"],
            actor=zone_staff("calderon", mfa=False),
            pairs={"art-3": "art-3"},
        )


def test_nothing_to_match_without_unpublished_changes(client, territory):
    page = make_consultation(
        ZonePage.objects.get(zone__slug="calderon"), slug="sin-cambios", text=ordinance(TEXTS)
    )
    login_with_mfa(client, zone_staff("calderon"))
    response = client.get(matching_url(page))
    assert response.status_code == 200 and 'name="pair-' not in response.content.decode()
    with pytest.raises(services.DomainError):
        services.matching_correct(
            consultation=page, actor=zone_staff("calderon"), pairs={"art-1": ""}
        )


def test_the_publish_preview_shows_the_proposed_matching(drafted):
    draft = ConsultationPage.objects.get(pk=drafted["page"].pk).get_latest_revision_as_object()
    html = draft.make_preview_request().content.decode()
    assert 'class="preview-matching"' in html
    assert matching_url(drafted["page"]) in html
    # The draft is shown, not the published version beside it.
    assert "Cada barrio designa delegados" in html
    assert "Las asambleas barriales eligen" not in html
