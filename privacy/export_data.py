"""What the platform holds about one person, read for their data export (LOPDP, right of
access and portability).

`collect(user)` returns every section as plain data (JSON-ready), in a fixed number of
queries whatever the person wrote: each section is one query (with its joins), and the
pages the comments belong to are resolved together, not one by one.

privacy.export_coverage names every foreign key to the user or the resident profile in the
project, and which section exports it (or why none does).

Never exported: the cédula's keyed hash (only whether one is registered), MFA secrets and
recovery codes (only whether MFA is on), passwords, other people's data (the text of
comments one flagged or supported is theirs: only where it is), and who on the staff
verified or moderated one (only that staff did).
"""

from django.apps import apps
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from quitodecide.pages import subpage_url
from quitodecide.site_links import site_url


def _label(obj, field: str) -> str:
    """A choice field's label (in the language active while building: Spanish)."""
    value = getattr(obj, field)
    if not value:
        return ""
    return str(getattr(obj, f"get_{field}_display")())


def _method(method: str) -> str:
    """A verification method's name (accounts.verification's verifiers name them)."""
    if not method:
        return ""
    from accounts.verification import method_label

    return method_label(method)


def _thread_links(thread_ids) -> dict[int, tuple[str, str]]:
    """thread id -> (site-relative URL of the page showing it, what it is about): four
    queries at most, whatever the number of threads."""
    from consultations.models import ConsultationPage, Provision
    from proposals.models import Request
    from works.models import Work

    thread_ids = set(thread_ids)
    links: dict[int, tuple[str, str]] = {}
    if not thread_ids:
        return links
    for work in Work.objects.filter(thread_id__in=thread_ids).only("code", "title", "thread_id"):
        links[work.thread_id] = (reverse("works:detail", args=[work.code]), work.title)
    requests = Request.objects.filter(thread_id__in=thread_ids).select_related("cycle")
    for item in requests:
        links[item.thread_id] = (subpage_url(item.cycle, "request_detail", item.pk), item.title)
    for page in ConsultationPage.objects.filter(general_thread_id__in=thread_ids):
        links[page.general_thread_id] = (subpage_url(page, "general_discussion"), page.title)
    provisions = (
        Provision.objects.filter(thread_id__in=thread_ids)
        .select_related("version__consultation")
        .order_by("thread_id", "-version__number")
    )
    for provision in provisions:
        if provision.thread_id not in links:  # the latest version's article
            page = provision.version.consultation
            url = subpage_url(page, "provision_thread", provision.key)
            links[provision.thread_id] = (url, f"{provision.label} · {page.title}".strip(" ·"))
    return links


def _account(user, resident, emails, mfa_types, groups) -> dict:
    data = {
        "correo": user.email,
        "nombres": user.first_name,
        "apellidos": user.last_name,
        "fecha_registro": user.date_joined,
        "ultimo_acceso": user.last_login,
        "cuenta_activa": user.is_active,
        "personal_municipal": user.is_staff,
        "grupos": groups,
        "doble_factor_activo": bool(mfa_types),
        "doble_factor_tipos": mfa_types,
    }
    profile = None
    if resident is not None:
        profile = {
            "nombre_publico": resident.display_name,
            "zona": resident.zone.name if resident.zone else "",
            "parroquia": resident.parish.name if resident.parish else "",
            "cedula_registrada": resident.has_cedula,
            "verificacion": _label(resident, "verification_status"),
            "verificacion_metodo": _method(resident.verification_method),
            "verificacion_fecha": resident.verified_at,
            "verificacion_valida_hasta": resident.verification_expires_at,
            "verificado_por_personal": resident.verified_by_id is not None,
            "recibe_notificaciones": resident.email_notifications,
            "perfil_creado": resident.created_at,
        }
    return {"cuenta": data, "perfil": profile, "correos": emails}


