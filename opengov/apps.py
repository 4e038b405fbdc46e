from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpengovConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "opengov"
    verbose_name = _("Open government")

    def ready(self):
        from . import audit  # noqa: F401  (registers the log actions)
