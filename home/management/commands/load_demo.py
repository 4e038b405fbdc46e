from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from home.demo import load_demo


class Command(BaseCommand):
    help = "Create demo content and, if there is none, a demo superuser. Safe to run again."

    def handle(self, *args, **options):
        try:
            password = load_demo()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if password:
            self.stdout.write(
                self.style.SUCCESS(
                    "\nDemo superuser created:\n"
                    "  e-mail:   admin@quitodecide.localhost\n"
                    f"  password: {password}\n"
                    "Log in at /cuenta/login/. The admin (/admin/) asks you to set up two-factor\n"
                    "authentication (an authenticator app) the first time.\n"
                )
            )
        else:
            self.stdout.write(
                "Demo content up to date. A superuser already exists; if you lost its password:\n"
                "  .venv/bin/python manage.py changepassword admin@quitodecide.localhost"
            )