def _comments(user) -> tuple[list, dict]:
    from discussions.models import Comment, Flag, Support

    comments = list(
        Comment.objects.filter(author=user)
        .select_related("thread", "work_observation__work")
        .order_by("created_at", "pk")
    )
    supports = list(
        Support.objects.filter(user=user)
        .select_related("comment")
        .only("created_at", "comment_id", "comment__thread_id")
        .order_by("created_at", "pk")
    )
    flags = list(
        Flag.objects.filter(user=user)
        .select_related("comment")
        .only("created_at", "reason", "resolved", "comment_id", "comment__thread_id")
        .order_by("created_at", "pk")
    )
    thread_ids = {c.thread_id for c in comments}
    thread_ids |= {s.comment.thread_id for s in supports} | {f.comment.thread_id for f in flags}
    links = _thread_links(thread_ids)
    titles = {c.thread_id: c.thread.title for c in comments}

    def where(thread_id, comment_id):
        url, about = links.get(thread_id, ("", titles.get(thread_id, "")))
        return about, (f"{url}#comentario-{comment_id}" if url else "")

    rows, observations = [], []
    for comment in comments:
        about, url = where(comment.thread_id, comment.pk)
        rows.append(
            {
                "id": comment.pk,
                "sobre": about,
                "enlace": url,
                "respuesta_a": comment.parent_id,
                "postura": _label(comment, "stance"),
                "texto": comment.body,
                "redaccion_propuesta": comment.proposed_wording,
                "version_comentada": comment.revision,
                "respuesta_oficial": comment.is_official,
                "estado": _label(comment, "status"),
                "motivo_moderacion": comment.moderation_reason,
                "apoyos_recibidos": comment.support_count,
                "creado": comment.created_at,
                "editado": comment.edited_at,
            }
        )
        observation = getattr(comment, "work_observation", None)
        if observation is not None:
            observations.append(
                {
                    "comentario_id": comment.pk,
                    "obra": observation.work.title,
                    "enlace": url,
                    "valoracion": _label(observation, "assessment"),
                    "foto": observation.photo.url if observation.photo else "",
                    "foto_descripcion": observation.photo_alt,
                    "creada": observation.created_at,
                }
            )
    support_rows = []
    for support in supports:
        about, url = where(support.comment.thread_id, support.comment_id)
        support_rows.append(
            {"comentario_id": support.comment_id, "sobre": about, "enlace": url,
             "fecha": support.created_at}
        )  # fmt: skip
    flag_rows = []
    for flag in flags:
        about, url = where(flag.comment.thread_id, flag.comment_id)
        flag_rows.append(
            {
                "comentario_id": flag.comment_id,
                "sobre": about,
                "enlace": url,
                "motivo": _label(flag, "reason"),
                "resuelto": flag.resolved,
                "fecha": flag.created_at,
            }
        )
    return rows, {
        "apoyos_comentarios": support_rows,
        "reportes_comentarios": flag_rows,
        "observaciones_obras": observations,
    }


def _ballots_of(resident):
    """One's online ballots. Booth ballots are not one's data to download: they carry no
    account, only the cycle's voter key, and anyone who registers a cédula (unverified)
    could otherwise read how its owner voted at a booth (secret ballot)."""
    from django.db.models import Q

    return Q(resident=resident)


def _budgets(user, resident) -> dict:
    from budgets.models import Ballot
    from proposals.models import Request, Support

    requests = (
        Request.objects.filter(author=user)
        .select_related("cycle", "parish", "barrio")
        .prefetch_related("images")
        .order_by("created_at", "pk")
    )
    request_rows, image_rows = [], []
    for item in requests:
        images = [
            {
                "solicitud": item.reference,
                "archivo": image.image.url if image.image else "",
                "ancho": image.width,
                "alto": image.height,
                "descripcion": image.alt_text,
            }
            for image in item.images.all()
        ]
        image_rows.extend(images)
        request_rows.append(
            {
                "referencia": item.reference,
                "titulo": item.title,
                "enlace": subpage_url(item.cycle, "request_detail", item.pk),
                "ciclo": item.cycle.title,
                "tipo": _label(item, "kind"),
                "descripcion": item.description,
                "parroquia": item.parish.name,
                "barrio": item.barrio_name,
                "latitud": item.latitude,
                "longitud": item.longitude,
                "costo_estimado_usd": item.estimated_cost,
                "organizacion": item.organisation,
                "estado": _label(item, "status"),
                "enviada": item.created_at,
                "actualizada": item.updated_at,
                "imagenes": [{k: v for k, v in i.items() if k != "solicitud"} for i in images],
            }
        )
    supports, ballots = [], []
    if resident is not None:
        for support in (
            Support.objects.filter(resident=resident)
            .select_related("request__cycle")
            .order_by("created_at", "pk")
        ):
            supports.append(
                {
                    "solicitud": support.request.reference,
                    "titulo": support.request.title,
                    "enlace": subpage_url(
                        support.request.cycle, "request_detail", support.request_id
                    ),
                    "fecha": support.created_at,
                }
            )
        for ballot in (
            Ballot.objects.filter(_ballots_of(resident))
            .select_related("cycle", "parish")
            .prefetch_related("lines__request")
            .order_by("created_at", "pk")
        ):
            ballots.append(
                {
                    "ciclo": ballot.cycle.title,
                    "enlace": ballot.cycle.url,
                    "canal": _label(ballot, "channel"),
                    "lugar": ballot.booth,
                    "parroquia": ballot.parish.name if ballot.parish else "",
                    "costo_total_usd": ballot.total_cost,
                    "veces_enviado": ballot.revision,
                    "creado": ballot.created_at,
                    "actualizado": ballot.updated_at,
                    "proyectos": [
                        {
                            "solicitud": line.request.reference,
                            "titulo": line.request.title,
                            "costo_usd": line.cost,
                        }
                        for line in ballot.lines.all()
                    ],
                }
            )
    return {
        "solicitudes": request_rows,
        "imagenes_solicitudes": image_rows,
        "apoyos_solicitudes": supports,
        "votos_presupuesto": ballots,
    }


