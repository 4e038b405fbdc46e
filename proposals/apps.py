from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Requests and proposals")

    def ready(self):
        from . import audit  # noqa: F401  (registers audit log actions)
