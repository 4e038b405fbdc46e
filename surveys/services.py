"""Writes of the survey engine: answering a survey (with an account or an invitation) and
the staff's work on surveys, questions and choices.

Decisions:
- Answers are validated against the survey's questions: a single choice is one id of that
  question's choices; a multiple choice a list of its ids without repeats; a scale an
  integer from 1 to 5; a short text at most 300 characters, a long one at most 5,000.
  Required questions must be answered; ids of questions not in the survey are refused.
  Every problem is reported at once, per question (`AnswersInvalid.errors`).
- One answer per person (key "user:<pk>") or per invitation (the invitation's key), stored
  through `invitations.respondent_key` (an HMAC on anonymous surveys). The unique
  constraint settles a race: the loser gets the same "already answered" message.
- Identified surveys keep who answered: the account (`respondent`) or the invitation's
  name (`respondent_name`); anonymous ones keep neither.
- Once a survey has responses its questions are fixed: no question is added, removed or
  changes kind or required, and choices are neither added nor removed nor reordered. Only
  the wording (a question's text and help, a choice's label) may still be corrected, a
  typo fix, recorded in the audit log with the old and new wording. Answers point at
  choices, so a choice's new label must not be another choice's label (a swap would move
  the answers) and must be similar to the old one (one typo at most, case and accents
  aside): "Sí" -> "No" is refused, "Si" -> "Sí" allowed.
- A response answers at least one question (a survey of optional questions refuses an
  empty form). Anonymous surveys store the submission time to the hour only. Moving a question
  (its position) changes nothing answered and stays allowed. The survey's identity and
  limit are fixed once answered (the stored keys depend on them).
- `create_evaluation_survey` is called by the training services (which check
  training.manage themselves): it asks no rule.
"""

import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide import rulebook
from quitodecide.changes import changes, snapshot
from quitodecide.errors import DomainError

from . import audit
from .invitations import respondent_key
from .models import Answer, Choice, Question, Response, Survey

