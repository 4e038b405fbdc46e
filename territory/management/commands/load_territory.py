from django.core.management.base import BaseCommand

from territory.services import territory_load


class Command(BaseCommand):
    help = (
        "Load Quito's zonal administrations and parishes, and create the zone pages and "
        "per-zone staff groups. Safe to run again: nothing is duplicated."
    )

    def handle(self, *args, **options):
        report = territory_load()
        if not report.changed:
            self.stdout.write("Territory already up to date.")
            return
        for label, bucket in (("created", report.created), ("updated", report.updated)):
            for kind, count in sorted(bucket.items()):
                self.stdout.write(f"{label}: {count} {kind}")
