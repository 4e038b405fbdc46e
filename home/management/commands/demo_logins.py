"""Print the demo logins (development only): `make run` ends with it.

Refuses unless DEBUG is on and the settings are not the production ones: the passwords and
the TOTP secret it prints are for a local demo database.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from home import demo

ROLES = (
    (
        demo.RESIDENT_EMAIL,
        "Verified resident (Calderón, Llano Chico): requests, supports, "
        "comments, live assembly votes",
    ),
    (
        demo.UNVERIFIED_EMAIL,
        "Unverified resident (Calderón): can comment and file requests, cannot vote or support",
    ),
    (demo.VOTER_EMAIL, "Verified resident (Eugenio Espejo): votes in the open budget cycle"),
    (demo.STAFF_EMAIL, "Zone staff (Calderón), with two-factor authentication (TOTP)"),
)


class Command(BaseCommand):
    help = (
        "Print the demo accounts, their passwords and the staff's TOTP secret and current "
        "code. Development only: refuses when DEBUG is off or with the production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--code", action="store_true", help="Print only the staff's current TOTP code."
        )

    def handle(self, *args, code=False, **options):
        if not settings.DEBUG or demo.is_production_settings():
            raise CommandError(
                "demo_logins is for development only: it refuses when DEBUG is off or with "
                "the production settings."
            )
        users = {u.email: u for u in get_user_model().objects.filter(email__in=dict(ROLES))}
        staff = users.get(demo.STAFF_EMAIL)
        secret = demo.totp_secret(staff) if staff else None
        if code:
            if not secret:
                raise CommandError("No demo staff with TOTP: run `make setup` first.")
            self.stdout.write(demo.totp_code(secret))
            return
        if len(users) < len(ROLES):
            raise CommandError("The demo accounts are missing: run `make setup` first.")
        out = ["", "Demo logins (development only) at /cuenta/login/:"]
        for email, role in ROLES:
            out += [
                f"  {role}",
                f"    e-mail:   {email}",
                f"    password: {demo.demo_password(email)}",
            ]
        if secret:
            issuer = getattr(settings, "MFA_TOTP_ISSUER", "Quito Decide")
            out += [
                f"    TOTP secret: {secret}  (add it to an authenticator app, or:)",
                f"    code now:    {demo.totp_code(secret)}  "
                "(`.venv/bin/python manage.py demo_logins --code` prints a fresh one)",
                f"    otpauth://totp/{issuer.replace(' ', '%20')}:{demo.STAFF_EMAIL}"
                f"?secret={secret}&issuer={issuer.replace(' ', '%20')}",
            ]
        from council.demo import SECRETARIAT_EMAIL

        secretariat = get_user_model().objects.filter(email=SECRETARIAT_EMAIL).first()
        if secretariat is not None:
            council_secret = demo.totp_secret(secretariat)
            out += [
                "  Council secretariat (/concejo/: sessions, roll-call votes, the empty seat)",
                f"    e-mail:   {SECRETARIAT_EMAIL}",
                f"    password: {demo.demo_password(SECRETARIAT_EMAIL)}",
            ]
            if council_secret:
                out.append(
                    f"    TOTP secret: {council_secret}  (code now: "
                    f"{demo.totp_code(council_secret)})"
                )
        from verification import demo as verification_demo

        out += [
            "  Verify the unverified resident online at /cuenta/verificacion/: with the census",
            f"    (cédula {verification_demo.CENSUS_CEDULA}, born "
            f"{verification_demo.CENSUS_BIRTH:%d/%m/%Y}) or the one-time code "
            f"{verification_demo.DEMO_CODE} (each works once).",
            "  The superuser (admin@quitodecide.localhost) got its password when it was created;",
            "  `.venv/bin/python manage.py changepassword admin@quitodecide.localhost` resets it.",
            "",
        ]
        self.stdout.write("\n".join(out))
