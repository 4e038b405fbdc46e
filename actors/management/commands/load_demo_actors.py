from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create the demo map of social actors (four to eight invented actors in every zone) "
        "at /actores/. Run after load_demo. Safe to run again."
    )

    def handle(self, *args, **options):
        from actors.demo import load_demo_actors

        try:
            done = load_demo_actors()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        for line in done:
            self.stdout.write(f"ready: {line}" if line.startswith("/") else line)
        self.stdout.write("Demo social actors ready at /actores/.")
