from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _register_sqlite_fold(sender, connection, **kwargs):
    """SQLite has no unaccent: give every SQLite connection `qd_fold(text)`, the same
    folding (case and accents) the search applies to the words typed."""
    if connection.vendor == "sqlite":
        from .text import fold

        connection.connection.create_function("qd_fold", 1, fold, deterministic=True)


class SiteSearchConfig(AppConfig):
    name = "sitesearch"
    verbose_name = _("Site search")

    def ready(self):
        connection_created.connect(_register_sqlite_fold, dispatch_uid="sitesearch_sqlite_fold")
