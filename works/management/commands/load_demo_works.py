from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from home.demo import quiet_mail
from works.demo import load_demo_works


class Command(BaseCommand):
    help = (
        "Create about sixty demo public works across the zones, in every status, with dated "
        "updates, photos, committees and residents' observations, and the works of the "
        "published demo budget results. Run it after load_demo_budgets. Safe to run again."
    )

    def handle(self, *args, **options):
        try:
            with quiet_mail():
                summary = load_demo_works()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if not summary["created"]:
            self.stdout.write("Demo works already loaded.")
            return
        self.stdout.write(
            "Demo works created: {works} in {zones} zones ({from_results} from budget "
            "results), {updates} updates, {photos} photos, {observations} observations, "
            "{committee_members} committee members.".format(**summary)
        )
