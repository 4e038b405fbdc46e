"""Writes for consultations: versions of the draft, comments, observations."""

from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from discussions import services as discussion_services
from discussions.models import Comment, Thread
from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.pagecache import purge as purge_pages

from . import audit, matching
from .models import ConsultationPage, DraftVersion, InPersonSession, Provision, SessionObservation
from .parser import ParseError, parse_ordinance
from .rules import comment_refusal


def _thread_title(consultation, label: str) -> str:
    return f"{consultation.title} · {label}"[:255]


def _general_thread(consultation: ConsultationPage) -> Thread:
    if consultation.general_thread_id is None:
        thread = Thread.objects.create(
            zone=consultation.zone, title=_thread_title(consultation, "General")
        )
        ConsultationPage.objects.filter(pk=consultation.pk).update(general_thread=thread)
        purge_pages()  # no signal from this write: drop cached pages
        consultation.general_thread = thread
    return consultation.general_thread


@transaction.atomic
def version_publish(*, consultation: ConsultationPage, actor=None) -> DraftVersion | None:
    """Turn the page's current draft text into a new version, if it changed.

    Provisions are matched to the previous version's by content (consultations.matching,
    with the staff's corrections for this draft), and a matched provision keeps its
    article's thread, so comments stay with the article they were about. Returns the new
    version, or None when nothing changed (or the ordinance was already enacted).
    """
    # Lock the page row so two publications cannot both create "version N + 1".
    ConsultationPage.objects.select_for_update().filter(pk=consultation.pk).first()
    latest = consultation.versions.order_by("-number").first()
    if latest is not None and (latest.source_text == consultation.draft_text or latest.is_enacted):
        _general_thread(consultation)
        return None
    return version_create(
        consultation=consultation,
        text=consultation.draft_text,
        actor=actor,
        corrections=matching.corrections_for(consultation),
    )


@transaction.atomic
def version_create(
    *,
    consultation: ConsultationPage,
    text: str,
    actor=None,
    corrections: dict[str, str] | None = None,
    enacted: bool = False,
    enacted_on=None,
    ordinance_number: str = "",
    enacted_document=None,
) -> DraftVersion:
    """Parse `text` into version N + 1 of `consultation`, matching its provisions to the
    previous version's (see version_publish). The caller has checked who may do it: a page
    publication (Wagtail's permission) or `consultations.enact` (enacted.enacted_attach)."""
    ConsultationPage.objects.select_for_update().filter(pk=consultation.pk).first()
    latest = consultation.versions.order_by("-number").first()
    try:
        parsed = parse_ordinance(text)
    except ParseError as error:
        raise DomainError(" ".join(error.messages)) from error
    previous = list(latest.provisions.all()) if latest is not None else []
    pairings = matching.apply_corrections(
        matching.propose(previous, parsed.provisions), corrections or {}
    )
    thread_of_old = {p.key: p.thread_id for p in previous if p.thread_id}
    old_labels = {p.key: p.label for p in previous}
    labels = {item.key: item.label[:120] for item in parsed.provisions}
    inherited = {
        pairing.new_key: thread_of_old[pairing.old_key]
        for pairing in pairings
        if pairing.new_key and pairing.old_key in thread_of_old
    }
    version = DraftVersion.objects.create(
        consultation=consultation,
        number=(latest.number + 1) if latest else 1,
        source_text=text,
        preamble=parsed.preamble,
        published_by=actor if actor is not None and actor.is_authenticated else None,
        is_enacted=enacted,
        enacted_on=enacted_on,
        ordinance_number=ordinance_number,
        enacted_document=enacted_document,
    )
    zone = consultation.zone
    rows = []
    for position, item in enumerate(parsed.provisions):
        thread_id = None
        if item.is_commentable:
            thread_id = inherited.get(item.key)
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
    purge_pages()  # no signal from this write: drop cached pages
    # An article renumbered keeps its thread; the thread's title follows its new label.
    relabelled = [
        Thread(pk=thread_of_old[pairing.old_key], title=_thread_title(consultation, label))
        for pairing in pairings
        if pairing.new_key in inherited
        and (label := labels.get(pairing.new_key))
        and pairing.old_key in old_labels
        and old_labels[pairing.old_key] != label
    ]
    if relabelled:
        Thread.objects.bulk_update(relabelled, ["title"])
        purge_pages()  # no signal from this write: drop cached pages
    _general_thread(consultation)
    # Publishing the page is Wagtail's permission (checked before the page_published
    # signal calls this); the version it produces is audited on the page's history.
    log(
        instance=consultation,
        action=audit.VERSION_PUBLISH,
        user=version.published_by,
        data={"version": version.number, "provisions": len(rows), "enacted": enacted},
    )
    return version


