"""Budget staff pages reachable from the admin: a “Participatory budgets” menu item lists
the cycles of the staff member's zones with their staff pages (requests, envelopes,
booth, assembly tallies, results), and a cycle's edit page links them in its header menu.

The staff pages themselves stay where they are (the cycle's public routes, budgets.views);
each link is shown only when the rule book lets the user act there now."""

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from quitodecide import rulebook
from territory.permissions import staff_zones

from .models import BudgetCyclePage


def staff_links(user, cycle, request=None) -> list[dict]:
    """The staff pages of `cycle` that `user` may use now: key, label and URL each."""
    base = cycle.get_url(request) or ""
    links = [{"key": "requests", "label": _("Requests and verdicts"), "route": "requests"}]
    if rulebook.allowed(user, "budgets.manage_envelopes", cycle):
        links.append({"key": "envelopes", "label": _("Parish envelopes"), "route": "envelopes"})
    if rulebook.allowed(user, "budgets.booth_vote", cycle):
        links.append({"key": "booth", "label": _("Booth: register votes"), "route": "booth"})
    if rulebook.allowed(user, "budgets.record_tally", cycle):
        links.append({"key": "tallies", "label": _("Assembly tallies"), "route": "tallies"})
    links.append({"key": "results", "label": _("Results"), "route": "results"})
    for link in links:
        link["url"] = base + cycle.reverse_subpage(link.pop("route"))
    return links


def cycles_index(request):
    zones = staff_zones(request.user)
    if zones == []:
        raise HttpForbidden(_("Only zone staff manage participatory budgets."))
    cycles = (
        BudgetCyclePage.objects.filter(**({} if zones is None else {"zone__in": zones}))
        .select_related("zone")
        .prefetch_related("phases")
        .order_by("zone__name", "-year")
    )
    rows = [
        {
            "cycle": cycle,
            "phase": cycle.current_phase,
            "links": staff_links(request.user, cycle, request) if cycle.live else [],
        }
        for cycle in cycles
    ]
    return TemplateResponse(request, "home/admin/budget_cycles.html", {"rows": rows})


@hooks.register("register_admin_urls")
def register_budget_admin_urls():
    return [path("presupuestos/", cycles_index, name="budgets_staff_index")]


class BudgetsMenuItem(MenuItem):
    def is_shown(self, request):
        return staff_zones(request.user) != []


@hooks.register("register_admin_menu_item")
def register_budgets_menu_item():
    return BudgetsMenuItem(
        gettext_lazy("Participatory budgets"),
        reverse("budgets_staff_index"),
        icon_name="tasks",
        order=250,
    )


@hooks.register("register_page_header_buttons")
def cycle_staff_buttons(page, user, view_name, next_url=None):
    """On a cycle's edit page: its staff pages, in the header's “more” menu. (Listings
    pass plain pages; only a cycle that is already specific gets buttons, no query.)"""
    if not isinstance(page, BudgetCyclePage) or not page.live:
        return []
    return [
        Button(link["label"], link["url"], icon_name="link-external", priority=90 + index)
        for index, link in enumerate(staff_links(user, page))
    ]
