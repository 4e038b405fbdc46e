"""Fixtures of `make bench-vote-storm`, created inside the server's database (run through
`manage.py shell`): the bench assembly in progress with a new open online poll, a staff
session with an MFA step recorded (the staff path closes the poll), and N verified residents
of the zone with a verified e-mail address, a consent to the privacy policy and a session
each (created directly in the session store, as a login would leave it) plus a CSRF secret
(what the CSRF cookie holds; the vote form posts it back)."""

import datetime
import time

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import Resident
from assemblies import services
from assemblies.models import AssemblyKind, AssemblyPage, AssemblyStatus, LiveState, Poll
from privacy.consent import consent_ensure_current
from quitodecide.mfa import mark_user

SLUG = "asamblea-tormenta"


def session_for(user, *, mfa=False) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    if mfa:
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [{"method": "mfa", "at": time.time()}]
    session.create()
    return session.session_key


def setup(voters: int, label: str) -> dict:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group

    from territory.models import ZonePage

    zone_page = ZonePage.objects.get(zone__slug="calderon")
    staff, _created = get_user_model().objects.get_or_create(email="bench@quitodecide.localhost")
    staff.groups.add(Group.objects.get(name=f"Editores zona {zone_page.zone.name}"))
    Authenticator.objects.get_or_create(
        user=staff, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    mark_user(staff, True)  # the services called here see an MFA step
    page = AssemblyPage.objects.filter(slug=SLUG).first()
    if page is None:
        page = zone_page.add_child(
            instance=AssemblyPage(
                title="Asamblea de la tormenta de votos",
                slug=SLUG,
                kind=AssemblyKind.ZONAL,
                starts_at=timezone.now() - datetime.timedelta(minutes=5),
                place="127.0.0.1",
            )
        )
        page.save_revision().publish()
    state = LiveState.objects.filter(assembly=page).first()
    if state is None or state.status == AssemblyStatus.SCHEDULED:
        services.assembly_start(assembly=page, actor=staff)
    for poll in Poll.objects.filter(assembly=page, status=Poll.Status.OPEN):
        services.poll_close(poll=poll, actor=staff)
    poll = services.poll_open(
        assembly=page,
        actor=staff,
        question=f"¿Tormenta {label}?",
        options=["Sí", "No"],
        mode="both",
    )
    zone = page.zone
    parish = zone.parishes.first()
    users = get_user_model().objects
    people = []
    for k in range(voters):
        email = f"storm{k}@bench.localhost"
        user, created = users.get_or_create(email=email)
        if created:
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            Resident.objects.create(
                user=user,
                display_name=f"Vecina {k}",
                zone=zone,
                parish=parish,
                verification_status="verified",
                verified_at=timezone.now(),
            )
            consent_ensure_current(user)
        csrf = get_random_string(32)
        people.append({"session": session_for(user), "csrf": csrf})
    return {
        "assembly": page.pk,
        "url": page.get_url(),
        "poll": poll.pk,
        "options": list(poll.options.values_list("pk", flat=True)),
        "staff_cookie": f"sessionid={session_for(staff, mfa=True)}",
        "voters": people,
    }
