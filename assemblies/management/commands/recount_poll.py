"""`manage.py recount_poll BUNDLE.zip`: recompute an assembly's published votes (online votes
plus room counts) from its recount bundle alone (no database) and say whether they match.

Exit status: 0 the recount matches, 1 it does not (the differences are listed), 2 the file
is not a readable bundle (the message says why). Never a traceback.
"""

from django.core.management.base import BaseCommand

from assemblies import bundle
from quitodecide.bundles import RecountCommand


class Command(RecountCommand, BaseCommand):
    help = (
        "Recompute the published votes of an assembly (online votes plus room counts) from "
        "its recount bundle (the ZIP offered on the assembly page) and say whether they match "
        "the published results. Exit 0: they match; 1: they do not; 2: the file is not a "
        "readable bundle."
    )
    bundle_module = bundle
