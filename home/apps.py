from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and standard pages")

    def ready(self):
        import quitodecide.navigation  # noqa: F401  (connects the header cache's purge signals)
        from quitodecide.pagecache import connect_signals as connect_page_cache

        connect_page_cache()
        from quitodecide.exports import guard_admin_spreadsheets
        from quitodecide.numbers import refuse_non_ascii_digits

        guard_admin_spreadsheets()
        refuse_non_ascii_digits()
