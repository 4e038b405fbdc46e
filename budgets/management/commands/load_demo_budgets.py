from django.core.management.base import BaseCommand

from budgets.demo import load_demo_budgets


class Command(BaseCommand):
    help = (
        "Create demo participatory-budget cycles for 2026 (Calderón and Tumbaco) with requests, "
        "verdicts, ballots, an assembly tally and results. Safe to run again."
    )

    def handle(self, *args, **options):
        created = load_demo_budgets()
        if created:
            for url in created:
                self.stdout.write(f"created: {url}")
        else:
            self.stdout.write("Demo budgets already up to date.")
