"""Participation data of a cycle: envelopes, ballots, assembly tallies and results.

Plain models written only through `budgets.services`. Integrity lives in the database: one
ballot per person (voter key) and per resident per cycle (so per ballot scope), one line
per project per ballot, one tally per parish assembly, one published result per ballot
scope.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .pages import BudgetCyclePage


class ParishEnvelope(models.Model):
    """The part of a cycle's total reserved for one parish, set by hand or computed from the
    parish figures below with the 2020 weights (`budgets.allocation`)."""

    class Method(models.TextChoices):
        MANUAL = "manual", _("Set by hand")
        WEIGHTED = "weighted", _("Computed with the 2020 weights")

    cycle = models.ForeignKey(
        BudgetCyclePage, on_delete=models.CASCADE, related_name="envelopes", verbose_name=_("cycle")
    )
    parish = models.ForeignKey(
        "territory.Parish", on_delete=models.PROTECT, related_name="+", verbose_name=_("parish")
    )
    amount = models.DecimalField(_("amount (USD)"), max_digits=14, decimal_places=2)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    unmet_needs = models.DecimalField(
        _("unmet basic needs (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    density = models.DecimalField(
        _("density (inhabitants/km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    infrastructure_needs = models.DecimalField(
        _("infrastructure needs index"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("parish envelope")
        verbose_name_plural = _("parish envelopes")
        ordering = ["parish__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "parish"], name="envelope_once_per_parish"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="envelope_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(unmet_needs__isnull=True)
                    | models.Q(unmet_needs__gte=0, unmet_needs__lte=100)
                ),
                name="envelope_unmet_needs_is_percentage",
            ),
            models.CheckConstraint(
                condition=models.Q(density__isnull=True) | models.Q(density__gte=0),
                name="envelope_density_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(infrastructure_needs__isnull=True)
                    | models.Q(infrastructure_needs__gte=0)
                ),
                name="envelope_infrastructure_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.parish}"


class Ballot(models.Model):
    """One person's ballot in a cycle: cast online by the resident (revisable until voting
    closes), or registered at a booth by staff (final).

    The ballot scope is the cycle, narrowed to the voter's parish when the cycle has parish
    envelopes. A person votes once per cycle whatever the channel: `voter_key` is the
    cycle's key of their cédula (`accounts.cedula.cycle_voter_key`), unique per cycle; a
    booth ballot has no resident, and deleting an account keeps its ballot counted with
    its key but without the resident. Changing one's choices online replaces the lines of
    the same ballot.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        BOOTH = "booth", _("booth (registered by person)")

    cycle = models.ForeignKey(
        BudgetCyclePage, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("cycle")
    )
    # NULL for a booth ballot, and once the resident's account is deleted (the vote stays).
    resident = models.ForeignKey(
        "accounts.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_ballots",
        verbose_name=_("resident"),
    )
    # NULL only for ballots cast before voter keys, by residents who had no cédula.
    voter_key = models.CharField(
        _("voter key (keyed hash of the cédula for this cycle)"),
        max_length=64,
        null=True,
        blank=True,
        editable=False,
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    booth = models.CharField(_("booth or place"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by (booth staff)"),
    )
    parish = models.ForeignKey(
        "territory.Parish",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parish (ballot scope)"),
    )
    total_cost = models.DecimalField(
        _("total cost of the choices (USD)"), max_digits=14, decimal_places=2, default=0
    )
    revision = models.PositiveIntegerField(_("times submitted"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "resident"], name="ballot_one_per_resident_per_cycle"
            ),
            # THE rule: one person, one vote per cycle, online or at a booth.
            models.UniqueConstraint(
                fields=["cycle", "voter_key"], name="ballot_one_per_person_per_cycle"
            ),
            models.CheckConstraint(
                condition=models.Q(total_cost__gte=0), name="ballot_total_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(channel="online")
                | models.Q(channel="booth", resident__isnull=True, voter_key__isnull=False),
                name="ballot_booth_is_per_person_without_account",
            ),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.channel} · {self.pk}"


class BallotLine(models.Model):
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="lines", verbose_name=_("ballot")
    )
    request = models.ForeignKey(
        "proposals.Request",
        on_delete=models.PROTECT,
        related_name="ballot_lines",
        verbose_name=_("project"),
    )
    cost = models.DecimalField(_("cost when chosen (USD)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("ballot line")
        verbose_name_plural = _("ballot lines")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "request"], name="ballot_line_once"),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="ballot_line_cost_ok"),
        ]

    def __str__(self):
        return f"{self.ballot_id} · {self.request_id}"


ACTA_STORED_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png"}


