"""The ASGI application of `make bench-vote-storm`. With BENCH_TALLY=per-ballot it runs the
baseline: `services.ballot_cast` as it was before coalescing (commit 8d9a644), i.e. the
state row locked exclusively by every ballot and one `poll.tally` event per ballot."""

import os

from quitodecide.asgi import application  # noqa: F401  (sets Django up)

if os.environ.get("BENCH_TALLY") == "per-ballot":
    from django.db import IntegrityError, transaction
    from django.utils.translation import gettext as _

    from assemblies import services
    from assemblies.models import AssemblyStatus, Ballot, Poll
    from assemblies.rules import vote_refusal
    from quitodecide import rulebook
    from quitodecide.errors import DomainError, PermissionDenied

    @transaction.atomic
    def ballot_cast_per_ballot(*, poll, voter, option):
        state, poll = services._locked_poll(poll)
        if option.poll_id != poll.pk:
            raise DomainError(_("This option does not belong to this vote."))
        poll.assembly.__dict__["_locked_status"] = state.status
        if not rulebook.allowed(voter, "assemblies.vote", poll):
            if not (
                poll.status == Poll.Status.OPEN
                and poll.counts_online
                and state.status == AssemblyStatus.LIVE
            ):
                raise DomainError(_("This vote is not open for online voting."))
            raise PermissionDenied(vote_refusal(voter, poll))
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(poll=poll, option=option, voter=voter)
        except IntegrityError:
            raise DomainError(_("You have already voted on this question.")) from None
        services._emit(state, "poll.tally", services._poll_payload(poll))
        return ballot

    services.ballot_cast = ballot_cast_per_ballot
