"""`manage.py purge_accounts`: the daily clean-up of the data-rights work (run it from cron
or a systemd timer, once a day).

Deletes the accounts whose deletion was confirmed and whose grace period ended, and the
accounts whose e-mail was never confirmed UNCONFIRMED_ACCOUNT_DAYS after sign-up (never a
staff account); their public contributions stay, anonymised (privacy.deletion). Also
deletes expired data exports when privacy.exports provides `purge_expired`. Idempotent: a
second run the same day finds nothing to do."""

from django.core.management.base import BaseCommand

from privacy.deletion import purge


class Command(BaseCommand):
    help = (
        "Delete the accounts whose deletion is due and the accounts never confirmed after "
        "UNCONFIRMED_ACCOUNT_DAYS (contributions stay, anonymised), and expired data "
        "exports. Safe to run any number of times; meant to run daily."
    )

    def handle(self, *args, **options):
        done = purge()
        # Counts only: nothing that identifies a person reaches the output or the logs.
        self.stdout.write(
            f"Deleted {done['requested']} account(s) whose deletion was due, "
            f"{done['unconfirmed']} never-confirmed account(s); "
            f"purged {done['exports']} expired data export(s)."
        )