def latest_draft(consultation: ConsultationPage) -> ConsultationPage:
    """The page as its latest revision has it (the draft an editor saved, published or
    not): what the next publication will turn into a version."""
    return consultation.get_latest_revision_as_object()


@transaction.atomic
def matching_correct(
    *,
    consultation: ConsultationPage,
    actor,
    pairs: dict[str, str],
    draft_sha: str | None = None,
) -> dict:
    """Staff correct the proposed matching of the page's current draft to its latest
    version: `pairs` gives, for new provisions of the draft (by key), the old provision
    they continue ("" for a new article). Provisions not in `pairs` keep the current
    matching. Stored with the draft's hash (and the latest version's number), so they
    apply when this very draft is published and are ignored once it changes; `draft_sha`,
    when given, must be the hash of the draft the staff looked at. Audited."""
    from .selectors import draft_matching

    rulebook.require(
        actor,
        "consultations.manage",
        consultation,
        _("Only staff of this consultation's zone can correct the article matching."),
    )
    ConsultationPage.objects.select_for_update().filter(pk=consultation.pk).first()
    page = ConsultationPage.objects.get(pk=consultation.pk)
    draft = latest_draft(page)
    text = draft.draft_text or ""
    sha = matching.draft_sha(text)
    if draft_sha is not None and draft_sha != sha:
        raise DomainError(
            _("The draft changed since this page was opened. Check the matching again.")
        )
    result = draft_matching(draft, text)
    if result["version"] is None:
        raise DomainError(_("Nothing is published yet: the first version has nothing to match."))
    if result["unchanged_draft"]:
        raise DomainError(_("The draft has no unpublished changes: there is nothing to match."))
    if result["error"]:
        raise DomainError(" ".join(result["error"]))
    if not isinstance(pairs, dict):
        raise DomainError(_("The matching could not be read. Check it again."))
    current = matching.chosen_of(result["lines"])
    proposed = matching.chosen_of(
        matching.propose(list(result["version"].provisions.all()), result["parsed"].provisions)
    )
    old_labels = {
        line.old_key: line.old_label for line in result["lines"] if line.old_key is not None
    }
    new_labels = {
        line.new_key: line.new_label for line in result["lines"] if line.new_key is not None
    }
    problems = []
    chosen = dict(current)
    for new_key, old_key in pairs.items():
        if not isinstance(new_key, str) or new_key not in current:
            problems.append(_("The draft has no article %(key)s.") % {"key": str(new_key)[:60]})
            continue
        if not isinstance(old_key, str) or (old_key and old_key not in old_labels):
            problems.append(
                _("Version %(n)s has no article %(key)s.")
                % {"n": result["version"].number, "key": str(old_key)[:60]}
            )
            continue
        chosen[new_key] = old_key
    seen: dict[str, str] = {}
    for new_key, old_key in chosen.items():
        if not old_key:
            continue
        if old_key in seen:
            problems.append(
                _("%(old)s cannot continue in both %(first)s and %(second)s.")
                % {
                    "old": old_labels[old_key],
                    "first": new_labels[seen[old_key]],
                    "second": new_labels[new_key],
                }
            )
        else:
            seen[old_key] = new_key
    if problems:
        raise DomainError(" ".join(dict.fromkeys(problems)))
    corrections = {key: value for key, value in chosen.items() if value != proposed.get(key, "")}
    stored = {"draft_sha": sha, "version": result["version"].number, "pairs": corrections}
    ConsultationPage.objects.filter(pk=page.pk).update(article_matching=stored)
    purge_pages()  # no signal from this write: drop cached pages
    consultation.article_matching = stored
    # Publishing saves the page as its revision has it, so the draft's revision carries the
    # corrections too (or the publication would put back what it had).
    revision = page.latest_revision
    if revision is not None and revision.content.get("draft_text") == text:
        revision.content["article_matching"] = stored
        revision.save(update_fields=["content"])
    log(
        instance=page,
        action=audit.MATCHING_CORRECT,
        user=actor,
        data={
            "version": result["version"].number,
            "draft_sha": sha,
            "pairs": corrections,
        },
    )
    return stored


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
    refusal = comment_refusal(user, consultation)
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
    if not rulebook.allowed(actor, "consultations.manage", consultation):
        raise PermissionDenied(_("Only staff of this zone can record observations."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the observation."))
    thread_id, revision = _observed_article(consultation, provision_key)
    observation = SessionObservation.objects.create(
        session=session,
        provision_key=provision_key,
        stance=stance,
        text=text[:3000],
        thread_id=thread_id,
        revision=revision,
        recorded_by=actor,
    )
    log(
        instance=observation,
        action=audit.OBSERVATION_RECORD,
        user=actor,
        data=_described(observation),
    )
    return observation


def _observed_article(consultation, provision_key: str) -> tuple[int | None, int | None]:
    """The thread (the article's identity) and version number an observation on
    `provision_key` of the current version is about; (None, number) for the whole text."""
    version = latest_version(consultation)
    if version is None:
        if provision_key:
            raise DomainError(_("That article is not part of the current version."))
        return None, None
    if not provision_key:
        return None, version.number
    provision = version.provisions.filter(key=provision_key, thread__isnull=False).first()
    if provision is None:
        raise DomainError(_("That article is not part of the current version."))
    return provision.thread_id, version.number


def _described(observation: SessionObservation) -> dict:
    return {
        "session": observation.session_id,
        "provision_key": observation.provision_key,
        "stance": observation.stance,
    }


def _require_manage(actor, session: InPersonSession) -> None:
    if not rulebook.allowed(actor, "consultations.manage", session.consultation):
        raise PermissionDenied(_("Only staff of this zone can record observations."))


@transaction.atomic
def observation_update(
    *,
    observation: SessionObservation,
    actor,
    session: InPersonSession,
    text: str,
    provision_key: str = "",
    stance: str = "",
) -> SessionObservation:
    """Correct an observation: staff of its consultation's zone, and of the session's it is
    moved to. The article must exist in that consultation's current version. Audited."""
    current = SessionObservation.objects.select_for_update().get(pk=observation.pk)
    _require_manage(actor, current.session)
    _require_manage(actor, session)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the observation."))
    values = {
        "session_id": session.pk,
        "text": text[:3000],
        "provision_key": provision_key,
        "stance": stance,
    }
    if provision_key != current.provision_key or session.consultation_id != (
        current.session.consultation_id
    ):
        thread_id, revision = _observed_article(session.consultation, provision_key)
        values.update(thread_id=thread_id, revision=revision)
    changed = sorted(name for name, value in values.items() if getattr(current, name) != value)
    if not changed:
        return current
    for name, value in values.items():
        setattr(current, name, value)
    current.save(update_fields=[name.removesuffix("_id") for name in changed])
    log(
        instance=current,
        action=audit.OBSERVATION_UPDATE,
        user=actor,
        data={"fields": [name.removesuffix("_id") for name in changed]},
    )
    return current


@transaction.atomic
def observation_delete(*, observation: SessionObservation, actor) -> None:
    """Delete an observation entered by mistake: staff of its consultation's zone. The
    audit entry keeps what it was about (not its text)."""
    current = (
        SessionObservation.objects.select_for_update()
        .select_related("session")
        .get(pk=observation.pk)
    )
    _require_manage(actor, current.session)
    log(
        instance=current,
        action=audit.OBSERVATION_DELETE,
        user=actor,
        data=_described(current),
        deleted=True,
    )
    current.delete()