def _assemblies(user) -> dict:
    from assemblies.models import Ballot, Question, QuestionUpvote

    ballots = [
        {
            "asamblea": ballot.poll.assembly.title,
            "enlace": ballot.poll.assembly.url,
            "pregunta": ballot.poll.question,
            "opcion": ballot.option.label,
            "fecha": ballot.cast_at,
        }
        for ballot in Ballot.objects.filter(voter=user)
        .select_related("poll__assembly", "option")
        .order_by("cast_at", "pk")
    ]
    questions = [
        {
            "id": question.pk,
            "asamblea": question.assembly.title,
            "enlace": question.assembly.url,
            "pregunta": question.text,
            "estado": _label(question, "status"),
            "votos_recibidos": question.upvote_count,
            "fecha": question.created_at,
        }
        for question in Question.objects.filter(author=user)
        .select_related("assembly")
        .order_by("created_at", "pk")
    ]
    upvotes = [
        {
            "pregunta_id": upvote.question_id,
            "asamblea": upvote.question.assembly.title,
            "enlace": upvote.question.assembly.url,
            # Someone else's question: its text only while it is public.
            "pregunta": upvote.question.text if upvote.question.is_public else "",
            "fecha": upvote.created_at,
        }
        for upvote in QuestionUpvote.objects.filter(user=user)
        .select_related("question__assembly")
        .order_by("created_at", "pk")
    ]
    return {
        "votos_asambleas": ballots,
        "preguntas_asambleas": questions,
        "votos_preguntas": upvotes,
    }


def _works(user) -> dict:
    from works.models import Follow

    follows = [
        {
            "obra": follow.work.title,
            "codigo": follow.work.code,
            "enlace": reverse("works:detail", args=[follow.work.code]),
            "desde": follow.created_at,
        }
        for follow in Follow.objects.filter(user=user)
        .select_related("work")
        .order_by("created_at", "pk")
    ]
    return {"obras_seguidas": follows}


def _lawmaking(user) -> dict:
    """The dispositions given to one's comments on consultations, and one's applications
    for the council's empty seat (silla vacía), with their documents' names."""
    from consultations.models import Disposition
    from council.models import EmptySeatApplication

    dispositions = [
        {
            "comentario_id": disposition.comment_id,
            "consulta": disposition.consultation.title,
            "disposicion": disposition.get_outcome_display(),
            "motivo": disposition.reason,
            "fecha": disposition.decided_at,
        }
        for disposition in Disposition.objects.filter(comment__author=user)
        .select_related("consultation")
        .order_by("decided_at", "pk")
    ]
    applications = [
        {
            "organizacion": application.organisation,
            "registro": application.legal_registration,
            "representante_legal": application.legal_representative,
            "delegado": application.delegate,
            "correo_delegado": application.delegate_email,
            "alterno": application.alternate,
            "correo_alterno": application.alternate_email,
            "correo_contacto": application.contact_email,
            "punto_del_orden_del_dia": application.item.title,
            "sesion": str(application.item.session),
            "estado": application.get_status_display(),
            "motivo": application.decision_reason,
            "documentos": ", ".join(d.original_name for d in application.documents.all()),
            "enviada": application.created_at,
            "resuelta": application.decided_at,
        }
        for application in EmptySeatApplication.objects.filter(applicant=user)
        .select_related("item__session")
        .prefetch_related("documents")
        .order_by("created_at", "pk")
    ]
    return {"disposiciones_comentarios": dispositions, "solicitudes_silla_vacia": applications}


