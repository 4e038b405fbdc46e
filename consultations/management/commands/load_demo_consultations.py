from django.core.management.base import BaseCommand

from consultations.demo import load_demo_consultations


class Command(BaseCommand):
    help = "Create /consultas/ and two demo consultations. Safe to run again."

    def handle(self, *args, **options):
        load_demo_consultations()
        self.stdout.write("Demo consultations ready at /consultas/.")