MANAGE = "surveys.manage"
ANSWER = "surveys.answer"
ANSWER_INVITED = "surveys.answer_invited"
SHORT_MAX = 300
LONG_MAX = 5000
CHOICE_KINDS = (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
MAX_CHOICES = 30


class AnswersInvalid(DomainError):
    """Answers that do not fit the questions: `errors` maps a question's pk (or None for
    the whole form) to the message for it."""

    def __init__(self, errors: dict):
        super().__init__(_("Please correct the answers marked below."))
        self.errors = errors


def already_answered_message() -> str:
    return _("You have already answered this survey. Thank you: only one answer is counted.")


# --- answering ---------------------------------------------------------------------------
def _as_int(value):
    """An int from an int or a string of digits; None otherwise (bools are not ints)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        value = value.strip()
        if value.isascii() and value.isdigit() and len(value) <= 9:
            return int(value)
    return None


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, str | list | tuple) and len(value) == 0)
        or (isinstance(value, str) and not value.strip())
    )


def validate(survey, data) -> list[Answer]:
    """The unsaved Answers that `data` ({question pk: value}) gives, or AnswersInvalid."""
    if not isinstance(data, dict):
        raise AnswersInvalid({None: _("The answers could not be read.")})
    questions = {q.pk: q for q in survey.questions.prefetch_related("choices")}
    values, errors = {}, {}
    for raw_key, value in data.items():
        pk = _as_int(raw_key)
        if pk is None or pk not in questions:
            errors[None] = _("The answers name a question that is not in this survey.")
            continue
        values[pk] = value
    answers = []
    for pk, question in questions.items():
        value = values.get(pk)
        if _blank(value):
            if question.required:
                errors[pk] = _("This question is required.")
            continue
        try:
            answers.extend(_answers_for(question, value))
        except DomainError as error:
            errors[pk] = error.message
    if errors:
        raise AnswersInvalid(errors)
    if not answers:
        raise AnswersInvalid({None: _("Answer at least one question.")})
    return answers


def _answers_for(question, value) -> list[Answer]:
    kind = question.Kind
    if question.kind == kind.SINGLE:
        choices = {c.pk: c for c in question.choices.all()}
        pk = _as_int(value)
        if pk is None or pk not in choices:
            raise DomainError(_("Choose one of the options."))
        return [Answer(question=question, choice=choices[pk])]
    if question.kind == kind.MULTIPLE:
        choices = {c.pk: c for c in question.choices.all()}
        if isinstance(value, str | int):
            value = [value]
        if not isinstance(value, list | tuple) or len(value) > len(choices):
            raise DomainError(_("Choose among the options."))
        picked = [_as_int(item) for item in value]
        if any(pk is None or pk not in choices for pk in picked):
            raise DomainError(_("Choose among the options."))
        if len(set(picked)) != len(picked):
            raise DomainError(_("Each option can be ticked only once."))
        return [Answer(question=question, choice=choices[pk]) for pk in picked]
    if question.kind == kind.SCALE:
        number = _as_int(value)
        if number is None or not 1 <= number <= 5:
            raise DomainError(_("Choose a value from 1 to 5."))
        return [Answer(question=question, number=number)]
    if not isinstance(value, str):
        raise DomainError(_("Write the answer as text."))
    text = value.replace("\x00", "").strip()
    limit = SHORT_MAX if question.kind == kind.SHORT else LONG_MAX
    if len(text) > limit:
        raise DomainError(
            _("Write at most %(limit)s characters (you wrote %(count)s).")
            % {"limit": limit, "count": len(text)}
        )
    if not text:
        if question.required:
            raise DomainError(_("This question is required."))
        return []
    return [Answer(question=question, text=text)]


def _save(survey, key: str, data, *, respondent=None, respondent_name: str = "") -> Response:
    stored_key = respondent_key(survey, key)
    if Response.objects.filter(survey=survey, respondent_key=stored_key).exists():
        raise DomainError(already_answered_message())
    answers = validate(survey, data)
    identified = survey.identity == Survey.Identity.IDENTIFIED
    submitted_at = timezone.now()
    if not identified:  # the hour only: the time must not single out who answered
        submitted_at = submitted_at.replace(minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                respondent_key=stored_key,
                respondent=respondent if identified else None,
                respondent_name=(respondent_name[:200] if identified else ""),
                submitted_at=submitted_at,
            )
            for answer in answers:
                answer.response = response
            Answer.objects.bulk_create(answers)
    except IntegrityError as error:
        raise DomainError(already_answered_message()) from error
    return response


def has_answered(user, survey) -> bool:
    if not (user and user.is_authenticated):
        return False
    key = respondent_key(survey, f"user:{user.pk}")
    return Response.objects.filter(survey=survey, respondent_key=key).exists()


def invitation_used(invitation) -> bool:
    key = respondent_key(invitation.survey, invitation.key)
    return Response.objects.filter(survey=invitation.survey, respondent_key=key).exists()


def submit(user, survey, data) -> Response:
    """Answer `survey` with an account (rule book: surveys.answer)."""
    rulebook.require(user, ANSWER, survey)
    return _save(survey, f"user:{user.pk}", data, respondent=user)


def submit_invited(invitation, data) -> Response:
    """Answer the invitation's survey, once per invitation (rule book: surveys.answer_invited;
    the invitation is the credential)."""
    rulebook.require(None, ANSWER_INVITED, invitation)
    return _save(invitation.survey, invitation.key, data, respondent_name=invitation.name)


# --- staff: surveys, questions, choices --------------------------------------------------
SURVEY_FIELDS = (
    "title",
    "slug",
    "intro",
    "zone_id",
    "purpose",
    "identity",
    "limit",
    "opens_at",
    "closes_at",
    "is_published",
    "results_public",
)
QUESTION_FIELDS = ("position", "kind", "text", "help_text", "required")


def _log(instance, action, actor, **data):
    log(instance=instance, action=action, user=actor, data=data)


@transaction.atomic
def survey_save(
    *,
    actor,
    title: str,
    slug: str,
    opens_at,
    closes_at,
    zone=None,
    intro: str = "",
    purpose: str = Survey.Purpose.STANDALONE,
    identity: str = Survey.Identity.ANONYMOUS,
    limit: str = Survey.Limit.PER_ACCOUNT,
    is_published: bool = False,
    results_public: bool = True,
    survey: Survey | None = None,
) -> Survey:
    """Create or edit a survey of `zone` (None: city-wide). Staff of the survey's zone, and
    of the new zone when it moves (rule book: surveys.manage)."""
    if survey is not None:
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        rulebook.require(actor, MANAGE, survey)
    rulebook.require(actor, MANAGE, Survey(zone=zone))
    title, slug, intro = (title or "").strip(), (slug or "").strip(), (intro or "").strip()
    if not title or not slug:
        raise DomainError(_("A survey needs a title and a slug."))
    if len(title) > 200 or len(slug) > 80:
        raise DomainError(_("The title or the slug is too long."))
    if purpose not in Survey.Purpose.values or identity not in Survey.Identity.values:
        raise DomainError(_("Choose the purpose and the identity of the survey."))
    if limit not in Survey.Limit.values:
        raise DomainError(_("Choose who answers the survey."))
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise DomainError(_("The survey closes after it opens."))
    clash = Survey.objects.filter(slug=slug)
    if survey is not None:
        clash = clash.exclude(pk=survey.pk)
    if clash.exists():
        raise DomainError(_("Another survey has this slug."))
    changes_keys = survey is not None and (identity != survey.identity or limit != survey.limit)
    if changes_keys and survey.responses.exists():
        raise DomainError(
            _("This survey has responses: who answers and whether it is anonymous are fixed.")
        )
    created = survey is None
    before = snapshot(survey, SURVEY_FIELDS)
    survey = survey or Survey(created_by=actor)
    survey.title, survey.slug, survey.intro, survey.zone = title, slug, intro, zone
    survey.purpose, survey.identity, survey.limit = purpose, identity, limit
    survey.opens_at, survey.closes_at = opens_at, closes_at
    survey.is_published, survey.results_public = bool(is_published), bool(results_public)
    survey.save()
    _log(
        survey,
        audit.SURVEY_SAVE,
        actor,
        created=created,
        changed=changes(before, survey, SURVEY_FIELDS),
    )
    return survey


@transaction.atomic
def survey_delete(*, actor, survey) -> None:
    rulebook.require(actor, MANAGE, survey)
    if survey.responses.exists():
        raise DomainError(_("This survey has responses: it cannot be deleted. Unpublish it."))
    _log(survey, audit.SURVEY_DELETE, actor, title=survey.title)
    survey.delete()


def _clean_labels(kind, choices) -> list[str]:
    labels = [str(label).strip() for label in (choices or []) if str(label).strip()]
    if kind in CHOICE_KINDS:
        if len(labels) < 2:
            raise DomainError(_("A choice question needs at least two options."))
        if len(labels) > MAX_CHOICES:
            raise DomainError(_("A question has at most 30 options."))
        if any(len(label) > 200 for label in labels):
            raise DomainError(_("An option has at most 200 characters."))
        if len({label.casefold() for label in labels}) != len(labels):
            raise DomainError(_("Two options have the same label."))
        return labels
    return []


def _plain_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _letters_only(text: str) -> str:
    """Letters and digits, without case, accents, punctuation or spaces."""
    return "".join(c for c in _plain_letters(text) if c.isalnum())


def _one_typo_apart(a: str, b: str) -> bool:
    """Whether `b` is `a` with at most one letter inserted, deleted, replaced, or two
    neighbours swapped (optimal string alignment distance <= 1). Linear time."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    return (
        a[1:] == b[1:]  # one replaced
        or a[1:] == b  # one deleted
        or a == b[1:]  # one inserted
        or (len(a) >= 2 and a[0] == b[1] and a[1] == b[0] and a[2:] == b[2:])  # swapped
    )


