"""What the budget cycle tells the capabilities built on its results (public works, for
one), without knowing them. Sent inside the publishing or withdrawing transaction: a
receiver that raises a DomainError refuses the whole operation."""

from django.dispatch import Signal

# sender=BudgetCyclePage, cycle=..., actor=...
results_published = Signal()
results_withdrawn = Signal()
