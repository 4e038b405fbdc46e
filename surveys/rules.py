"""The rule book's survey actions.

Targets:
- "survey": phases "upcoming" (unpublished or not open yet), "open" (answered with an
  account), "open_invitation" (open, answered by invitation only), "closed" (results
  public) and "closed_private" (results for staff only).
- "survey_invitation": a valid invitation (surveys.invitations.Invitation) to a survey
  answered by invitation; phases "open" and "closed".
"""

import rules
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import (
    EVERYONE,
    STAFF_OF_ZONE,
    WITH_VERIFIED_EMAIL,
    Refusal,
    RefusalKind,
    action,
    because,
    has_verified_email,
    passed_mfa,
    staff_of,
)


def survey_zone(survey):
    return survey.zone


def invitation_zone(invitation):
    return invitation.survey.zone


@rules.predicate
def survey_open_to_accounts(user, survey) -> bool:
    return (
        survey is not None and survey.limit == survey.Limit.PER_ACCOUNT and survey.phase() == "open"
    )


@rules.predicate
def invitation_open(user, invitation) -> bool:
    return invitation is not None and invitation.survey.phase() == "open"


@rules.predicate
def results_public(user, survey) -> bool:
    return survey is not None and survey.phase() == "closed" and survey.results_public


def _explain_not_open(user, survey, predicate):
    from django.utils import formats, timezone
    from django.utils.translation import gettext

    if survey is None:
        return Refusal(gettext("This survey does not exist."), RefusalKind.PHASE)
    phase = survey.phase()
    if phase == "upcoming":
        if not survey.is_published:
            return Refusal(gettext("This survey is not published."), RefusalKind.PHASE)
        return Refusal(
            gettext("This survey opens on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(survey.opens_at), "j F Y, H:i")},
            RefusalKind.PHASE,
            opens_on=timezone.localdate(survey.opens_at),
        )
    if phase == "closed":
        return Refusal(gettext("This survey is closed."), RefusalKind.PHASE)
    return Refusal(
        gettext("This survey is answered only through the invitation sent by e-mail."),
        RefusalKind.PHASE,
    )


def _explain_invitation_closed(user, invitation, predicate):
    from django.utils.translation import gettext

    if invitation is not None and invitation.survey.phase() == "upcoming":
        return Refusal(gettext("This survey is not open yet."), RefusalKind.PHASE)
    return Refusal(gettext("This survey is closed."), RefusalKind.PHASE)


def _explain_results(user, survey, predicate):
    from django.utils.translation import gettext

    if survey is not None and survey.phase() == "closed":
        return Refusal(gettext("The results of this survey are for staff only."), RefusalKind.STAFF)
    return Refusal(gettext("The results are published when the survey closes."), RefusalKind.PHASE)


because(survey_open_to_accounts, _explain_not_open)
because(invitation_open, _explain_invitation_closed)
because(results_public, _explain_results)

ALL_PHASES = ("upcoming", "open", "open_invitation", "closed", "closed_private")

action(
    "surveys.manage",
    staff_of(survey_zone),
    target="survey",
    rows=dict.fromkeys(ALL_PHASES, STAFF_OF_ZONE),
    summary=_(
        "Create and edit the zone's surveys, see their answers and download them (zone staff; "
        "city-wide surveys: the city-wide team)"
    ),
    staff=True,
)
action(
    "surveys.answer",
    survey_open_to_accounts & has_verified_email,
    target="survey",
    rows={
        "upcoming": set(),
        "open": WITH_VERIFIED_EMAIL,
        "open_invitation": set(),
        "closed": set(),
        "closed_private": set(),
    },
    summary=_("Answer an open survey, once (with an account and a verified e-mail)"),
    participation=True,
)
action(
    "surveys.answer_invited",
    invitation_open,
    target="survey_invitation",
    rows={"open": EVERYONE, "closed": set()},
    summary=_(
        "Answer an open survey by invitation, once per invitation (a training session's "
        "evaluation; the invitation is the credential, no account needed)"
    ),
)
action(
    "surveys.view_results",
    results_public | (staff_of(survey_zone) & passed_mfa),
    target="survey",
    rows={
        "upcoming": STAFF_OF_ZONE,
        "open": STAFF_OF_ZONE,
        "open_invitation": STAFF_OF_ZONE,
        "closed": EVERYONE,
        "closed_private": STAFF_OF_ZONE,
    },
    summary=_(
        "See a survey's results: everyone once it closed (unless kept for staff), its zone's "
        "staff at any time"
    ),
)