def _similar(old: str, new: str) -> bool:
    """Whether `new` reads as a correction of `old`: the same letters once case, accents,
    punctuation and spacing are set aside ("Si" -> "Sí", "Tres" -> "Tres."), or one typo
    apart ("Recomendabel" -> "Recomendable"). A word or a prefix added or removed is not a
    correction ("Satisfecho" -> "Insatisfecho", "Útil" -> "Inútil", "De acuerdo" -> "En
    desacuerdo"): it would turn every answer given into its opposite."""
    a, b = _letters_only(old), _letters_only(new)
    if a == b:
        return True
    # One typo in a short label may be another word ("Uno" -> "Una"): only from 4 letters.
    return min(len(a), len(b)) >= 4 and _one_typo_apart(a, b)


def _check_label_fixes(old_labels: list[str], new_labels: list[str]) -> None:
    """Answers point at choices by position: once answered, an option's label may change
    only as a typo fix. Refused: a label that another option had (options swapped, which
    would move the answers to the other option) and a label not similar to the old one."""
    folded = [label.casefold() for label in old_labels]
    for index, (old, new) in enumerate(zip(old_labels, new_labels, strict=True)):
        if old == new:
            continue
        if any(new.casefold() == other for i, other in enumerate(folded) if i != index):
            raise DomainError(
                _(
                    "This survey has responses: the options cannot be reordered or swapped "
                    '("%(label)s" is already another option). The answers would move to '
                    "another option."
                )
                % {"label": new}
            )
        if not _similar(old, new):
            raise DomainError(
                _(
                    "This survey has responses: an option's label may only be corrected "
                    '(a typo), not replaced. "%(old)s" cannot become "%(new)s".'
                )
                % {"old": old, "new": new}
            )


