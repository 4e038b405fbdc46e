"""The admin dashboard's “Tareas de mi zona” panel: each task of the staff member's zone,
linked to where it is done; nothing of another zone; what the rule book refuses (a phase
that is closed, a work already finished) is no task; a fixed number of queries."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assemblies.models import AssemblyKind, AssemblyPage, Poll, PollOption
from budgets.models import AssemblyTally
from discussions import services as discussion_services
from discussions.models import Thread
from home.staff_tasks import update_due_before
from territory.models import Parish, Zone, ZonePage
from tests.budgets.builders import make_cycle, make_request, make_staff
from tests.factories import UserFactory, login_with_mfa
from tests.works.builders import make_work
from works.models import Work
from works.status import WorkStatus

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


def flag_comment(zone_slug, body):
    thread = Thread.objects.create(zone=Zone.objects.get(slug=zone_slug), title=f"Hilo {body}")
    comment = discussion_services.comment_create(thread=thread, author=UserFactory(), body=body)
    discussion_services.flag_create(comment=comment, user=UserFactory(), reason="ofensivo")
    return comment


def make_assembly(zone_slug, title, *, starts_at=None):
    page = AssemblyPage(
        title=title,
        slug=re.sub(r"[^a-z0-9]+", "-", title.lower()),
        kind=AssemblyKind.ZONAL,
        starts_at=starts_at or timezone.now(),
        place="Casa barrial",
    )
    ZonePage.objects.get(zone__slug=zone_slug).add_child(instance=page)
    page.save_revision().publish()
    return AssemblyPage.objects.get(pk=page.pk)


def poll_without_hand_count(assembly, question):
    poll = Poll.objects.create(
        assembly=assembly,
        question=question,
        mode=Poll.Mode.ROOM,
        status=Poll.Status.CLOSED,
        closed_at=timezone.now(),
    )
    PollOption.objects.create(poll=poll, label="Sí", position=0)
    PollOption.objects.create(poll=poll, label="No", position=1)
    return poll


def stale_work(zone_slug, title, *, status=WorkStatus.UNDER_WAY, days=45):
    work = make_work(zone_slug, status=status, title=title)
    old = timezone.localdate() - datetime.timedelta(days=days)
    Work.objects.filter(pk=work.pk).update(last_update_on=old)
    return work


def zone_tasks(zone_slug, tag):
    """One task of each kind in `zone_slug`, every title carrying `tag`."""
    made = {"comment": flag_comment(zone_slug, f"Comentario {tag}")}
    cycle = make_cycle(zone_slug, phase="requests")
    made["request"] = make_request(cycle, title=f"Solicitud {tag}", viable=None)
    made["cycle"] = cycle
    tally_cycle = make_cycle(zone_slug, year=2025, phase="prioritisation")
    made["tally_cycle"] = tally_cycle
    made["assembly"] = make_assembly(zone_slug, f"Asamblea {tag}")
    earlier = make_assembly(
        zone_slug, f"Asamblea pasada {tag}", starts_at=timezone.now() - datetime.timedelta(days=9)
    )
    made["poll"] = poll_without_hand_count(earlier, f"Votación {tag}")
    made["earlier"] = earlier
    made["work"] = stale_work(zone_slug, f"Obra {tag}")
    return made


def dashboard(client, user):
    login_with_mfa(client, user)
    response = client.get(ADMIN)
    assert response.status_code == 200
    return response.content.decode()


def panel(html):
    match = re.search(r"<div data-staff-tasks>(.*?)</div>\s*</div>\s*</section>", html, re.S)
    assert match, "no staff tasks panel"
    return match.group(1)


def test_zone_staff_see_each_task_of_their_zone_linked_to_where_it_is_done(client, territory):
    own = zone_tasks("calderon", "Calderón")
    other = zone_tasks("tumbaco", "Tumbaco")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    html = panel(dashboard(client, make_staff("calderon")))

    cycle = own["cycle"]
    expected_links = [
        reverse("moderacion:edit", args=[own["comment"].pk]),
        cycle.url + cycle.reverse_subpage("request_verdict", args=[own["request"].pk]),
        own["assembly"].url + own["assembly"].reverse_subpage("control"),
        own["earlier"].url + own["earlier"].reverse_subpage("control"),
        reverse("avances-obras:add") + f"?work={own['work'].pk}",
    ]
    for link in expected_links:
        assert f'href="{link}"' in html, link
    tallies = own["tally_cycle"].url + own["tally_cycle"].reverse_subpage("tallies")
    parishes = Parish.objects.filter(zone__slug="calderon").count()
    assert html.count(f'href="{tallies}?parroquia=') == min(parishes, 5)
    assert f'data-task="tallies" data-count="{parishes}"' in html
    for kind in ("moderation", "verdicts", "room_counts", "assemblies_today", "works_due"):
        assert f'data-task="{kind}" data-count="1"' in html, kind
    # The cycle in its voting phase: its booth page, where in-person voters are registered.
    booth = own["tally_cycle"].url + own["tally_cycle"].reverse_subpage("booth")
    assert 'data-task="booths" data-count="1"' in html and f'href="{booth}"' in html
    assert "1 flagged comment awaiting moderation" in html
    assert "1 budget request awaiting a verdict" in html
    assert "1 assembly today" in html
    # Nothing of Tumbaco: no title, no link, no zone heading.
    assert "Tumbaco" not in html
    other_cycle = other["cycle"]
    for link in [
        reverse("moderacion:edit", args=[other["comment"].pk]),
        other_cycle.url
        + other_cycle.reverse_subpage("request_verdict", args=[other["request"].pk]),
        reverse("avances-obras:add") + f"?work={other['work'].pk}",
        other["tally_cycle"].url,
    ]:
        assert f'href="{link}' not in html, link
    assert other["assembly"].url not in html and other["earlier"].url not in html


def test_the_city_wide_team_see_every_zone_grouped(client, territory):
    zone_tasks("calderon", "Calderón")
    zone_tasks("tumbaco", "Tumbaco")
    html = panel(dashboard(client, make_staff(city=True)))
    zones = re.findall(r'data-zone="([a-z-]+)"', html)
    assert zones == ["calderon", "tumbaco"]  # by name, each with its own tasks
    assert html.count('data-task="verdicts" data-count="1"') == 2


def test_what_the_rule_book_refuses_is_no_task(client, territory):
    # Requests of a cycle past pre-feasibility (no verdict can be recorded), tallies of a
    # cycle not yet voting, works finished or updated this month, a poll already counted.
    cycle = make_cycle("calderon", phase="results")
    make_request(cycle, title="Solicitud tardía", viable=None)
    make_cycle("calderon", year=2025, phase="requests")
    stale_work("calderon", "Obra terminada", status=WorkStatus.FINISHED)
    stale_work("calderon", "Obra al día", days=3)
    stale_work("calderon", "Obra suspendida", status=WorkStatus.SUSPENDED)
    assembly = make_assembly(
        "calderon", "Asamblea vieja", starts_at=timezone.now() - datetime.timedelta(days=9)
    )
    poll = poll_without_hand_count(assembly, "Ya contada")
    PollOption.objects.filter(poll=poll).update(room_count=12)
    html = panel(dashboard(client, make_staff("calderon")))
    for kind in ("verdicts", "works_due", "room_counts", "assemblies_today", "moderation"):
        assert f'data-task="{kind}"' not in html, kind
    # The results cycle still takes late actas: its tallies are tasks; the other is not.
    tallies = cycle.url + cycle.reverse_subpage("tallies")
    assert f'href="{tallies}?parroquia=' in html
    assert 'data-task="tallies"' in html and "/2025/actas/" not in html


def test_an_entered_tally_is_no_longer_a_task(client, territory):
    cycle = make_cycle("calderon", phase="prioritisation")
    parishes = list(Parish.objects.filter(zone=cycle.zone).order_by("name"))
    for parish in parishes[1:]:
        AssemblyTally.objects.create(
            cycle=cycle, parish=parish, held_on=timezone.localdate(), attendees=10
        )
    html = panel(dashboard(client, make_staff("calderon")))
    assert 'data-task="tallies" data-count="1"' in html
    assert f"?parroquia={parishes[0].pk}" in html
    assert f"?parroquia={parishes[1].pk}" not in html


def test_staff_with_nothing_to_do_are_told_so(client, territory):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    html = panel(dashboard(client, make_staff("calderon")))
    assert "data-staff-tasks-empty" in html and "Nothing is waiting for you" in html


def test_an_admin_user_of_no_zone_gets_no_panel(client, territory):
    user = UserFactory()
    group = Group.objects.create(name="Solo lectura")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    html = dashboard(client, user)
    assert "data-staff-tasks" not in html


def test_the_panel_costs_the_same_queries_for_one_task_or_many(client, territory):
    staff = make_staff(city=True)
    login_with_mfa(client, staff)
    zone_tasks("calderon", "uno")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ADMIN).status_code == 200
        return len(queries)

    client.get(ADMIN)  # warm the per-process caches (site root paths, content types)
    few = count()
    zone_tasks("tumbaco", "dos")
    zone_tasks("quitumbe", "tres")
    for index in range(4):
        flag_comment("calderon", f"Otro comentario {index}")
        stale_work("calderon", f"Otra obra {index}")
    many = count()
    assert many == few, (few, many)
    # And the panel alone stays small.
    from home.staff_tasks import staff_tasks

    request = client.get(ADMIN).wsgi_request
    request.user = staff
    with CaptureQueriesContext(connection) as queries:
        groups = staff_tasks(request)
    assert len(groups) == 3
    assert len(queries) <= 14, [q["sql"][:80] for q in queries.captured_queries]


@pytest.mark.parametrize(
    ("today", "due_before"),
    [
        (datetime.date(2026, 5, 15), datetime.date(2026, 4, 15)),
        (datetime.date(2026, 3, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2026, 1, 10), datetime.date(2025, 12, 10)),
        (datetime.date(2028, 3, 30), datetime.date(2028, 2, 29)),
    ],
)
def test_a_monthly_update_is_due_after_one_calendar_month(today, due_before):
    assert update_due_before(today) == due_before


# --- every budget staff page is reachable from the admin ----------------------------------
def test_the_admin_menu_lists_the_zones_cycles_with_their_staff_pages(client, territory):
    voting = make_cycle("calderon", phase="prioritisation")
    taking = make_cycle("calderon", year=2025, phase="requests")
    other = make_cycle("tumbaco", phase="requests")
    html = dashboard(client, make_staff("calderon"))
    index = reverse("budgets_staff_index")
    assert f'"{index}"' in html or f"{index}" in html  # the menu item
    listing = client.get(index)
    assert listing.status_code == 200
    page = listing.content.decode()
    assert f'data-cycle="{voting.pk}"' in page and f'data-cycle="{taking.pk}"' in page
    assert f'data-cycle="{other.pk}"' not in page and other.url not in page
    # Each staff page while the rule book lets this user act there now.
    tallies = voting.url + voting.reverse_subpage("tallies")
    envelopes = taking.url + taking.reverse_subpage("envelopes")
    assert f'href="{tallies}" data-link="tallies"' in page
    assert f'href="{envelopes}" data-link="envelopes"' in page
    assert voting.url + voting.reverse_subpage("envelopes") not in page  # voting started
    assert taking.url + taking.reverse_subpage("tallies") not in page
    for cycle in (voting, taking):
        assert f'href="{cycle.url}{cycle.reverse_subpage("results")}"' in page
        assert reverse("wagtailadmin_pages:edit", args=[cycle.pk]) in page


def test_residents_and_other_admin_users_get_no_budget_staff_index(client, territory):
    user = UserFactory()
    group = Group.objects.create(name="Solo lectura")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    make_cycle("calderon", phase="requests")
    index = reverse("budgets_staff_index")
    assert index not in dashboard(client, user)  # no menu item
    # Refused (Wagtail turns the 403 into a redirect to the dashboard with a message).
    response = client.get(index)
    assert response.status_code == 302 and response["Location"] == ADMIN


def test_a_cycles_edit_page_links_its_staff_pages(client, territory):
    cycle = make_cycle("calderon", phase="prioritisation")
    login_with_mfa(client, make_staff("calderon"))
    html = client.get(reverse("wagtailadmin_pages:edit", args=[cycle.pk])).content.decode()
    for route in ("requests", "tallies", "results"):
        assert f'href="{cycle.url}{cycle.reverse_subpage(route)}"' in html, route
    assert f'href="{cycle.url}{cycle.reverse_subpage("envelopes")}"' not in html