def _people(user) -> dict:
    """One's training registrations (attendance, certificate) and one's survey answers:
    identified ones are linked to the account; anonymous ones are found by the account's
    respondent key (surveys.invitations.respondent_key), which only the platform can compute."""
    from surveys.invitations import respondent_key
    from surveys.models import Response, Survey
    from training.models import Registration

    registrations = [
        {
            "sesion": registration.session.title,
            "plan": registration.session.plan.title,
            "fecha_sesion": registration.session.starts_at,
            "enlace": registration.session.get_absolute_url(),
            "nombre": registration.name,
            "correo": registration.email,
            "parroquia": registration.parish.name if registration.parish else "",
            "estado": registration.get_status_display(),
            "asistio": registration.attended,
            "certificado": registration.certificate_code or "",
            "inscrita": registration.created_at,
        }
        for registration in Registration.objects.filter(user=user)
        .select_related("session__plan", "parish")
        .order_by("created_at", "pk")
    ]
    keys = [
        respondent_key(survey, f"user:{user.pk}")
        for survey in Survey.objects.filter(limit=Survey.Limit.PER_ACCOUNT).only("pk", "identity")
    ]
    responses = (
        Response.objects.filter(Q(respondent=user) | Q(respondent_key__in=keys))
        .select_related("survey")
        .prefetch_related("answers__question", "answers__choice")
        .order_by("submitted_at", "pk")
    )
    answers = [
        {
            "encuesta": response.survey.title,
            "anonima": response.survey.identity == Survey.Identity.ANONYMOUS,
            "pregunta": answer.question.text,
            "respuesta": answer.choice.label
            if answer.choice
            else (answer.number if answer.number is not None else answer.text),
            "fecha": response.submitted_at,
        }
        for response in responses
        for answer in response.answers.all()
    ]
    return {"inscripciones_formacion": registrations, "respuestas_encuestas": answers}


def _verification(resident) -> dict:
    """The history of one's verifications and one's requests to be verified."""
    if resident is None:
        return {"verificaciones": [], "solicitudes_verificacion": []}
    from verification.models import VerificationRecord, VerificationRequest

    records = [
        {
            "metodo": _method(record.method),
            "zona": record.zone.name if record.zone else "",
            "parroquia": record.parish.name if record.parish else "",
            "fecha": record.verified_at,
            "valida_hasta": record.expires_at,
            "por_personal": record.verified_by_id is not None,
            "documento_visto": record.document_kind,
            "motivo": record.reason,
            "terminada": record.ended_at,
        }
        for record in VerificationRecord.objects.filter(resident=resident)
        .select_related("zone", "parish")
        .order_by("verified_at", "pk")
    ]
    requests = [
        {
            "zona": item.zone.name,
            "parroquia": item.parish.name if item.parish else "",
            "mensaje": item.message,
            "estado": _label(item, "status"),
            "solicitada": item.created_at,
            "atendida": item.handled_at,
            "respuesta": item.reason,
        }
        for item in VerificationRequest.objects.filter(resident=resident)
        .select_related("zone", "parish")
        .order_by("created_at", "pk")
    ]
    return {"verificaciones": records, "solicitudes_verificacion": requests}


def _rights(user) -> list:
    from .models import AccountDeletion, DataExport

    rows = [
        {
            "tipo": "exportacion",
            "estado": _label(export, "status"),
            "solicitada": export.requested_at,
            "terminada": export.finished_at,
            "disponible_hasta": export.expires_at,
        }
        for export in DataExport.objects.filter(user=user).order_by("requested_at", "pk")
    ]
    deletion = AccountDeletion.objects.filter(user=user).first()
    if deletion is not None:
        rows.append(
            {
                "tipo": "eliminacion",
                "estado": _label(deletion, "status"),
                "solicitada": deletion.requested_at,
                "terminada": deletion.confirmed_at,
                "disponible_hasta": deletion.due_at,
            }
        )
    return rows


