"""Writes for consultations: versions of the draft, comments, observations."""

from django.db import transaction
from django.utils.translation import gettext as _

from discussions import services as discussion_services
from discussions.models import Comment, Thread
from quitodecide.errors import DomainError, PermissionDenied

from . import permissions
from .models import ConsultationPage, DraftVersion, InPersonSession, Provision, SessionObservation
from .parser import ParseError, parse_ordinance


def _thread_title(consultation, label: str) -> str:
    return f"{consultation.title} · {label}"[:255]


def _general_thread(consultation: ConsultationPage) -> Thread:
    if consultation.general_thread_id is None:
        thread = Thread.objects.create(
            zone=consultation.zone, title=_thread_title(consultation, "General")
        )
        ConsultationPage.objects.filter(pk=consultation.pk).update(general_thread=thread)
        consultation.general_thread = thread
    return consultation.general_thread


@transaction.atomic
def version_publish(*, consultation: ConsultationPage, actor=None) -> DraftVersion | None:
    """Turn the page's current draft text into a new version, if it changed.

    Provisions keep their thread across versions by key ("art-5"), so comments stay with
    the article they were about. Returns the new version, or None when nothing changed.
    """
    # Lock the page row so two publications cannot both create "version N + 1".
    ConsultationPage.objects.select_for_update().filter(pk=consultation.pk).first()
    latest = consultation.versions.order_by("-number").first()
    if latest is not None and latest.source_text == consultation.draft_text:
        _general_thread(consultation)
        return None
    try:
        parsed = parse_ordinance(consultation.draft_text)
    except ParseError as error:
        raise DomainError(" ".join(error.messages)) from error
    version = DraftVersion.objects.create(
        consultation=consultation,
        number=(latest.number + 1) if latest else 1,
        source_text=consultation.draft_text,
        preamble=parsed.preamble,
        published_by=actor if actor is not None and actor.is_authenticated else None,
    )
    existing_threads = dict(
        Provision.objects.filter(
            version__consultation=consultation, thread__isnull=False
        ).values_list("key", "thread_id")
    )
    zone = consultation.zone
    rows = []
    for position, item in enumerate(parsed.provisions):
        thread_id = None
        if item.is_commentable:
            thread_id = existing_threads.get(item.key)
            if thread_id is None:
                thread_id = Thread.objects.create(
                    zone=zone, title=_thread_title(consultation, item.label)
                ).pk
        rows.append(
            Provision(
                version=version,
                position=position,
                kind=item.kind,
                key=item.key,
                label=item.label[:120],
                heading=item.heading[:300],
                body=item.body,
                level=item.level,
                thread_id=thread_id,
            )
        )
    Provision.objects.bulk_create(rows)
    _general_thread(consultation)
    return version


def latest_version(consultation) -> DraftVersion | None:
    return consultation.versions.order_by("-number").first()


@transaction.atomic
def consultation_comment(
    *,
    consultation: ConsultationPage,
    user,
    body: str,
    stance: str = "",
    proposed_wording: str = "",
    provision_key: str = "",
    parent: Comment | None = None,
) -> Comment:
    refusal = permissions.comment_refusal(user, consultation)
    if refusal:
        raise PermissionDenied(refusal)
    version = latest_version(consultation)
    if version is None:
        raise DomainError(_("This consultation has no published text yet."))
    if parent is not None:
        thread = parent.thread
        if not _thread_belongs(consultation, thread):
            raise DomainError(_("That comment is not part of this consultation."))
    elif provision_key:
        provision = version.provisions.filter(key=provision_key, thread__isnull=False).first()
        if provision is None:
            raise DomainError(_("That article is not part of the current version."))
        thread = provision.thread
    else:
        thread = _general_thread(consultation)
    if parent is not None or thread.pk == consultation.general_thread_id:
        proposed_wording = "" if parent is not None else proposed_wording
    return discussion_services.comment_create(
        thread=thread,
        author=user,
        body=body,
        stance=stance if parent is None else "",
        proposed_wording=proposed_wording,
        parent=parent,
        revision=version.number,
    )


def _thread_belongs(consultation, thread) -> bool:
    return (
        thread.pk == consultation.general_thread_id
        or Provision.objects.filter(version__consultation=consultation, thread=thread).exists()
    )


@transaction.atomic
def observation_record(
    *, session: InPersonSession, actor, text: str, provision_key: str = "", stance: str = ""
) -> SessionObservation:
    consultation = session.consultation
    if not permissions.can_manage(actor, consultation):
        raise PermissionDenied(_("Only staff of this zone can record observations."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the observation."))
    version = latest_version(consultation)
    if provision_key and (
        version is None or not version.provisions.filter(key=provision_key).exists()
    ):
        raise DomainError(_("That article is not part of the current version."))
    return SessionObservation.objects.create(
        session=session,
        provision_key=provision_key,
        stance=stance,
        text=text[:3000],
        recorded_by=actor,
    )
