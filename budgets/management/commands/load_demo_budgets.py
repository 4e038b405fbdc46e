from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from budgets.demo import load_demo_budgets
from home.demo import quiet_mail


class Command(BaseCommand):
    help = (
        "Create the demo participatory-budget cycles, one in each phase that matters: "
        "Calderón and Tumbaco with published results, Eugenio Espejo voting, and Calderón's "
        "next cycle taking requests. Dates are relative to today; a cycle whose phase has "
        "drifted since an older run is re-dated. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            with quiet_mail():
                done = load_demo_budgets()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        for line in done:
            self.stdout.write(line)
        if not done:
            self.stdout.write("Demo budgets already up to date.")
