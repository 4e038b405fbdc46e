from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    name = "assemblies"
    verbose_name = _("Assemblies")

    def ready(self):
        from home.selectors import SECTION_PROVIDERS
        from territory.selectors import ZONE_SECTION_PROVIDERS

        from . import audit  # noqa: F401  (registers audit log actions)
        from .sections import home_section, zone_sections

        if home_section not in SECTION_PROVIDERS:
            SECTION_PROVIDERS.append(home_section)
        for provider in zone_sections:
            if provider not in ZONE_SECTION_PROVIDERS:
                ZONE_SECTION_PROVIDERS.append(provider)
