from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Residency verification")

    def ready(self):
        from accounts.verification import register

        from . import audit  # noqa: F401  (registers audit log actions)
        from .verifiers import CensusVerifier, CodeVerifier

        register(CensusVerifier())
        register(CodeVerifier())
