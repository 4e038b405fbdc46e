"""Which relations to a person the data export covers, and which it leaves out on purpose
(with the reason). tests/privacy/test_export.py introspects every model and fails when a
foreign key to the user or the resident profile is in neither list, so a new kind of
contribution cannot be left out of the export by accident."""

from django.apps import apps

# (model label, field) -> the section of the export that holds the rows it points to.
COVERED = {
    ("accounts.Resident", "user"): "perfil",
    ("accounts.Consent", "user"): "consentimientos",
    ("account.EmailAddress", "user"): "correos",
    ("mfa.Authenticator", "user"): "cuenta (doble factor: sí/no)",
    ("accounts.User_groups", "user"): "cuenta (grupos)",
    ("discussions.Comment", "author"): "comentarios",
    ("discussions.Support", "user"): "apoyos_comentarios",
    ("discussions.Flag", "user"): "reportes_comentarios",
    ("proposals.Request", "author"): "solicitudes",
    ("proposals.Support", "resident"): "apoyos_solicitudes",
    ("budgets.Ballot", "resident"): "votos_presupuesto",
    ("assemblies.Ballot", "voter"): "votos_asambleas",
    ("assemblies.Question", "author"): "preguntas_asambleas",
    ("assemblies.QuestionUpvote", "user"): "votos_preguntas",
    ("works.Follow", "user"): "obras_seguidas",
    ("verification.VerificationRecord", "resident"): "verificaciones",
    ("verification.VerificationRequest", "resident"): "solicitudes_verificacion",
    ("council.EmptySeatApplication", "applicant"): "solicitudes_silla_vacia",
    ("training.Registration", "user"): "inscripciones_formacion",
    ("surveys.Response", "respondent"): "respuestas_encuestas",
    ("privacy.DataExport", "user"): "solicitudes_derechos",
    ("privacy.AccountDeletion", "user"): "solicitudes_derechos",
    # What staff did in their official capacity: counted (the rows are about others).
    ("accounts.Resident", "verified_by"): "actividad_personal",
    ("discussions.Comment", "moderated_by"): "actividad_personal",
    ("consultations.DraftVersion", "published_by"): "actividad_personal",
    ("consultations.SessionObservation", "recorded_by"): "actividad_personal",
    ("assemblies.Announcement", "author"): "actividad_personal",
    ("proposals.Verdict", "decided_by"): "actividad_personal",
    ("proposals.StatusChange", "actor"): "actividad_personal",
    ("budgets.AssemblyTally", "recorded_by"): "actividad_personal",
    ("budgets.ResultSet", "computed_by"): "actividad_personal",
    ("works.WorkUpdate", "author"): "actividad_personal",
    ("works.ImportBatch", "uploaded_by"): "actividad_personal",
    ("territory.ZoneScopedLogEntry", "user"): "actividad_personal",
    ("wagtailcore.PageLogEntry", "user"): "actividad_personal",
    ("wagtailcore.ModelLogEntry", "user"): "actividad_personal",
    ("wagtailcore.Revision", "user"): "actividad_personal",
    ("budgets.Ballot", "recorded_by"): "actividad_personal",
    ("verification.VerificationRecord", "verified_by"): "actividad_personal",
    ("verification.VerificationRequest", "handled_by"): "actividad_personal",
    ("verification.CensusBatch", "uploaded_by"): "actividad_personal",
    ("verification.CensusBatch", "withdrawn_by"): "actividad_personal",
    ("verification.CodeSheet", "created_by"): "actividad_personal",
    ("consultations.Disposition", "decided_by"): "actividad_personal",
    ("council.EmptySeatApplication", "decided_by"): "actividad_personal",
    ("actors.Actor", "updated_by"): "actividad_personal",
    ("actors.ActorImport", "imported_by"): "actividad_personal",
    ("surveys.Survey", "created_by"): "actividad_personal",
    ("training.Registration", "attendance_marked_by"): "actividad_personal",
}

_CMS = "editorial work in the CMS (Wagtail admin) by staff: pages, their drafts and workflow"
# (model label, field) -> why it is not in the export.
EXCLUDED = {
    ("accounts.User_user_permissions", "user"): "individual permissions: none are granted "
    "on this site (staff rights come from groups, exported)",
    ("wagtailusers.UserProfile", "user"): "admin interface preferences (language, theme) of staff",
    ("wagtailadmin.EditingSession", "user"): "transient admin lock while a page is open",
    ("wagtailadmin.FormState", "user"): "transient admin form state",
    ("wagtailcore.APIToken", "user"): "credential: never exported",
    ("wagtailcore.UploadedFile", "uploaded_by_user"): "transient admin upload, removed once used",
    ("verification.VerificationCode", "used_by"): "only the keyed hash of the single-use code "
    "and when it was used; the verification it gave is exported (verificaciones)",
    ("wagtailcore.Comment", "user"): _CMS,
    ("wagtailcore.Comment", "resolved_by"): _CMS,
    ("wagtailcore.CommentReply", "user"): _CMS,
    ("wagtailcore.PageSubscription", "user"): _CMS,
    ("wagtailcore.WorkflowState", "requested_by"): _CMS,
    ("wagtailcore.TaskState", "finished_by"): _CMS,
    ("wagtaildocs.Document", "uploaded_by_user"): "public documents published by staff",
    ("wagtailimages.Image", "uploaded_by_user"): "public images published by staff",
}
# Every page model has Wagtail's owner and locked_by: editorial work, as above.
EXCLUDED_PAGE_FIELDS = {"owner": _CMS, "locked_by": _CMS}


def person_foreign_keys():
    """Every concrete relation (FK, one-to-one, many-to-many table) from a model of the
    project to the user or the resident profile, as (model label, field name, is_page)."""
    from wagtail.models import Page

    user_model = apps.get_model("accounts", "User")
    resident_model = apps.get_model("accounts", "Resident")
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if not (field.is_relation and field.concrete):
                continue
            if field.related_model in (user_model, resident_model):
                is_page = issubclass(model, Page)
                found.append((model._meta.label, field.name, is_page))
    return found
