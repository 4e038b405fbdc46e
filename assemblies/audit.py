"""Audit log actions for staff actions in assemblies, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

START = "assemblies.start"
END = "assemblies.end"
AGENDA = "assemblies.agenda_advance"
ANNOUNCE = "assemblies.announce"
POLL_OPEN = "assemblies.poll_open"
POLL_CLOSE = "assemblies.poll_close"
POLL_REOPEN = "assemblies.poll_reopen"
ROOM_COUNT = "assemblies.room_count"
RESULTS = "assemblies.results_publish"
MODERATE = "assemblies.question_moderate"


@hooks.register("register_log_actions")
def register_assembly_actions(actions):
    actions.register_action(START, _("Start assembly"), _("Assembly started"))
    actions.register_action(END, _("End assembly"), _("Assembly ended"))
    actions.register_action(AGENDA, _("Advance agenda"), _("Agenda advanced"))
    actions.register_action(ANNOUNCE, _("Post announcement"), _("Announcement posted"))
    actions.register_action(POLL_OPEN, _("Open vote"), _("Vote opened"))
    actions.register_action(POLL_CLOSE, _("Close vote"), _("Vote closed"))
    actions.register_action(POLL_REOPEN, _("Reopen vote"), _("Vote reopened"))
    actions.register_action(ROOM_COUNT, _("Enter hand count"), _("Hand count entered"))
    actions.register_action(RESULTS, _("Publish results"), _("Results published"))
    actions.register_action(MODERATE, _("Moderate question"), _("Question moderated"))
