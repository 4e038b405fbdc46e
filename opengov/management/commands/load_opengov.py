from django.core.management.base import BaseCommand

from opengov.demo import load_opengov


class Command(BaseCommand):
    help = (
        "Load the city's second open-government action plan (2022-2023): its five "
        "commitments, their milestones with the statuses of the May 2023 compliance report, "
        "and their verifiables; create the open-government staff group. A plan already "
        "loaded is left as staff left it. Safe to run again."
    )

    def handle(self, *args, **options):
        summary = load_opengov()
        if not summary.created:
            self.stdout.write(f"Open-government plan {summary.plan} already loaded.")
            return
        self.stdout.write(
            f"Open-government plan {summary.plan} loaded: {summary.commitments} commitments, "
            f"{summary.milestones} milestones, {summary.verifiables} verifiables."
        )
