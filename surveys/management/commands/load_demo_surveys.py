from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the demo surveys: the survey on the supply of and demand for public "
        "information (open, with answers) and a closed survey with public results. Safe to "
        "run again."
    )

    def handle(self, *args, **options):
        from surveys.demo import load_demo_surveys

        for line in load_demo_surveys():
            self.stdout.write(f"ready: {line}" if line.startswith("/") else line)
        self.stdout.write("Demo surveys ready at /encuestas/.")
