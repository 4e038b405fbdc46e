from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and standard pages")

    def ready(self):
        from quitodecide.exports import guard_admin_spreadsheets

        guard_admin_spreadsheets()
