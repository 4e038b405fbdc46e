"""What each API resource publishes, and what it never does: comments without authors and
never hidden or deleted ones, only live and public pages, results and tallies only once
published, poll results only when published, works without committee or RUC."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from assemblies.models import AssemblyPage, Poll, PollOption
from budgets import services as budget_services
from budgets.models import BudgetCyclePage, ResultSet
from discussions.models import Comment
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    new_cedula,
    set_phase,
)
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory
from tests.works.builders import make_work
from works.models import CommitteeMember

pytestmark = pytest.mark.django_db


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    return response.json()


def all_text(data) -> str:
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture
def consultation_with_comments(territory):
    page = make_consultation(slug="consulta-api")
    version = page.versions.last()
    article = version.provisions.exclude(thread=None).filter(kind="article").first()
    author = ResidentFactory(user__email="vecina.privada@example.ec", display_name="Vecina")
    user = author.user
    visible = Comment.objects.create(
        thread=article.thread, author=user, body="Apoyo este artículo.", stance="favor"
    )
    Comment.objects.create(
        thread=article.thread,
        author=user,
        body="Texto ocultado por moderación.",
        stance="contra",
        status=Comment.Status.HIDDEN,
        moderation_reason="Insultos",
    )
    Comment.objects.create(
        thread=article.thread,
        author=user,
        body="Texto borrado por su autora.",
        status=Comment.Status.DELETED,
    )
    general = Comment.objects.create(
        thread=page.general_thread, author=user, body="Comentario general.", stance="neutral"
    )
    for thread in (article.thread, page.general_thread):
        thread.refresh_from_db()
    article.thread.comment_count, article.thread.favor_count = 1, 1
    article.thread.save()
    page.general_thread.comment_count, page.general_thread.neutral_count = 1, 1
    page.general_thread.save()
    return page, article, visible, general, user


def test_consultation_comments_are_anonymous_and_only_visible(client, consultation_with_comments):
    page, article, visible, general, user = consultation_with_comments
    body = get_json(client, f"/api/v1/consultations/{page.pk}/comments")
    assert body["count"] == 2
    by_id = {c["id"]: c for c in body["results"]}
    assert set(by_id) == {visible.pk, general.pk}
    assert by_id[visible.pk]["article"] == article.key
    assert by_id[visible.pk]["stance"] == "favor"
    assert by_id[visible.pk]["text"] == "Apoyo este artículo."
    assert by_id[general.pk]["article"] is None
    text = all_text(body)
    for secret in ("ocultado", "borrado", "Insultos", "vecina.privada", "Vecina"):
        assert secret not in text, secret
    for key in ("author", "author_id", "user", "email", "moderation_reason"):
        assert key not in by_id[visible.pk]
    assert str(user.pk) not in {str(value) for value in by_id[visible.pk].values()} - {
        str(visible.pk)
    }

    only_article = get_json(
        client, f"/api/v1/consultations/{page.pk}/comments?article={article.key}"
    )
    assert [c["id"] for c in only_article["results"]] == [visible.pk]
    general_only = get_json(client, f"/api/v1/consultations/{page.pk}/comments?article=general")
    assert [c["id"] for c in general_only["results"]] == [general.pk]
    assert get_json(client, f"/api/v1/consultations/{page.pk}/comments?stance=contra")["count"] == 0
    bad = get_json(client, f"/api/v1/consultations/{page.pk}/comments?article=art-999", status=400)
    assert bad["errors"][0]["field"] == "article"


def test_consultation_detail_has_articles_with_stance_counts(client, consultation_with_comments):
    page, article, *_rest = consultation_with_comments
    body = get_json(client, f"/api/v1/consultations/{page.pk}")
    assert body["title"] == page.title and body["status"] == "abierta"
    articles = {a["key"]: a for a in body["articles"]}
    assert articles[article.key]["comments"] == {"total": 1, "favor": 1, "contra": 0, "neutral": 0}
    assert body["general_comments"]["neutral"] == 1
    assert body["comments"]["total"] == 2
    assert [a["kind"] for a in body["articles"]].count("heading") >= 1
    assert all(a["comments"] is None for a in body["articles"] if a["kind"] == "heading")
    listed = get_json(client, "/api/v1/consultations")["results"]
    assert [c["id"] for c in listed] == [page.pk]
    assert get_json(client, "/api/v1/consultations?zone=ciudad")["count"] == 1
    assert get_json(client, "/api/v1/consultations?zone=calderon")["count"] == 0
    assert get_json(client, "/api/v1/consultations?status=cerrada")["count"] == 0


def test_unpublished_or_private_pages_never_appear(client, consultation_with_comments):
    page, *_rest = consultation_with_comments
    page.unpublish()
    assert get_json(client, "/api/v1/consultations")["count"] == 0
    get_json(client, f"/api/v1/consultations/{page.pk}", status=404)
    get_json(client, f"/api/v1/consultations/{page.pk}/comments", status=404)

    cycle = make_cycle("calderon")
    PageViewRestriction.objects.create(page=cycle, restriction_type="login")
    assert get_json(client, "/api/v1/budget-cycles")["count"] == 0
    get_json(client, f"/api/v1/budget-cycles/{cycle.pk}/requests", status=404)


def test_budget_requests_carry_no_author(client, territory):
    cycle = make_cycle("calderon")
    author = ResidentFactory(user__email="solicitante@example.ec", display_name="Don Pepe").user
    item = make_request(cycle, author=author, title="Cancha cubierta")
    body = get_json(client, f"/api/v1/budget-cycles/{cycle.pk}/requests")
    (row,) = body["results"]
    assert row["reference"] == item.reference and row["verdict"]["viable"] is True
    assert row["parish"] == item.parish.dpa_code
    text = all_text(body)
    assert "solicitante@" not in text and "Don Pepe" not in text
    assert "author" not in row
    assert (
        get_json(client, f"/api/v1/budget-cycles/{cycle.pk}/requests?status=not_viable")["count"]
        == 0
    )
    assert get_json(client, f"/api/v1/budget-cycles/{cycle.pk}/requests?status=x", status=400)


def test_results_and_tallies_only_once_published(client, territory):
    call_command("load_demo_budgets", verbosity=0)
    published = BudgetCyclePage.objects.filter(results__isnull=False).distinct().first()
    assert published is not None
    listed = {c["id"]: c for c in get_json(client, "/api/v1/budget-cycles")["results"]}
    assert listed[published.pk]["results_published"] is True
    results = get_json(client, f"/api/v1/budget-cycles/{published.pk}/results")
    assert len(results) == ResultSet.objects.filter(cycle=published).count()
    lines = [line for result in results for line in result["lines"]]
    assert lines and [line["rank"] for line in results[0]["lines"]] == sorted(
        line["rank"] for line in results[0]["lines"]
    )
    assert all(
        line["votes"] == line["online_votes"] + line["booth_votes"] + line["assembly_votes"]
        for line in lines
    )
    tallies = get_json(client, f"/api/v1/budget-cycles/{published.pk}/tallies")
    assert tallies == [] or all("recorded_by" not in tally for tally in tallies)
    assert "@" not in all_text(results) + all_text(tallies)

    staff = make_staff(city=True)
    budget_services.results_withdraw(cycle=published, actor=staff, confirm=True, reason="Error")
    assert get_json(client, f"/api/v1/budget-cycles/{published.pk}/results") == []
    assert get_json(client, f"/api/v1/budget-cycles/{published.pk}/tallies") == []
    detail = get_json(client, f"/api/v1/budget-cycles/{published.pk}")
    assert detail["results_published"] is False
    assert detail["figures"]["requests"] > 0


def test_results_count_booth_votes_apart(client, territory):
    """A vote registered in person at a booth is published as a booth vote on its line,
    added to the total, and not as an online vote."""
    cycle = make_cycle("calderon", total=Decimal("60000.00"), phase="prioritisation")
    park = make_request(cycle, title="Parque", cost=Decimal("30000.00"))
    light = make_request(cycle, title="Alumbrado", cost=Decimal("20000.00"))
    staff = make_staff("calderon")  # with MFA passed (the rule book asks)
    budget_services.ballot_submit(
        cycle=cycle, user=make_resident("calderon"), request_ids=[park.pk]
    )
    budget_services.booth_vote(
        cycle=cycle, actor=staff, cedula=new_cedula(), request_ids=[park.pk], booth="Mesa 1"
    )
    budget_services.booth_vote(
        cycle=cycle, actor=staff, cedula=new_cedula(), request_ids=[light.pk], booth="Mesa 1"
    )
    cycle = set_phase(cycle, "results")
    budget_services.results_publish(cycle=cycle, actor=staff)
    (result,) = get_json(client, f"/api/v1/budget-cycles/{cycle.pk}/results")
    counts = {
        line["request_id"]: (
            line["online_votes"],
            line["booth_votes"],
            line["assembly_votes"],
            line["votes"],
        )
        for line in result["lines"]
    }
    assert counts == {park.pk: (1, 1, 0, 2), light.pk: (0, 1, 0, 1)}


def test_assembly_polls_only_with_published_results(client, territory):
    from territory.models import ZonePage
    from tests.assemblies.conftest import make_assembly

    page = make_assembly(ZonePage.objects.get(zone__slug="calderon"))
    hidden = Poll.objects.create(assembly=page, question="¿Secreta?", mode="room", status="closed")
    PollOption.objects.create(poll=hidden, label="Sí", room_count=9)
    shown = Poll.objects.create(
        assembly=page,
        question="¿Aprueba el informe?",
        mode="room",
        status="closed",
        results_published=True,
    )
    PollOption.objects.create(poll=shown, label="Sí", room_count=30, position=0)
    PollOption.objects.create(poll=shown, label="No", room_count=4, position=1)
    body = get_json(client, f"/api/v1/assemblies/{page.pk}")
    assert [poll["question"] for poll in body["polls"]] == ["¿Aprueba el informe?"]
    assert [(o["label"], o["total"]) for o in body["polls"][0]["options"]] == [
        ("Sí", 30),
        ("No", 4),
    ]
    assert [item["title"] for item in body["agenda"]] == ["Apertura", "Informe", "Cierre"]
    assert body["zone"] == "calderon" and body["status"] == "programada"
    listed = get_json(client, "/api/v1/assemblies?zone=calderon&year=2026&status=programada")
    assert [a["id"] for a in listed["results"]] == [page.pk]
    assert get_json(client, "/api/v1/assemblies?zone=eloy-alfaro")["count"] == 0
    assert get_json(client, "/api/v1/assemblies?status=finalizada")["count"] == 0
    AssemblyPage.objects.get(pk=page.pk).unpublish()
    get_json(client, f"/api/v1/assemblies/{page.pk}", status=404)


def test_works_without_committee_or_ruc(client, territory):
    work = make_work(
        "calderon",
        status="en_ejecucion",
        contractor_name="Constructora Andina",
        contractor_ruc="1790012345001",
    )
    CommitteeMember.objects.create(
        work=work,
        display_name="María Veedora",
        phone="0999999999",
        email="veedora@example.ec",
        consents_to_publish_name=False,
    )
    (row,) = get_json(client, "/api/v1/works")["results"]
    assert row["code"] == work.code and row["contractor"] == "Constructora Andina"
    assert row["physical_progress"] == 30.0 and row["zone"] == "calderon"
    assert row["url"].endswith(f"/obras/{work.code}/")
    detail = get_json(client, f"/api/v1/works/{work.code}")
    assert [u["status"] for u in detail["updates"]][0] == "en_ejecucion"
    text = all_text(detail) + all_text(row)
    for secret in ("1790012345001", "María Veedora", "0999999999", "veedora@"):
        assert secret not in text, secret


def test_datasets_indicators_and_plans(client, territory):
    datasets = get_json(client, "/api/v1/datasets")
    assert datasets["count"] >= 1
    first = datasets["results"][0]
    assert first["licence"] and first["distributions"]
    assert all(d["url"].startswith("http://testserver/") for d in first["distributions"])
    assert first["dictionary"]


def test_indicator_endpoints_when_the_indicators_module_exists(client, territory):
    selectors = pytest.importorskip("indicators.selectors")
    methodologies = get_json(client, "/api/v1/indicators/methodologies")
    assert {m["slug"] for m in methodologies} == {m["slug"] for m in selectors.methodologies()}
    rows = get_json(client, "/api/v1/indicators?page_size=100")
    assert rows["count"] == len(selectors.indicator_rows())
    zone_rows = get_json(client, "/api/v1/indicators?zone=calderon")
    assert zone_rows["count"] == len(selectors.indicator_rows(zone_slug="calderon"))
    assert get_json(client, "/api/v1/indicators?zone=atlantida", status=400)


def test_open_government_endpoint_when_the_module_exists(client, territory):
    selectors = pytest.importorskip("opengov.selectors")
    plans = get_json(client, "/api/v1/open-government/plans")
    assert [plan["slug"] for plan in plans] == [plan["slug"] for plan in selectors.plans()]


def test_budget_money_is_a_number(client, territory):
    cycle = make_cycle("calderon", total=Decimal("123456.78"))
    body = get_json(client, f"/api/v1/budget-cycles/{cycle.pk}")
    assert body["total_amount_usd"] == 123456.78
    assert [p["kind"] for p in body["phases"]][0] == "requests"
