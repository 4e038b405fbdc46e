"""Admin hooks of the assemblies: from an assembly's edit page to its control panel."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from quitodecide import rulebook
from quitodecide.pages import subpage_url

from .models import AssemblyPage


@hooks.register("register_page_header_buttons")
def control_panel_button(page, user, view_name, next_url=None):
    """A "Control panel" entry in the header of an assembly's edit page (and its other admin
    views), for whoever the rule book lets run it: the zone's staff."""
    if page.specific_class is not AssemblyPage or not page.live:
        return
    assembly = page.specific_deferred
    # The admin itself is behind the MFA gate, so a staff session here has passed it.
    if not rulebook.allowed(user, "assemblies.run", assembly):
        return
    yield Button(
        _("Control panel"),
        subpage_url(assembly, "control"),
        icon_name="view",
        priority=5,
        attrs={"data-assembly-control": str(assembly.pk)},
    )