def acta_upload_to(instance, filename):
    """A random name (never the uploader's file name), keeping a known extension."""
    import uuid
    from pathlib import PurePath

    extension = PurePath(filename).suffix.lower()
    extension = extension if extension in ACTA_STORED_EXTENSIONS else ""
    return f"presupuestos/actas/{instance.cycle_id}/{uuid.uuid4().hex}{extension}"


class AssemblyTally(models.Model):
    """The votes counted by hand in one parish assembly, entered by staff with its acta."""

    cycle = models.ForeignKey(
        BudgetCyclePage, on_delete=models.PROTECT, related_name="tallies", verbose_name=_("cycle")
    )
    parish = models.ForeignKey(
        "territory.Parish", on_delete=models.PROTECT, related_name="+", verbose_name=_("parish")
    )
    held_on = models.DateField(_("held on"))
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    acta = models.FileField(_("signed minutes (acta)"), upload_to=acta_upload_to)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("assembly tally")
        verbose_name_plural = _("assembly tallies")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "parish"], name="tally_once_per_parish"),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.parish}"


class AssemblyTallyLine(models.Model):
    tally = models.ForeignKey(
        AssemblyTally, on_delete=models.CASCADE, related_name="lines", verbose_name=_("tally")
    )
    request = models.ForeignKey(
        "proposals.Request",
        on_delete=models.PROTECT,
        related_name="tally_lines",
        verbose_name=_("project"),
    )
    votes = models.PositiveIntegerField(_("votes"))

    class Meta:
        verbose_name = _("tally line")
        verbose_name_plural = _("tally lines")
        constraints = [
            models.UniqueConstraint(fields=["tally", "request"], name="tally_line_once"),
            models.CheckConstraint(condition=models.Q(votes__gte=0), name="tally_votes_ok"),
        ]

    def __str__(self):
        return f"{self.tally_id} · {self.request_id}: {self.votes}"


class ResultSet(models.Model):
    """The published outcome of one ballot scope (the cycle, or one parish of it)."""

    cycle = models.ForeignKey(
        BudgetCyclePage, on_delete=models.PROTECT, related_name="results", verbose_name=_("cycle")
    )
    parish = models.ForeignKey(
        "territory.Parish",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parish"),
    )
    envelope = models.DecimalField(_("envelope (USD)"), max_digits=14, decimal_places=2)
    selected_total = models.DecimalField(_("total selected (USD)"), max_digits=14, decimal_places=2)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("computed by"),
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"],
                condition=models.Q(parish__isnull=True),
                name="result_once_per_cycle_scope",
            ),
            models.UniqueConstraint(
                fields=["cycle", "parish"],
                condition=models.Q(parish__isnull=False),
                name="result_once_per_parish_scope",
            ),
            models.CheckConstraint(
                condition=models.Q(selected_total__lte=models.F("envelope"), selected_total__gte=0),
                name="result_total_within_envelope",
            ),
        ]

    def __str__(self):
        return f"{self.cycle} · {self.parish or '-'}"


class ResultLine(models.Model):
    class Reason(models.TextChoices):
        SELECTED = "selected", _("Selected: it fitted in what was left of the envelope")
        DID_NOT_FIT = "did_not_fit", _("Skipped: its cost did not fit in what was left")
        BELOW_MINIMUM = "below_minimum", _("Skipped: it received no votes")

    result = models.ForeignKey(
        ResultSet, on_delete=models.CASCADE, related_name="lines", verbose_name=_("result")
    )
    request = models.ForeignKey(
        "proposals.Request",
        on_delete=models.PROTECT,
        related_name="result_lines",
        verbose_name=_("project"),
    )
    rank = models.PositiveIntegerField(_("rank"))
    online_votes = models.PositiveIntegerField(_("online votes"))
    # Ballots registered per person at a booth (cédula checked against online votes).
    booth_votes = models.PositiveIntegerField(_("booth votes (registered by person)"), default=0)
    # Votes counted by hand in a parish assembly, entered as an aggregate with its acta.
    assembly_votes = models.PositiveIntegerField(_("assembly votes (hand count)"))
    votes = models.PositiveIntegerField(_("total votes"))
    cost = models.DecimalField(_("cost (USD)"), max_digits=14, decimal_places=2)
    remaining_before = models.DecimalField(
        _("envelope left at its turn (USD)"), max_digits=14, decimal_places=2
    )
    selected = models.BooleanField(_("selected"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)

    class Meta:
        verbose_name = _("result line")
        verbose_name_plural = _("result lines")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["result", "request"], name="result_line_once"),
            models.UniqueConstraint(fields=["result", "rank"], name="result_line_rank_once"),
            models.CheckConstraint(
                condition=models.Q(
                    votes=models.F("online_votes")
                    + models.F("booth_votes")
                    + models.F("assembly_votes")
                ),
                name="result_votes_are_the_sum_of_kinds",
            ),
        ]

    def __str__(self):
        return f"{self.rank}. {self.request_id}"
