import datetime

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Delete the files of abandoned actor imports (checked but never imported) kept in "
        "the private storage for longer than --hours (default 6). They hold contact details."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=6.0)

    def handle(self, *args, **options):
        from actors.uploads import purge_stale_uploads

        hours = max(0.0, options["hours"])
        deleted = purge_stale_uploads(max_age=datetime.timedelta(hours=hours))
        self.stdout.write(f"actor upload files deleted: {deleted}")
