"""The register of processing activities (registro de actividades de tratamiento, LOPDP
art. 47): what personal data the platform processes, why, on which legal basis, who sees it,
for how long and who receives it. Published at /privacidad/registro/.

Each activity names the models that hold its data (`models`, "app_label.ModelName"), and
tests/privacy/test_register.py checks that every model with a link to a person (a foreign
key to the user or the resident profile) or a keyed hash of a cédula is named by some
activity: a new table of personal data cannot be added without saying here why it exists.
Retention periods come from the settings they are enforced with, read when the page is shown.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CONTROLLER = _("Municipio del Distrito Metropolitano de Quito")


class LegalBasis:
    """The grounds of LOPDP art. 7 the platform relies on."""

    CONSENT = _("Consent of the data subject (LOPDP art. 7.1)")
    LEGAL_OBLIGATION = _("Compliance with a legal obligation (LOPDP art. 7.2)")
    PUBLIC_MISSION = _(
        "A mission carried out in the public interest: citizen participation, which the "
        "municipality must organise (LOPDP art. 7.4; Ley Orgánica de Participación Ciudadana, "
        "COOTAD)"
    )


@dataclass(frozen=True)
class Activity:
    key: str
    name: str | Promise
    data: tuple[str | Promise, ...]  # categories of personal data
    purpose: str | Promise
    legal_basis: tuple[str | Promise, ...]
    access: str | Promise  # who can see it
    retention: tuple[str | Promise, ...]  # may use %(name)s of retention_values()
    recipients: str | Promise
    models: tuple[str, ...]  # "app_label.ModelName" of the tables holding it

    def retention_text(self) -> list[str]:
        values = retention_values()
        return [str(item) % values for item in self.retention]


def retention_values() -> dict:
    """The periods the retention texts name, from where they are enforced."""
    from accounts.verification import VALIDITY

    return {
        "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        "unconfirmed_days": settings.UNCONFIRMED_ACCOUNT_DAYS,
        "export_days": settings.DATA_EXPORT_DAYS,
        "session_days": settings.SESSION_COOKIE_AGE // 86400,
        "staff_days": VALIDITY["staff"].days,
        "census_days": VALIDITY["census"].days,
        "code_days": VALIDITY["code"].days,
    }


NO_RECIPIENTS = _(
    "None. We do not sell or give personal data to anyone; the open data we publish never "
    "contains personal data."
)
WHILE_ACCOUNT = _(
    "While the account exists. A deleted account is erased %(grace_days)s days after the "
    "person confirms the deletion (it can be cancelled until then)."
)
UNCONFIRMED = _(
    "Accounts whose e-mail address is never confirmed are deleted after %(unconfirmed_days)s "
    "days by a scheduled task."
)

ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        key="accounts",
        name=_("User accounts and logging in"),
        data=(
            _("E-mail addresses"),
            _("Name shown, if given"),
            _("Password (stored only as a salted hash)"),
            _("Second factor set-up, for staff"),
            _("Session cookie"),
            _("E-mail notification preferences"),
        ),
        purpose=_(
            "Let each person log in, keep the account secure, and send the notices they "
            "asked for or that the service needs (confirmation, password reset)."
        ),
        legal_basis=(LegalBasis.CONSENT,),
        access=_("The person. The platform's technical administrators, when maintaining it."),
        retention=(
            WHILE_ACCOUNT,
            UNCONFIRMED,
            _("A session expires after %(session_days)s days at most."),
        ),
        recipients=_(
            "The e-mail delivery service, only to deliver the messages (a processor acting on "
            "the municipality's instructions). Nobody else."
        ),
        models=(
            "accounts.User",
            "account.EmailAddress",
            "mfa.Authenticator",
            "sessions.Session",
            "wagtailusers.UserProfile",
        ),
    ),
    Activity(
        key="consent",
        name=_("Records of consent to the privacy policy"),
        data=(
            _("Policy version accepted"),
            _("Date and time of each acceptance and of a withdrawal"),
        ),
        purpose=_(
            "Prove that each person accepted the version of the policy in force before "
            "taking part, and honour a withdrawal."
        ),
        legal_basis=(LegalBasis.LEGAL_OBLIGATION,),
        access=_("The person (under “My data”). The platform's technical administrators."),
        retention=(WHILE_ACCOUNT,),
        recipients=NO_RECIPIENTS,
        models=("accounts.Consent",),
    ),
    Activity(
        key="residency",
        name=_("Residence and its verification"),
        data=(
            _("Zone and parish of residence"),
            _("Cédula, only as a keyed hash (the number itself is never stored)"),
            _(
                "How, when and by whom the residence was verified, and until when (the "
                "document seen by staff is named, never its number)"
            ),
            _("Requests to be verified, and one-time codes used"),
        ),
        purpose=_(
            "Decide who may take part where: consultations, requests and votes of a zone or "
            "parish are for its residents; and make sure each person votes only once."
        ),
        legal_basis=(LegalBasis.CONSENT, LegalBasis.PUBLIC_MISSION),
        access=_(
            "The person. Staff of their zone (and the city-wide team) see the profile and its "
            "verification; nobody sees a cédula number."
        ),
        retention=(
            WHILE_ACCOUNT,
            _(
                "A verification holds for %(staff_days)s days when done by staff, "
                "%(census_days)s days through the census, %(code_days)s days through a code "
                "given out at an assembly; then the person is asked to verify again."
            ),
        ),
        recipients=NO_RECIPIENTS,
        models=(
            "accounts.Resident",
            "verification.VerificationRecord",
            "verification.VerificationRequest",
            "verification.VerificationCode",
        ),
    ),
    Activity(
        key="census",
        name=_("Census files for residents to verify themselves"),
        data=(
            _(
                "Keyed hashes of each cédula with the date of birth or the parish (the clear "
                "file is never stored)"
            ),
            _("Which staff member uploaded or withdrew the file, and when"),
        ),
        purpose=_(
            "Let residents verify their residence themselves, without visiting an office, by "
            "entering their cédula and date of birth."
        ),
        legal_basis=(LegalBasis.PUBLIC_MISSION,),
        access=_(
            "City staff who upload the files. Nobody can read a cédula from them: only check "
            "whether one entered matches."
        ),
        retention=(
            _(
                "Until city staff withdraw the file or replace it with a newer one; the "
                "verifications it gave then end."
            ),
        ),
        recipients=NO_RECIPIENTS,
        models=("verification.CensusBatch", "verification.CensusEntry", "verification.CodeSheet"),
    ),
    Activity(
        key="participation",
        name=_("Taking part: comments, supports, questions, requests and observations"),
        data=(
            _("What the person writes, and the name they chose to show with it"),
            _("Supports, flags and upvotes given"),
            _("Photos of works posted as observations"),
            _("Works followed"),
        ),
        purpose=_(
            "Citizen participation: publish contributions with their author's chosen name, "
            "count supports, moderate, and answer officially."
        ),
        legal_basis=(LegalBasis.CONSENT, LegalBasis.PUBLIC_MISSION),
        access=_(
            "Everyone, for published contributions with the name shown (never the e-mail). "
            "Staff of the zone, for moderation."
        ),
        retention=(
            _(
                "Contributions stay public for the record of each consultation, budget and "
                "assembly. When the account is deleted they stay as “Participante anónimo”, "
                "with nothing that points to the person."
            ),
            _("Withdrawing consent stops new participation and ends following works."),
        ),
        recipients=NO_RECIPIENTS,
        models=(
            "discussions.Comment",
            "discussions.Support",
            "discussions.Flag",
            "assemblies.Question",
            "assemblies.QuestionUpvote",
            "proposals.Request",
            "proposals.Support",
            "works.Observation",
            "works.Follow",
        ),
    ),
    Activity(
        key="votes",
        name=_("Votes: participatory budget ballots, assembly votes, booth registrations"),
        data=(
            _("The ballot's choices"),
            _(
                "A per-cycle keyed hash of the cédula (the voter key), so that each person "
                "votes once"
            ),
            _("For booth votes: the booth and the staff member who registered the person"),
        ),
        purpose=_(
            "Count votes, and make sure each person votes once per cycle, online or in person."
        ),
        legal_basis=(LegalBasis.CONSENT, LegalBasis.PUBLIC_MISSION),
        access=_(
            "Nobody sees who voted for what. Booth staff only learn whether a person has "
            "already voted. Results and the recount bundle are published without voters."
        ),
        retention=(
            _(
                "Kept with the cycle's published results, so they can be recounted. When the "
                "account is deleted the vote stays counted, unlinked from the person; the "
                "voter key stays with the cycle only, so nobody votes twice in it."
            ),
        ),
        recipients=NO_RECIPIENTS,
        models=("budgets.Ballot", "assemblies.Ballot"),
    ),
    Activity(
        key="committees",
        name=_("Citizen oversight committees of public works"),
        data=(_("Names of committee members"),),
        purpose=_("Show who oversees each work, where members agreed to be named."),
        legal_basis=(LegalBasis.CONSENT, LegalBasis.PUBLIC_MISSION),
        access=_(
            "Everyone, for the names of members who agreed to publish them; staff of the "
            "zone, for the others."
        ),
        retention=(_("While the work is listed."),),
        recipients=NO_RECIPIENTS,
        models=("works.CommitteeMember",),
    ),
    Activity(
        key="data_rights",
        name=_("Requests under data-protection rights"),
        data=(
            _("Requests to download one's data, and the prepared file"),
            _("Requests to delete one's account, their confirmation and cancellation"),
        ),
        purpose=_("Carry out the rights of access, portability and deletion."),
        legal_basis=(LegalBasis.LEGAL_OBLIGATION,),
        access=_("The person. The prepared file is served only to them."),
        retention=(
            _("A prepared download is available for %(export_days)s days, then erased."),
            WHILE_ACCOUNT,
        ),
        recipients=NO_RECIPIENTS,
        models=("privacy.DataExport", "privacy.AccountDeletion"),
    ),
    Activity(
        key="empty_seat",
        name=_("Applications for the council's empty seat (silla vacía)"),
        data=(
            _(
                "The organisation, its registration and legal representative, the delegate "
                "and the alternate with their e-mails, the contact e-mail, the account that "
                "applied"
            ),
            _("The supporting documents (PDF)"),
        ),
        purpose=_(
            "Accrediting an organisation to take the empty seat on an agenda item of the "
            "Concejo Metropolitano, and telling it the decision."
        ),
        legal_basis=(LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_MISSION),
        access=_(
            "The council secretariat. Everyone, for an accredited organisation's name, "
            "registration, delegate and alternate (never e-mails or documents)."
        ),
        retention=(
            _(
                "Kept as the council's record of the session. When the account is deleted "
                "the application stays, linked to nobody."
            ),
        ),
        recipients=NO_RECIPIENTS,
        models=("council.EmptySeatApplication", "council.EmptySeatDocument"),
    ),
    Activity(
        key="social_actors",
        name=_("The map of social actors (mapeo de actores)"),
        data=(
            _("The contact person of an organisation: name, e-mail and phone"),
            _("Whether the organisation consents to publishing them, and since when"),
        ),
        purpose=_(
            "Knowing and reaching the organisations of the Sistema Metropolitano de "
            "Participación Ciudadana in each zone."
        ),
        legal_basis=(LegalBasis.PUBLIC_MISSION, LegalBasis.CONSENT),
        access=_(
            "Staff of the actor's zone and the city-wide team. Everyone, only while the "
            "actor consents to publishing the contact details."
        ),
        retention=(
            _("While the actor is in the map; corrected or removed on request by its zone."),
        ),
        recipients=NO_RECIPIENTS,
        models=("actors.Actor", "actors.ActorImport"),
    ),
    Activity(
        key="training",
        name=_("Registrations for training sessions, attendance and certificates"),
        data=(
            _("Name, e-mail and parish of the person registered, and the account if any"),
            _("Attendance, the certificate's verification code, the evaluation invitation"),
        ),
        purpose=_(
            "Running training sessions in citizen participation: places, waiting list, "
            "attendance, certificates that anyone can verify, and their evaluation."
        ),
        legal_basis=(LegalBasis.CONSENT, LegalBasis.PUBLIC_MISSION),
        access=_(
            "Staff of the session's zone. Anyone holding a certificate's code sees the name "
            "on it and the session (to verify it)."
        ),
        retention=(
            _(
                "Kept with the training plan's records. When the account is deleted, "
                "registrations for sessions still to come are deleted and past ones keep "
                "only the attendance, without name or e-mail."
            ),
        ),
        recipients=NO_RECIPIENTS,
        models=("training.Registration",),
    ),
    Activity(
        key="surveys",
        name=_("Survey answers"),
        data=(
            _("The answers; on identified surveys, the account or the name that answered"),
            _("On anonymous surveys, a keyed hash that lets each person answer once"),
        ),
        purpose=_("Asking residents and trainees their opinion, and publishing the results."),
        legal_basis=(LegalBasis.CONSENT,),
        access=_(
            "Staff of the survey's zone see the answers; everyone sees the aggregated results "
            "of a closed survey unless it is kept for staff."
        ),
        retention=(
            _(
                "Kept with the survey's results. When the account is deleted, identified "
                "answers stay counted, linked to nobody."
            ),
        ),
        recipients=NO_RECIPIENTS,
        models=("surveys.Response", "surveys.Answer"),
    ),
    Activity(
        key="staff",
        name=_("Staff work and the audit log"),
        data=(
            _(
                "Which staff member did what and when (moderation, verification, verdicts, "
                "tallies, works updates, imports, publishing)"
            ),
            _("Pages, revisions, images and documents staff edit, with their editors"),
        ),
        purpose=_(
            "Accountability of the public administration: every staff action leaves an audit "
            "entry that can be reviewed."
        ),
        legal_basis=(LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_MISSION),
        access=_("Staff of the zone and the city-wide team, in the administration."),
        retention=(
            _(
                "Kept as the administrative record of the platform. Staff work is not "
                "participation: it does not depend on the consent to the privacy policy."
            ),
        ),
        recipients=_("Oversight bodies, when the law requires it. Nobody else."),
        models=(
            "territory.ZoneScopedLogEntry",
            "consultations.DraftVersion",
            "consultations.SessionObservation",
            "consultations.Disposition",
            "assemblies.Announcement",
            "proposals.Verdict",
            "proposals.StatusChange",
            "budgets.AssemblyTally",
            "budgets.ResultSet",
            "works.WorkUpdate",
            "works.ImportBatch",
            "surveys.Survey",
            "wagtailcore.Page",
            "wagtailcore.Revision",
            "wagtailcore.ModelLogEntry",
            "wagtailcore.PageLogEntry",
            "wagtailcore.Comment",
            "wagtailcore.CommentReply",
            "wagtailcore.PageSubscription",
            "wagtailcore.WorkflowState",
            "wagtailcore.TaskState",
            "wagtailcore.UploadedFile",
            "wagtailcore.APIToken",
            "wagtailadmin.EditingSession",
            "wagtailadmin.FormState",
            "wagtaildocs.Document",
            "wagtailimages.Image",
        ),
    ),
)


def activity_for(model_label: str) -> Activity | None:
    return next((item for item in ACTIVITIES if model_label in item.models), None)


def named_models() -> set[str]:
    return {label for item in ACTIVITIES for label in item.models}
