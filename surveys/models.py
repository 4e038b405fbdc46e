"""Surveys (encuestas): questionnaires with single choice, multiple choice, a 1-5 scale,
short and long text questions, required or optional; anonymous or identified; open between
two dates; one answer per person (an account) or per invitation (a training registration:
training.evaluation issues the invitations).

A standalone survey belongs to a zone (shown on its zone page) or to the whole city
(zone None); an evaluation survey belongs to a training session (training.TrainingSession
.evaluation) and is answered by invitation only.

Who answered is kept apart from what was answered: `Response.respondent_key` (unique per
survey) enforces one answer each; `Response.respondent` is set only on identified surveys.
On an anonymous survey the key is an HMAC of the account or invitation, so answers cannot
be joined to a person from the database alone.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Survey(models.Model):
    class Purpose(models.TextChoices):
        STANDALONE = "standalone", _("Standalone survey")
        EVALUATION = "evaluation", _("Training evaluation")

    class Identity(models.TextChoices):
        ANONYMOUS = "anonymous", _("Anonymous")
        IDENTIFIED = "identified", _("Identified")

    class Limit(models.TextChoices):
        PER_ACCOUNT = "account", _("One answer per person (with an account)")
        PER_INVITATION = "invitation", _("One answer per invitation (training registration)")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    intro = models.TextField(_("introduction"), blank=True)
    zone = models.ForeignKey(
        "territory.Zone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("zone"),
        help_text=_("Empty for a city-wide survey."),
    )
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.STANDALONE
    )
    identity = models.CharField(
        _("identity"), max_length=20, choices=Identity.choices, default=Identity.ANONYMOUS
    )
    limit = models.CharField(
        _("who answers"), max_length=20, choices=Limit.choices, default=Limit.PER_ACCOUNT
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    is_published = models.BooleanField(_("published"), default=False)
    results_public = models.BooleanField(
        _("results public once closed"),
        default=True,
        help_text=_("Otherwise only staff see the results."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("surveys:detail", kwargs={"slug": self.slug})

    def phase(self, now=None) -> str:
        """ "upcoming", "open" or "closed" (by the dates; unpublished surveys are upcoming)."""
        now = now or timezone.now()
        if not self.is_published or now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale from 1 to 5")
        SHORT = "short", _("Short text")
        LONG = "long", _("Long text")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["survey", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "position"], name="question_position_unique_per_survey"
            ),
        ]

    def __str__(self):
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        ordering = ["question", "position"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"], name="choice_position_unique_per_question"
            ),
        ]

    def __str__(self):
        return self.label


class Response(models.Model):
    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    respondent_key = models.CharField(_("respondent key"), max_length=128)
    # Set only on identified surveys answered with an account.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("respondent"),
    )
    # Identified surveys answered by invitation: the name the registration gave.
    respondent_name = models.CharField(_("respondent name"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["survey", "submitted_at"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"], name="one_response_per_respondent"
            ),
        ]

    def __str__(self):
        return f"{self.survey} #{self.pk}"


class Answer(models.Model):
    """One answer to one question; a multiple-choice question has a row per choice ticked."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    choice = models.ForeignKey(
        Choice,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("choice"),
    )
    number = models.PositiveSmallIntegerField(_("scale value"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__isnull=True) | models.Q(number__gte=1, number__lte=5),
                name="answer_scale_from_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.question}: {self.choice or self.number or self.text[:40]}"


class InvitationRecord(models.Model):
    """An invitation to answer a survey limited to one answer per invitation, kept on the
    server: the e-mailed link carries only a random token, whose SHA-256 is stored here
    (`token_hash`), never the token itself. `key` is the inviting app's key (e.g.
    "training-registration:42"), unique per survey; `revoked_at` ends the invitation."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("survey")
    )
    key = models.CharField(_("key"), max_length=128)
    name = models.CharField(_("name"), max_length=200, blank=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="one_invitation_per_key"),
        ]

    def __str__(self):
        return f"{self.survey} · {self.key}"
