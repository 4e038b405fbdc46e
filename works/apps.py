from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "works"
    verbose_name = _("Public works")

    def ready(self):
        from budgets import signals

        from . import (
            audit,  # noqa: F401  (registers the log actions)
            receivers,
        )

        signals.results_published.connect(receivers.on_results_published, dispatch_uid="works")
        signals.results_withdrawn.connect(receivers.on_results_withdrawn, dispatch_uid="works")
