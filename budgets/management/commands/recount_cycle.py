"""`manage.py recount_cycle BUNDLE.zip`: recompute a cycle's results from its recount bundle
alone (no database) and say whether they match what was published.

Exit status: 0 the recount matches, 1 it does not (the differences are listed), 2 the file
is not a readable bundle (the message says why). Never a traceback.
"""

from django.core.management.base import BaseCommand

from budgets import bundle
from quitodecide.bundles import RecountCommand


class Command(RecountCommand, BaseCommand):
    help = (
        "Recompute a budget cycle's results from its recount bundle (the ZIP offered on the "
        "results page) and say whether they match the published ones. Exit 0: they match; "
        "1: they do not; 2: the file is not a readable bundle."
    )
    bundle_module = bundle
