from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self):
        from wagtail.signals import page_published

        from home.selectors import SECTION_PROVIDERS
        from territory.selectors import ZONE_SECTION_PROVIDERS

        from . import sections
        from .models import ConsultationPage

        # Publishing (from the editor or on schedule) turns the draft text into a version.
        page_published.connect(sections.on_consultation_published, sender=ConsultationPage)
        SECTION_PROVIDERS.append(sections.open_consultations_section)
        ZONE_SECTION_PROVIDERS.append(sections.zone_consultations_section)
