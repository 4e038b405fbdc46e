from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from territory.selectors import ZONE_SECTION_PROVIDERS

        from . import audit  # noqa: F401  (registers the log actions)
        from .sections import zone_section

        if zone_section not in ZONE_SECTION_PROVIDERS:
            ZONE_SECTION_PROVIDERS.append(zone_section)
