"""A reusable discussion engine: threads, comments with stance, replies, supports, flags.

The objects people discuss (a provision of an ordinance, a proposal, a public work) hold a
plain foreign key to their Thread; the engine knows nothing about them. Counters on
comments are denormalised and kept correct by `services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MAX_DEPTH = 3  # a top-level comment has depth 1; replies go down to depth 3
MAX_BODY_LENGTH = 3000


class Thread(models.Model):
    zone = models.ForeignKey(
        "territory.Zone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("zone"),
        help_text=_("Whose moderators act on this thread; empty for city-wide ones."),
    )
    title = models.CharField(_("title"), max_length=255)
    comment_count = models.PositiveIntegerField(_("visible comments"), default=0)
    # Visible top-level comments by stance: denormalised so that a page listing 40 articles
    # reads 40 rows, not every comment (kept by services; `thread_recount` rebuilds them).
    favor_count = models.PositiveIntegerField(default=0, verbose_name=_("comments in favour"))
    contra_count = models.PositiveIntegerField(default=0, verbose_name=_("comments against"))
    neutral_count = models.PositiveIntegerField(default=0, verbose_name=_("neutral comments"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")

    def __str__(self):
        return self.title

    @property
    def counts(self) -> dict[str, int]:
        return {
            "total": self.comment_count,
            "favor": self.favor_count,
            "contra": self.contra_count,
            "neutral": self.neutral_count,
        }


class Stance(models.TextChoices):
    FOR = "favor", _("In favour")
    AGAINST = "contra", _("Against")
    NEUTRAL = "neutral", _("Neutral")


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden by moderation")
        DELETED = "deleted", _("Deleted by its author")

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="comments", verbose_name=_("thread")
    )
    # NULL once the author deleted their account: the comment stays, by "Participante
    # anónimo" (privacy.deletion).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="comments",
        verbose_name=_("author"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    depth = models.PositiveSmallIntegerField(default=1, verbose_name=_("depth"))
    stance = models.CharField(_("stance"), max_length=10, choices=Stance.choices, blank=True)
    body = models.TextField(_("comment"), max_length=MAX_BODY_LENGTH)
    proposed_wording = models.TextField(
        _("proposed wording"), max_length=MAX_BODY_LENGTH, blank=True
    )
    # Which revision of the discussed object the comment was about (e.g. version 2 of a
    # draft ordinance), so later revisions can say "sobre la versión 2".
    revision = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("revision discussed")
    )
    is_official = models.BooleanField(_("official answer"), default=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.VISIBLE, verbose_name=_("status")
    )
    moderation_reason = models.CharField(_("moderation reason"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("moderated at"))
    support_count = models.PositiveIntegerField(default=0, verbose_name=_("supports"))
    open_flag_count = models.PositiveIntegerField(default=0, verbose_name=_("open flags"))
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )
    edited_at = models.DateTimeField(null=True, blank=True, verbose_name=_("edited at"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            # The two orders of a thread's page, whole (the id breaks ties), so a page's ids
            # are read from the index alone, however deep the page.
            models.Index(
                fields=["thread", "parent", "-created_at", "-id"], name="comment_thread_recent"
            ),
            models.Index(
                fields=["thread", "parent", "-support_count", "-created_at", "-id"],
                name="comment_thread_supported",
            ),
            models.Index(fields=["author", "created_at"], name="comment_author_rate"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth__gte=1, depth__lte=MAX_DEPTH), name="comment_depth_limit"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, depth=1) | Q(parent__isnull=False, depth__gt=1),
                name="comment_depth_matches_parent",
            ),
            models.CheckConstraint(
                condition=~Q(status="hidden") | ~Q(moderation_reason=""),
                name="comment_hidden_has_reason",
            ),
            models.CheckConstraint(condition=~Q(pk=F("parent")), name="comment_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.author_id}: {self.body[:40]}"

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.VISIBLE


class Support(models.Model):
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="supports", verbose_name=_("comment")
    )
    # NULL once the person deleted their account: it still counts, linked to nobody.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="support_once_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.comment_id}"


class Flag(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        OFFENSIVE = "ofensivo", _("Offensive")
        OFF_TOPIC = "fuera_de_tema", _("Off topic")

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="flags", verbose_name=_("comment")
    )
    # NULL once the person deleted their account: it still counts, linked to nobody.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    resolved = models.BooleanField(default=False, verbose_name=_("resolved"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="flag_once_per_user"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.comment_id}"
