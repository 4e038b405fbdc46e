from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from assemblies.demo import load_demo_assemblies
from home.demo import quiet_mail


class Command(BaseCommand):
    help = (
        "Create /asambleas/ and demo assemblies (one upcoming, one in progress today, "
        "finished ones with results and minutes), none with a third-party stream. Needs "
        "load_territory and load_demo first. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            with quiet_mail():
                done = load_demo_assemblies()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if done:
            self.stdout.write(self.style.SUCCESS(f"Demo assemblies: {len(done)} changes"))
            for line in done:
                self.stdout.write(f"  {line}")
        else:
            self.stdout.write("Demo assemblies up to date.")
