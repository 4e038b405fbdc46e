"""Import the monthly update matrix from the command line: the same checks and the same
atomic apply as the admin, with the report printed.

    manage.py import_works matriz.xlsx --user jefa@quito.gob.ec   # check, then apply
    manage.py import_works matriz.csv --dry-run                    # check only, write nothing

With --user, the command acts as that staff member (their zones, their rules; the updates
and the audit entries name them). Without it, it acts for the whole city and the updates
have no author. Exit status 1 when the file has errors (nothing is written then); 0 when it
was applied, or when the same file had already been applied (nothing to do).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from quitodecide.errors import DomainError
from quitodecide.mfa import mark_user
from territory.models import Zone
from works import importer
from works.models import ImportBatch


class Command(BaseCommand):
    help = "Check (and apply, unless --dry-run) a monthly update matrix (CSV or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument("--user", help="E-mail of the staff member the import acts for.")
        parser.add_argument("--zone", help="Zone slug, for staff of several zones.")

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, zone=None, **options):
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        actor = None
        if zone:
            zone = Zone.objects.filter(slug=zone).first()
            if zone is None:
                raise CommandError("No zone with that slug.")
        if user:
            actor = User.objects.filter(email__iexact=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user with the e-mail {user}.")
            mark_user(actor, True)  # the command line acts as this staff member
            zones = importer.staff_zones(actor)
            if zones == []:
                raise CommandError(f"{user} is not staff of any zone.")
            if zone is None and zones is not None:
                if len(zones) > 1:
                    raise CommandError(f"{user} is staff of several zones: give --zone.")
                zone = zones[0]
        earlier = importer.already_applied(importer.sha256_of(content))
        if earlier is not None:
            self.stdout.write(
                _("This file was already applied on %(date)s: nothing to do.")
                % {"date": earlier.applied_at.date().isoformat()}
            )
            return
        report = importer.check_content(content, actor=actor, zone=zone)
        self._print(report)
        if not report.ok:
            raise CommandError(_("The file has errors: nothing was written."), returncode=1)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        batch = self._apply(content, file.name, actor, zone)
        if batch.state != ImportBatch.State.APPLIED:
            self._print_errors(batch.errors)
            raise CommandError(_("The file has errors: nothing was written."), returncode=1)
        self.stdout.write(
            self.style.SUCCESS(
                _("Applied. Updates written: %(updates)d. Works: %(works)d.") % batch.summary
            )
        )

    def _apply(self, content, name, actor, zone) -> ImportBatch:
        try:
            batch = importer.batch_upload(
                actor=actor, zone=zone, content=content, file_name=name, run=False
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        batch = importer.batch_validate(batch, actor)
        if batch.state != ImportBatch.State.VALID:
            return batch
        ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.APPLYING)
        batch.refresh_from_db()
        return importer.batch_apply(batch, actor)

    def _print(self, report):
        summary = report.summary()
        self.stdout.write(
            _(
                "Rows read: %(rows)d. Updates: %(updates)d. Unchanged: %(skipped)d. "
                "Errors: %(errors)d."
            )
            % summary
        )
        self._print_errors(report.errors)

    def _print_errors(self, errors):
        for error in errors:
            where = []
            if error.get("row") is not None:
                where.append(_("row %(row)s") % {"row": error["row"]})
            if error.get("column"):
                where.append(error["column"])
            prefix = ", ".join(where)
            self.stderr.write(f"{prefix}: {error['message']}" if prefix else error["message"])