@transaction.atomic
def question_save(
    *,
    actor,
    survey: Survey,
    kind: str,
    text: str,
    help_text: str = "",
    required: bool = True,
    choices=(),
    question: Question | None = None,
) -> Question:
    """Add a question at the end of `survey`, or edit `question`; `choices` are the option
    labels in order (choice questions only). Once the survey has responses only the wording
    may change (see the module's decisions)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    rulebook.require(actor, MANAGE, survey)
    if question is not None and question.survey_id != survey.pk:
        raise DomainError(_("This question is not in this survey."))
    if kind not in Question.Kind.values:
        raise DomainError(_("Choose the kind of question."))
    text, help_text = (text or "").strip(), (help_text or "").strip()
    if not text:
        raise DomainError(_("Write the question."))
    if len(text) > 300 or len(help_text) > 300:
        raise DomainError(_("The question and its help have at most 300 characters each."))
    labels = _clean_labels(kind, choices)
    answered = survey.responses.exists()
    existing = list(question.choices.all()) if question is not None else []
    if answered:
        if question is None:
            raise DomainError(
                _("This survey has responses: questions can no longer be added or removed.")
            )
        if kind != question.kind or bool(required) != question.required:
            raise DomainError(
                _(
                    "This survey has responses: only the wording of a question and its options "
                    "can still be corrected."
                )
            )
        if len(labels) != len(existing):
            raise DomainError(
                _("This survey has responses: options can no longer be added or removed.")
            )
        _check_label_fixes([c.label for c in existing], labels)
    created = question is None
    before = snapshot(question, QUESTION_FIELDS)
    before_labels = [c.label for c in existing]
    if question is None:
        last = survey.questions.aggregate(last=Max("position"))["last"] or 0
        question = Question(survey=survey, position=last + 1)
    question.kind, question.text, question.help_text = kind, text, help_text
    question.required = bool(required)
    question.save()
    for position, label in enumerate(labels, start=1):
        if position <= len(existing):
            choice = existing[position - 1]
            if choice.label != label or choice.position != position:
                choice.label, choice.position = label, position
                choice.save(update_fields=["label", "position"])
        else:
            Choice.objects.create(question=question, position=position, label=label)
    for choice in existing[len(labels) :]:
        choice.delete()  # only without responses (checked above)
    _log(
        question,
        audit.QUESTION_SAVE,
        actor,
        survey=survey.pk,
        created=created,
        changed=changes(before, question, QUESTION_FIELDS),
        choices=[before_labels, labels] if before_labels != labels else [],
    )
    return question


@transaction.atomic
def question_move(*, actor, question: Question, up: bool) -> None:
    """Swap `question` with the one before (up) or after it."""
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    rulebook.require(actor, MANAGE, survey)
    siblings = list(survey.questions.order_by("position"))
    index = next((i for i, q in enumerate(siblings) if q.pk == question.pk), None)
    if index is None:
        raise DomainError(_("This question is not in this survey."))
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    a, b = siblings[index], siblings[other]
    a_pos, b_pos = a.position, b.position
    a.position = 0
    a.save(update_fields=["position"])
    b.position = a_pos
    b.save(update_fields=["position"])
    a.position = b_pos
    a.save(update_fields=["position"])
    _log(a, audit.QUESTION_SAVE, actor, survey=survey.pk, moved=[a_pos, b_pos])


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    rulebook.require(actor, MANAGE, survey)
    if survey.responses.exists():
        raise DomainError(
            _("This survey has responses: questions can no longer be added or removed.")
        )
    _log(question, audit.QUESTION_DELETE, actor, survey=survey.pk, text=question.text)
    question.delete()


# --- training evaluations ----------------------------------------------------------------
@transaction.atomic
def create_evaluation_survey(session_title: str, zone, opens_at, closes_at, slug: str) -> Survey:
    """The standard evaluation of a training session: answered once per invitation,
    anonymous, results for staff only, published. Questions: overall satisfaction,
    usefulness of the content and the facilitator (scales 1-5), whether they would
    recommend it (Sí/No) and what to improve (long text, optional). Written in the site's
    language. The caller (training) checks its own rule."""
    if closes_at is None or opens_at is None or closes_at <= opens_at:
        raise DomainError(_("The survey closes after it opens."))
    slug = (slug or "").strip()[:80]
    if not slug or Survey.objects.filter(slug=slug).exists():
        raise DomainError(_("Another survey has this slug."))
    with translation.override(settings.LANGUAGE_CODE):
        survey = Survey.objects.create(
            title=(_("Evaluation: %(title)s") % {"title": session_title})[:200],
            slug=slug,
            intro=_(
                "Thank you for taking part. Your answers are anonymous and help us improve "
                "the next sessions."
            ),
            zone=zone,
            purpose=Survey.Purpose.EVALUATION,
            identity=Survey.Identity.ANONYMOUS,
            limit=Survey.Limit.PER_INVITATION,
            opens_at=opens_at,
            closes_at=closes_at,
            is_published=True,
            results_public=False,
        )
        specs = [
            (Question.Kind.SCALE, _("Overall, how satisfied are you with the session?"), True),
            (Question.Kind.SCALE, _("How useful was the content?"), True),
            (Question.Kind.SCALE, _("How do you rate the facilitator?"), True),
            (Question.Kind.SINGLE, _("Would you recommend it?"), True),
            (Question.Kind.LONG, _("What should we improve?"), False),
        ]
        scale_help = _("1 = very poor, 5 = excellent")
        for position, (kind, text, required) in enumerate(specs, start=1):
            question = Question.objects.create(
                survey=survey,
                position=position,
                kind=kind,
                text=text,
                help_text=scale_help if kind == Question.Kind.SCALE else "",
                required=required,
            )
            if kind == Question.Kind.SINGLE:
                Choice.objects.create(question=question, position=1, label=_("Yes"))
                Choice.objects.create(question=question, position=2, label=_("No"))
    return survey


def log_export(*, actor, survey, rows: int) -> None:
    """Record a download of a survey's responses (staff only: the view checked)."""
    rulebook.require(actor, MANAGE, survey)
    _log(survey, audit.RESPONSES_EXPORT, actor, rows=rows)
