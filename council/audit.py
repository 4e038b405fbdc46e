"""Audit log actions for the council secretariat's work, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

SESSION_SAVE = "council.session_save"
SESSION_DELETE = "council.session_delete"
RECORD_SAVE = "council.record_save"  # councillors, commissions, agenda items
RECORD_DELETE = "council.record_delete"
ATTENDANCE_SAVE = "council.attendance_save"
ROLL_CALL_SAVE = "council.roll_call_save"
EMPTY_SEAT_DECIDE = "council.empty_seat_decide"


@hooks.register("register_log_actions")
def register_council_actions(actions):
    actions.register_action(SESSION_SAVE, _("Save council session"), _("Council session saved"))
    actions.register_action(
        SESSION_DELETE, _("Delete council session"), _("Council session deleted")
    )
    actions.register_action(RECORD_SAVE, _("Save council record"), _("Council record saved"))
    actions.register_action(RECORD_DELETE, _("Delete council record"), _("Council record deleted"))
    actions.register_action(
        ATTENDANCE_SAVE, _("Record session attendance"), _("Session attendance recorded")
    )
    actions.register_action(
        ROLL_CALL_SAVE, _("Record a roll-call vote"), _("Roll-call vote recorded")
    )
    actions.register_action(
        EMPTY_SEAT_DECIDE,
        _("Accredit or reject an empty-seat application"),
        _("Empty-seat application decided"),
    )
