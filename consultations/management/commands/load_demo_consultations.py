from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from consultations.demo import load_demo_consultations
from home.demo import quiet_mail


class Command(BaseCommand):
    help = (
        "Create /consultas/ and the demo consultations (open, closed, with a report; one of "
        "34 articles and about 200 comments). Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            with quiet_mail():
                done = load_demo_consultations()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        for line in done:
            self.stdout.write(f"ready: {line}" if line.startswith("/") else line)
        self.stdout.write("Demo consultations ready at /consultas/.")
