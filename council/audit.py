"""Audit log actions for the council secretariat's work, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

SESSION_SAVE = "council.session_save"
SESSION_DELETE = "council.session_delete"
RECORD_SAVE = "council.record_save"  # councillors, agenda items, attendance, roll-call votes
EMPTY_SEAT_DECIDE = "council.empty_seat_decide"


@hooks.register("register_log_actions")
def register_council_actions(actions):
    actions.register_action(SESSION_SAVE, _("Save council session"), _("Council session saved"))
    actions.register_action(
        SESSION_DELETE, _("Delete council session"), _("Council session deleted")
    )
    actions.register_action(RECORD_SAVE, _("Save council record"), _("Council record saved"))
    actions.register_action(
        EMPTY_SEAT_DECIDE,
        _("Accredit or reject an empty-seat application"),
        _("Empty-seat application decided"),
    )
