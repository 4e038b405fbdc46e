from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from home.demo import quiet_mail


class Command(BaseCommand):
    help = (
        "Create the training demo at /formacion/ (after `manage.py load_demo`): plans for "
        "Calderón and La Mariscal, past sessions with attendance, certificates and "
        "evaluations, upcoming ones with a waiting list. Safe to run again."
    )

    def handle(self, *args, **options):
        from training.demo import load_demo_training

        try:
            with quiet_mail():
                done = load_demo_training()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        for line in done:
            self.stdout.write(f"ready: {line}" if line.startswith("/") else line)
        self.stdout.write("Demo training ready at /formacion/.")
