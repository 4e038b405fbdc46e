from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "works"
    verbose_name = _("Public works")

    def ready(self):
        from budgets import signals
        from home.selectors import SECTION_PROVIDERS
        from territory.selectors import ZONE_SECTION_PROVIDERS

        from . import (
            audit,  # noqa: F401  (registers the log actions)
            receivers,
            sections,
        )

        signals.results_published.connect(receivers.on_results_published, dispatch_uid="works")
        signals.results_withdrawn.connect(receivers.on_results_withdrawn, dispatch_uid="works")
        if sections.home_section not in SECTION_PROVIDERS:
            SECTION_PROVIDERS.append(sections.home_section)
        if sections.zone_section not in ZONE_SECTION_PROVIDERS:
            ZONE_SECTION_PROVIDERS.append(sections.zone_section)