# What staff did in their official capacity, counted: (what, model label, field).
STAFF_COUNTS = [
    ("residentes_verificados", "accounts.Resident", "verified_by"),
    ("comentarios_moderados", "discussions.Comment", "moderated_by"),
    ("versiones_de_borrador_publicadas", "consultations.DraftVersion", "published_by"),
    ("observaciones_presenciales_registradas", "consultations.SessionObservation", "recorded_by"),
    ("anuncios_en_asambleas", "assemblies.Announcement", "author"),
    ("dictamenes_de_prefactibilidad", "proposals.Verdict", "decided_by"),
    ("cambios_de_estado_de_solicitudes", "proposals.StatusChange", "actor"),
    ("actas_de_asamblea_registradas", "budgets.AssemblyTally", "recorded_by"),
    ("resultados_calculados", "budgets.ResultSet", "computed_by"),
    ("avances_de_obras", "works.WorkUpdate", "author"),
    ("matrices_importadas", "works.ImportBatch", "uploaded_by"),
    ("registros_de_auditoria_por_zona", "territory.ZoneScopedLogEntry", "user"),
    ("registros_de_auditoria_paginas", "wagtailcore.PageLogEntry", "user"),
    ("registros_de_auditoria", "wagtailcore.ModelLogEntry", "user"),
    ("revisiones_de_paginas", "wagtailcore.Revision", "user"),
    ("votos_registrados_en_mesa", "budgets.Ballot", "recorded_by"),
    ("verificaciones_hechas", "verification.VerificationRecord", "verified_by"),
    ("solicitudes_de_verificacion_atendidas", "verification.VerificationRequest", "handled_by"),
    ("padrones_cargados", "verification.CensusBatch", "uploaded_by"),
    ("padrones_retirados", "verification.CensusBatch", "withdrawn_by"),
    ("hojas_de_codigos_generadas", "verification.CodeSheet", "created_by"),
    ("disposiciones_dadas", "consultations.Disposition", "decided_by"),
    ("solicitudes_silla_vacia_resueltas", "council.EmptySeatApplication", "decided_by"),
    ("actores_sociales_editados", "actors.Actor", "updated_by"),
    ("importaciones_de_actores", "actors.ActorImport", "imported_by"),
    ("encuestas_creadas", "surveys.Survey", "created_by"),
    ("asistencias_registradas", "training.Registration", "attendance_marked_by"),
]


def _staff_activity(user) -> list:
    """One row per kind of official act this person did, with how many. Residents (not
    staff) get an empty list without asking the database."""
    if not (user.is_staff or user.is_superuser or user.groups.exists()):
        return []
    rows = []
    for what, label, field in STAFF_COUNTS:
        count = apps.get_model(label).objects.filter(**{f"{field}_id": user.pk}).count()
        if count:
            rows.append({"actividad": what, "cantidad": count})
    return rows


