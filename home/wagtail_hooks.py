"""The admin dashboard's “Tareas de mi zona” panel (home.staff_tasks)."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from territory.permissions import staff_zones

from .staff_tasks import staff_tasks


class StaffTasksPanel(Component):
    """The staff member's tasks by zone, first on the dashboard."""

    name = "staff_tasks"
    template_name = "home/admin/staff_tasks.html"
    order = 50  # before Wagtail's own panels (110 and up)

    def __init__(self, request, zones):
        self.request = request
        self.zones = zones

    def get_context_data(self, parent_context=None):
        groups = staff_tasks(self.request, self.zones)
        return {
            "groups": groups,
            "has_tasks": any(group.tasks for group in groups),
            "city_wide": self.zones is None,
        }


@hooks.register("construct_homepage_panels")
def add_staff_tasks_panel(request, panels):
    zones = staff_zones(request.user)
    if zones != []:
        panels.insert(0, StaffTasksPanel(request, zones))
