from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from home.demo import quiet_mail


class Command(BaseCommand):
    help = (
        "Create the law-making demo (a consultation through two versions, dispositions and "
        "the enacted text), the council's councillors, commissions and sessions at /concejo/, "
        "and empty-seat applications (one accredited). Safe to run again."
    )

    def handle(self, *args, **options):
        from consultations.demo_lawmaking import load_demo_lawmaking
        from council.demo import load_demo_council
        from council.demo_empty_seat import load_demo_empty_seat

        done = []
        try:
            with quiet_mail():
                done += load_demo_lawmaking()
                done += load_demo_council()
                done += load_demo_empty_seat()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        for line in done:
            self.stdout.write(f"ready: {line}" if line.startswith("/") else line)
        self.stdout.write("Demo council ready at /concejo/.")