def collect(user) -> dict:
    """Everything the platform holds about `user`, by section (see the module docstring)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from accounts.models import Consent, Resident

    resident = Resident.objects.filter(user=user).select_related("zone", "parish").first()
    emails = [
        {"correo": address.email, "verificado": address.verified, "principal": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ]
    mfa_types = sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True)))
    groups = sorted(user.groups.values_list("name", flat=True))
    data = {"generado": timezone.now()}
    data.update(_account(user, resident, emails, mfa_types, groups))
    data["consentimientos"] = [
        {
            "finalidad": _label(consent, "purpose"),
            "version_politica": consent.policy_version,
            "otorgado": consent.given_at,
            "retirado": consent.withdrawn_at,
        }
        for consent in Consent.objects.filter(user=user).order_by("given_at", "pk")
    ]
    comments, more = _comments(user)
    data["comentarios"] = comments
    data.update(more)
    data.update(_budgets(user, resident))
    data.update(_assemblies(user))
    data.update(_works(user))
    data.update(_verification(resident))
    data.update(_lawmaking(user))
    data.update(_people(user))
    data["solicitudes_derechos"] = _rights(user)
    data["actividad_personal"] = _staff_activity(user)
    return absolute_links(data)


def flat_rows(section: str, rows: list[dict]) -> tuple[list[str], list[dict]]:
    """A section's rows for its CSV: nested lists become rows of their own (a ballot's
    projects: one row each, the ballot's fields repeated) or are dropped when they have a
    CSV of their own (a request's images)."""
    if section == "votos_presupuesto":
        flat = []
        for ballot in rows:
            base = {k: v for k, v in ballot.items() if k != "proyectos"}
            for line in ballot["proyectos"] or [{}]:
                flat.append(
                    base
                    | {
                        "proyecto_solicitud": line.get("solicitud"),
                        "proyecto_titulo": line.get("titulo"),
                        "proyecto_costo_usd": line.get("costo_usd"),
                    }
                )
        rows = flat
    rows = [{k: v for k, v in row.items() if not isinstance(v, list)} for row in rows]
    header = HEADERS[section]
    return header, rows


# Every CSV's columns, so that an empty section still has its header.
HEADERS = {
    "comentarios": [
        "id", "sobre", "enlace", "respuesta_a", "postura", "texto", "redaccion_propuesta",
        "version_comentada", "respuesta_oficial", "estado", "motivo_moderacion",
        "apoyos_recibidos", "creado", "editado",
    ],
    "apoyos_comentarios": ["comentario_id", "sobre", "enlace", "fecha"],
    "reportes_comentarios": ["comentario_id", "sobre", "enlace", "motivo", "resuelto", "fecha"],
    "observaciones_obras": [
        "comentario_id", "obra", "enlace", "valoracion", "foto", "foto_descripcion", "creada",
    ],
    "solicitudes": [
        "referencia", "titulo", "enlace", "ciclo", "tipo", "descripcion", "parroquia", "barrio",
        "latitud", "longitud", "costo_estimado_usd", "organizacion", "estado", "enviada",
        "actualizada",
    ],
    "imagenes_solicitudes": ["solicitud", "archivo", "ancho", "alto", "descripcion"],
    "apoyos_solicitudes": ["solicitud", "titulo", "enlace", "fecha"],
    "votos_presupuesto": [
        "ciclo", "enlace", "canal", "lugar", "parroquia", "costo_total_usd", "veces_enviado",
        "creado", "actualizado", "proyecto_solicitud", "proyecto_titulo", "proyecto_costo_usd",
    ],
    "votos_asambleas": ["asamblea", "enlace", "pregunta", "opcion", "fecha"],
    "preguntas_asambleas": [
        "id", "asamblea", "enlace", "pregunta", "estado", "votos_recibidos", "fecha",
    ],
    "votos_preguntas": ["pregunta_id", "asamblea", "enlace", "pregunta", "fecha"],
    "obras_seguidas": ["obra", "codigo", "enlace", "desde"],
    "consentimientos": ["finalidad", "version_politica", "otorgado", "retirado"],
    "correos": ["correo", "verificado", "principal"],
    "verificaciones": [
        "metodo", "zona", "parroquia", "fecha", "valida_hasta", "por_personal",
        "documento_visto", "motivo", "terminada",
    ],
    "solicitudes_verificacion": [
        "zona", "parroquia", "mensaje", "estado", "solicitada", "atendida", "respuesta",
    ],
    "disposiciones_comentarios": ["comentario_id", "consulta", "disposicion", "motivo", "fecha"],
    "solicitudes_silla_vacia": [
        "organizacion", "registro", "representante_legal", "delegado", "correo_delegado",
        "alterno", "correo_alterno", "correo_contacto", "punto_del_orden_del_dia", "sesion",
        "estado", "motivo", "documentos", "enviada", "resuelta",
    ],
    "inscripciones_formacion": [
        "sesion", "plan", "fecha_sesion", "enlace", "nombre", "correo", "parroquia", "estado",
        "asistio", "certificado", "inscrita",
    ],
    "respuestas_encuestas": ["encuesta", "anonima", "pregunta", "respuesta", "fecha"],
    "solicitudes_derechos": ["tipo", "estado", "solicitada", "terminada", "disponible_hasta"],
    "actividad_personal": ["actividad", "cantidad"],
}  # fmt: skip
LIST_SECTIONS = tuple(HEADERS)

LINK_KEYS = {"enlace", "foto", "archivo"}


def absolute_links(value):
    """Every link of the export made absolute (SITE_BASE_URL), in place."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in LINK_KEYS and isinstance(item, str) and item.startswith("/"):
                value[key] = site_url(item)
            else:
                absolute_links(item)
    elif isinstance(value, list):
        for item in value:
            absolute_links(item)
    return value
