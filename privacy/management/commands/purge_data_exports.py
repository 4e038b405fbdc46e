"""`manage.py purge_data_exports`: delete the files of data exports past their date
(DATA_EXPORT_DAYS after they were ready). Run it daily (cron or the scheduler that runs the
other data-rights jobs); it is idempotent."""

from django.core.management.base import BaseCommand

from privacy.exports import purge_expired


class Command(BaseCommand):
    help = "Delete the files of residents' data exports whose download period has ended."

    def handle(self, *args, **options):
        purged = purge_expired()
        self.stdout.write(f"{purged} expired data export(s) deleted.")
