"""How works follow a budget cycle's results (see budgets.signals)."""

from . import services


def on_results_published(sender, *, cycle, actor, **kwargs):
    services.sync_works_with_results(cycle=cycle, actor=actor)


def on_results_withdrawn(sender, *, cycle, actor, **kwargs):
    services.remove_works_of_withdrawn_results(cycle=cycle, actor=actor)
