from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Participatory budgets")

    def ready(self):
        from home.selectors import SECTION_PROVIDERS
        from territory.selectors import ZONE_SECTION_PROVIDERS

        from . import audit  # noqa: F401  (registers audit log actions)
        from .selectors import home_section, zone_section

        if home_section not in SECTION_PROVIDERS:
            SECTION_PROVIDERS.append(home_section)
        if zone_section not in ZONE_SECTION_PROVIDERS:
            ZONE_SECTION_PROVIDERS.append(zone_section)
