from django.core.management.base import BaseCommand

from assemblies.demo import load_demo_assemblies


class Command(BaseCommand):
    help = (
        "Create /asambleas/ and demo assemblies (one in progress, finished ones with results "
        "and minutes). Needs load_territory and load_demo first. Safe to run again."
    )

    def handle(self, *args, **options):
        created = load_demo_assemblies()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo assemblies created: {len(created)}"))
        else:
            self.stdout.write("Demo assemblies up to date.")
