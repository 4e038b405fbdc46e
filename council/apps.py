from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "council"
    verbose_name = _("Metropolitan Council")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import audit  # noqa: F401  (registers the log actions)
        from .groups import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self)
